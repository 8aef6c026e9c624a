"""Fixtures of the report tests: the seeded forum (:mod:`.dataset`) rendered once per session,
both reports in every format and language, with what the tests compare them against.

Seeding, computing the syntheses and printing the PDFs takes a while, so it happens once, in a
transaction rolled back at the end: the tests read the files, not the database.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from cityforum.participation.models import Contribution
from cityforum.programme.models import Forum
from cityforum.reports.assemble import consultation_report, forum_report
from cityforum.reports.render import render
from cityforum.synthesis.models import OpinionMapRun, ThemeRun
from cityforum.synthesis.themes.review import public_themes

from . import dataset

LANGUAGES = ["fr", "en", "es"]
FORMATS = ["pdf", "md", "html"]
KINDS = ["forum", "consultation"]

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed"
)


def pdf_tool(tool: str, pdf: bytes, folder: Path, *args: str) -> str:
    path = folder / "report.pdf"
    path.write_bytes(pdf)
    command = [tool, *args, str(path)] + (["-"] if tool == "pdftotext" else [])
    return subprocess.run(command, capture_output=True, check=True, text=True).stdout


def squeeze(text: str) -> str:
    """Text without spaces, hyphens or apostrophe variants: justified, hyphenated PDF text
    compares with the stored text whatever the line breaks and the typography."""
    text = text.replace("\u2019", "'").replace("\u00a0", " ").replace("\u202f", " ")
    return re.sub(r"[\s\-\u00ad\u2010]", "", text)


def inflated_streams(pdf: bytes) -> bytes:
    """Every stream of the PDF, inflated where it is compressed: what a raw search must read."""
    out = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        raw = match.group(1)
        try:
            out.append(zlib.decompress(raw))
        except zlib.error:
            out.append(raw)
    return b"\n".join(out)


@dataclass
class Bundle:
    """The rendered reports and the seeded facts they must show."""

    files: dict[tuple[str, str, str], bytes]
    pdf_text: dict[tuple[str, str], str]
    facts: dict[str, Any]
    runs_before: tuple[int, int]
    runs_after: tuple[int, int]
    labels: dict[str, list[str]] = field(default_factory=dict)

    def text(self, kind: str, format: str, language: str) -> str:
        if format == "pdf":
            return self.pdf_text[(kind, language)]
        return self.files[(kind, format, language)].decode("utf-8")


def _facts(forum: dataset.Forum) -> dict[str, Any]:
    latam = forum.runs["latam"].published()
    kept = sorted(public_themes(latam), key=lambda t: (-t["size"], t["id"]))
    quoted = kept[0]["quotes"][0]["contribution"]
    return {
        "n_contributions": forum.n_contributions,
        "n_latam_contributions": forum.n_latam_contributions,
        "n_signatories": forum.n_signatories,
        "quote": Contribution.objects.get(pk=quoted).body,
        "latam_labels": {lang: [t["labels"][lang] for t in kept] for lang in LANGUAGES},
        "latam_run": forum.runs["latam"].pk,
        "overall_run": forum.runs["overall"].pk,
        "opinion_run": forum.runs["opinion"].pk,
        "latam_slug": forum.latam.slug,
        "latam_pk": forum.latam.pk,
    }


def _counts() -> tuple[int, int]:
    return OpinionMapRun.objects.count(), ThemeRun.objects.count()


@pytest.fixture(scope="session")
def bundle(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Bundle]:
    folder = tmp_path_factory.mktemp("reports")
    with django_db_blocker.unblock(), transaction.atomic():
        forum = dataset.build()
        facts = _facts(forum)
        before = _counts()
        files: dict[tuple[str, str, str], bytes] = {}
        edition = Forum.objects.get()
        for language in LANGUAGES:
            reports = {
                "forum": forum_report(edition, language),
                "consultation": consultation_report(forum.latam, language),
            }
            for kind, report in reports.items():
                for format in FORMATS:
                    files[(kind, format, language)] = render(report, format)[0]
        after = _counts()
        transaction.set_rollback(True)
    pdf_text = {}
    if shutil.which("pdftotext"):
        for (kind, format, language), content in files.items():
            if format == "pdf":
                pdf_text[(kind, language)] = pdf_tool("pdftotext", content, folder, "-layout")
    yield Bundle(files, pdf_text, facts, before, after)
