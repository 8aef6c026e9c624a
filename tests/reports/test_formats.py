"""Both outcome documents, in PDF, Markdown and HTML, in French, English and Spanish: each one
renders, holds its sections and the figures seeded behind them, shows only approved syntheses,
and is printed without running any engine.

The PDF is read back with poppler (``pdftotext``, ``pdfinfo``, ``pdffonts``): what a reader
gets is checked, not the HTML it was made from.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext

from . import dataset
from .conftest import FORMATS, KINDS, LANGUAGES, Bundle, needs_poppler, pdf_tool, squeeze

#: The session's rendered files need the test database (pytest-django only sets up the
#: databases that collected tests ask for).
pytestmark = pytest.mark.django_db

FORUM_SECTIONS = [
    "The forum and its programme",
    "Who took part",
    "Common global trends",
    "Regional specificities",
    "The balance of the five capitals",
    "The consultations at a glance",
    "Approvals",
    "Method notes",
    "Data appendix",
]
CONSULTATION_SECTIONS = [
    "What the consultation was for",
    "Who took part",
    "Opinion map and consensus",
    "Themes and quotes",
    "Capitals profile",
    "Method notes",
]


def headings(kind: str, language: str) -> list[str]:
    with translation.override(language):
        names = FORUM_SECTIONS if kind == "forum" else CONSULTATION_SECTIONS
        return [gettext(name) for name in names]


def number(value: int, language: str) -> str:
    with translation.override(language):
        return str(number_format(value, force_grouping=True))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("format", FORMATS)
@pytest.mark.parametrize("kind", KINDS)
def test_each_report_renders_in_each_format_and_language(
    bundle: Bundle, kind: str, format: str, language: str
) -> None:
    content = bundle.files[(kind, format, language)]
    if format == "pdf":
        assert content.startswith(b"%PDF-")
        return
    text = content.decode("utf-8")
    for heading in headings(kind, language):
        text = text.replace("\u2019", "'")  # print typography: curly apostrophes
        assert heading.replace("'", "&#x27;") in text or heading in text, heading
    if format == "html":
        assert text.startswith("<!DOCTYPE html>") and f'<html lang="{language}">' in text


@needs_poppler
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_the_pdf_holds_every_section_heading(bundle: Bundle, kind: str, language: str) -> None:
    flat = squeeze(bundle.text(kind, "pdf", language))
    for heading in headings(kind, language):
        assert squeeze(heading) in flat, heading


@needs_poppler
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_forum_pdf_holds_the_seeded_figures(bundle: Bundle, language: str) -> None:
    text = bundle.text("forum", "pdf", language)
    flat = squeeze(text)
    facts = bundle.facts
    with translation.override(language):
        contributions = gettext("Contributions")
        n = facts["n_signatories"]
        signed = ngettext("%(n)s organisation", "%(n)s organisations", n) % {"n": n}
    # the number of contributions, under its label in the facts of "who took part"
    assert re.search(
        rf"{re.escape(contributions.upper())}.*\n.*\b{facts['n_contributions']}\b", text
    ), "contributions"
    assert squeeze(signed) in flat
    assert "Thiès" in text  # the assessed city, with its scores
    assert squeeze(dataset.ORGANISER_NAME) in flat  # who approved the syntheses
    assert f"no. {facts['overall_run']}" in text or f"{facts['overall_run']}" in text


@needs_poppler
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_consultation_pdf_holds_its_figures_quote_and_consensus(
    bundle: Bundle, language: str
) -> None:
    text = bundle.text("consultation", "pdf", language)
    flat = squeeze(text)
    facts = bundle.facts
    assert squeeze(facts["quote"])[:60] in flat
    assert squeeze(dataset.CONSENSUS_STATEMENT) in flat
    for label in facts["latam_labels"][language]:
        assert squeeze(label) in flat, label
    assert re.search(rf"\b{facts['n_latam_contributions']}\b", text)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("format", ["md", "html"])
def test_the_text_formats_hold_the_same_figures(bundle: Bundle, format: str, language: str) -> None:
    forum = bundle.text("forum", format, language)
    consultation = bundle.text("consultation", format, language)
    facts = bundle.facts
    assert number(facts["n_contributions"], language) in forum
    assert "Thiès" in forum
    assert dataset.CONSENSUS_STATEMENT in consultation
    quote = facts["quote"].split(".")[0]
    assert quote in consultation or quote.replace("'", "&#x27;") in consultation


@pytest.mark.parametrize("format", FORMATS)
def test_only_approved_syntheses_appear(bundle: Bundle, format: str) -> None:
    """A theme renamed then rejected before the approval, and the themes of a synthesis never
    approved, are in no report, in no language."""
    for kind in KINDS:
        for language in LANGUAGES:
            text = (
                bundle.text(kind, format, language)
                if format != "pdf" or bundle.pdf_text
                else bundle.files[(kind, format, language)].decode("latin-1")
            )
            for label in (dataset.REJECTED_LABEL, dataset.UNAPPROVED_LABEL):
                assert squeeze(label) not in squeeze(text), (kind, format, language, label)


def test_rendering_runs_no_engine(bundle: Bundle) -> None:
    """Printing 18 files read the stored runs and created none."""
    assert bundle.runs_before == bundle.runs_after
    assert bundle.runs_before[0] >= 1 and bundle.runs_before[1] >= 3


@needs_poppler
@pytest.mark.parametrize("kind", KINDS)
def test_the_pdf_is_a4_tagged_titled_with_fonts_embedded_and_numbered(
    bundle: Bundle, kind: str, tmp_path: Path
) -> None:
    pdf = bundle.files[(kind, "pdf", "fr")]
    info = pdf_tool("pdfinfo", pdf, tmp_path)
    assert re.search(r"Tagged:\s+yes", info)
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info)
    assert re.search(r"Title:\s+\S", info)
    fonts = pdf_tool("pdffonts", pdf, tmp_path).splitlines()[2:]
    assert fonts and all("DejaVu" in line for line in fonts)
    assert all(line.split()[-5] == "yes" for line in fonts)  # the "emb" column
    pages = bundle.text(kind, "pdf", "fr").replace("\u2019", "'").split("\f")
    total = len([p for p in pages if p.strip()])
    assert total >= 4
    assert not re.search(r"\b1\s*/\s*\d+\b", pages[0])  # no footer on the cover
    for number_, page in enumerate(pages[1:total], 2):
        assert re.search(rf"\b{number_}\s*/\s*{total}\b", page), number_
    with translation.override("fr"):
        contents = gettext("Contents")
    assert contents in pages[1]
    # each section in the contents ends with the page it starts on
    for heading in headings(kind, "fr")[:3]:
        entry = re.search(rf"{re.escape(heading[:20])}.*?(\d+)\s*$", pages[1], re.M)
        assert entry, heading
        assert squeeze(heading) in squeeze(pages[int(entry[1]) - 1]), heading


@needs_poppler
def test_the_pdf_charts_are_vectors_with_their_words(bundle: Bundle) -> None:
    """The charts are drawn, not pasted: no image in the PDF, and their labels are text."""
    pdf = bundle.files[("forum", "pdf", "en")]
    assert b"/Subtype /Image" not in pdf and b"/Subtype/Image" not in pdf
    text = bundle.text("forum", "pdf", "en")
    assert "Median capital scores of the assessed cities" in text
    html = bundle.text("forum", "html", "en")
    assert "<svg" in html and "<desc" in html and 'role="img"' in html
