"""Step ``contributions``: real contributions to public consultations, in Spanish (Barcelona's
PAM 2016), French (Lille's Grand Débat 2019) and English (OSDG texts), imported into the
consultations named in :mod:`cityforum.demo.sources` through the same import as
``cityforum import contributions`` (all rows of a consultation, or none).

Barcelona and Lille are read from ``../shared/data/consultations/`` when that folder is there
(their licence is not confirmed, so they are not copied into the repository); without it the
demo has the English texts only, and says so.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from .builder import DemoBuild
from .sources import (
    BARCELONA_AXES,
    BARCELONA_DISTRICTS,
    BUNDLED,
    LILLE_THEMES,
    SDG_CONSULTATIONS,
)

#: Barcelona's sub-themes → the capital an author would have ticked (our reading of the
#: concept note: local democracy and institutions are human capital).
BARCELONA_CAPITALS: dict[str, str] = {
    "Mobilitat sostenible": "environmental",
    "Urbanisme per als barris": "social",
    "Educació i coneixement": "human",
    "Medi ambient i espai públic": "environmental",
    "Cultura": "cultural",
    "Sanitat i salut": "human",
    "Convivència i seguretat": "social",
    "Cicles de vida": "social",
    "Desenvolupament i economia de proximitat": "economic",
    "Autonomia personal": "social",
    "Verd urbà i biodiversitat": "environmental",
    "Esports": "cultural",
    "Acció comunitària": "social",
    "Habitatge": "social",
    "Turisme sostenible": "economic",
    "Economia cooperativa, social i solidària": "economic",
    "Equitat de gènere i diversitat sexual": "social",
    "Justícia social": "social",
    "Energia i canvi climàtic": "environmental",
    "Participació ciutadana": "human",
    "Migració, interculturalitat i discriminació zero": "cultural",
    "Ocupació de qualitat": "economic",
    "Govern transparent i rendició de comptes": "human",
    "Un nou lideratge públic": "human",
    "Administració intel·ligent i inclusiva": "human",
    "Justícia global": "social",
    "Eficiència i professionalitat": "human",
    "Defensa i protecció dels Drets Humans": "human",
    "Ciutat d’acollida": "cultural",
}

#: The Grand Débat's themes → a capital (the suggestion of the data set's README).
LILLE_CAPITALS: dict[str, str] = {
    "transition_ecologique": "environmental",
    "fiscalite_depenses_action_publique": "economic",
    "democratie_citoyennete": "human",
    "organisation_etat_collectivites": "human",
    "autre_sujet": "social",
}

#: The small demo keeps one row in this many of each source.
SMALL_STRIDE = 8
TITLE_LENGTH = 120


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def _title(text: str) -> str:
    """A title for a text that has none: its first words, cut at a word."""
    text = " ".join(text.split())
    if len(text) <= TITLE_LENGTH:
        return text
    return text[:TITLE_LENGTH].rsplit(" ", 1)[0] + "…"


def _keep(n: int, small: bool) -> bool:
    return not small or n % SMALL_STRIDE == 0


def barcelona_rows(folder: Path, small: bool) -> dict[str, list[dict[str, str]]]:
    """Spanish proposals: district ones to the regional consultation of their district,
    city-wide ones to the thematic consultation of their strategic axis."""
    out: dict[str, list[dict[str, str]]] = defaultdict(list)
    spanish = (r for r in _rows(folder / "proposals.csv") if r["lang_guess"] == "es")
    for n, row in enumerate(spanish):
        capital = BARCELONA_CAPITALS.get(row["subcategory"])
        if not _keep(n, small) or capital is None or not row["text"].strip():
            continue
        if row["scope"] == "district" and row["district"] in BARCELONA_DISTRICTS:
            slug, author = BARCELONA_DISTRICTS[row["district"]], "barcelona_districts"
        elif row["category"] in BARCELONA_AXES:
            slug, author = BARCELONA_AXES[row["category"]], "barcelona"
        else:
            continue
        out[slug].append(
            {
                "author": author,
                "type": "proposal",
                "title": _title(row["title"] or row["text"]),
                "body": row["text"],
                "capitals": capital,
                "language": "es",
            }
        )
    return out


def lille_rows(folder: Path, small: bool) -> dict[str, list[dict[str, str]]]:
    """French contributions: each national theme to its thematic consultation."""
    out: dict[str, list[dict[str, str]]] = defaultdict(list)
    for n, row in enumerate(_rows(folder / "contributions.csv")):
        theme = row["theme"]
        if not _keep(n, small) or theme not in LILLE_THEMES or not row["text"].strip():
            continue
        proposal = row["kind"] == "proposal"
        title = row["title"] if proposal else (row["question"] or row["title"])
        out[LILLE_THEMES[theme]].append(
            {
                "author": "lille",
                "type": "proposal" if proposal else "challenge",
                "title": _title(title or row["text"]),
                "body": row["text"],
                "capitals": LILLE_CAPITALS[theme],
                "language": "fr",
            }
        )
    return out


def sdg_rows(small: bool) -> dict[str, list[dict[str, str]]]:
    """English texts, dealt in turn to the regional consultations of ``SDG_CONSULTATIONS``."""
    out: dict[str, list[dict[str, str]]] = defaultdict(list)
    for n, row in enumerate(_rows(BUNDLED / "sdg-benchmark-sample.csv")):
        if not _keep(n, small):
            continue
        out[SDG_CONSULTATIONS[n % len(SDG_CONSULTATIONS)]].append(
            {
                "author": "osdg",
                "type": "practice",
                "title": _title(row["text"]),
                "body": row["text"],
                "capitals": row["primary_capital"],
                "language": "en",
            }
        )
    return out


def import_contributions(run: DemoBuild) -> str:
    from cityforum.participation.services import import_contributions as import_rows
    from cityforum.programme.models import Consultation

    by_consultation: dict[str, list[dict[str, str]]] = defaultdict(list)
    used = ["OSDG (en)"]
    for slug, rows in sdg_rows(run.small).items():
        by_consultation[slug] += rows
    barcelona = run.shared_folder("consultations", "decidim-barcelona-pam-2016")
    if barcelona:
        used.append("Barcelona (es)")
        for slug, rows in barcelona_rows(barcelona, run.small).items():
            by_consultation[slug] += rows
    lille = run.shared_folder("consultations", "grand-debat-lille-metropole-2019")
    if lille:
        used.append("Lille (fr)")
        for slug, rows in lille_rows(lille, run.small).items():
            by_consultation[slug] += rows
    total = 0
    for slug, rows in sorted(by_consultation.items()):
        consultation = Consultation.objects.get(slug=slug)
        numbered = [
            (line, {**row, "author_email": run.people[row["author"]].email})
            for line, row in enumerate(rows, start=2)
        ]
        total += len(import_rows(consultation, numbered))
    missing = "" if barcelona and lille else " (../shared/data absent: English texts only)"
    return f"{total} contributions from {', '.join(used)}{missing}"
