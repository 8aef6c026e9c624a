"""Step ``polis``: three public Pol.is conversations become the statements and votes of
three consultations, through the same import as ``cityforum import polis``.

The forum takes statements of at most 280 characters; Pol.is took longer ones. The few that
are longer are shortened (cut at a word, ending with "…") in a temporary copy of the export,
so that every vote still finds its statement; the bundled files stay as published.
"""

from __future__ import annotations

import csv
import shutil
import tempfile
from pathlib import Path

from .builder import DemoBuild
from .sources import BUNDLED, POLIS_CONVERSATIONS

MAX_STATEMENT = 280


def shorten(text: str, limit: int = MAX_STATEMENT) -> str:
    """``text`` whole when it fits, else cut at the last word that fits, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def fitted_copy(source: Path, target: Path) -> int:
    """Copy a Pol.is export folder with its statements fitted to the forum; returns how many
    were shortened."""
    shutil.copytree(source, target)
    with (source / "comments.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields, rows = list(reader.fieldnames or []), list(reader)
    shortened = 0
    for row in rows:
        fitted = shorten(row["comment-body"])
        shortened += fitted != " ".join(row["comment-body"].split())
        row["comment-body"] = fitted
    with (target / "comments.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return shortened


def import_conversations(run: DemoBuild) -> str:
    from cityforum.programme.models import Consultation
    from cityforum.statements.services import import_polis

    statements = votes = shortened = 0
    with tempfile.TemporaryDirectory(prefix="cityforum-demo-polis-") as scratch:
        for folder, slug in POLIS_CONVERSATIONS.items():
            copy = Path(scratch) / folder
            shortened += fitted_copy(BUNDLED / "polis" / folder, copy)
            consultation = Consultation.objects.get(slug=slug)
            report = import_polis(consultation, copy, by=run.people["organiser"])
            statements += report.statements
            votes += report.votes
    return (
        f"{len(POLIS_CONVERSATIONS)} conversations: {statements} statements "
        f"({shortened} shortened to {MAX_STATEMENT} characters), {votes:,} votes"
    )
