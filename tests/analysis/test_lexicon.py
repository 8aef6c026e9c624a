"""The concept lexicon (analysis/lexicon/concepts.tsv) is well-formed and unambiguous."""

from __future__ import annotations

import csv

from cityforum.analysis.text import (
    CAPITAL_NAMES,
    LEXICON_DIR,
    SUPPORTED_LANGUAGES,
    lexicon,
    stems,
)


def _rows() -> list[list[str]]:
    with (LEXICON_DIR / "concepts.tsv").open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def test_every_row_has_an_id_one_or_two_capitals_and_five_language_cells():
    header, *body = _rows()
    assert header == ["id", "capitals", *SUPPORTED_LANGUAGES]
    assert len(body) >= 300
    for row in body:
        assert len(row) == 7, row
        capitals = row[1].split("|")
        assert 1 <= len(capitals) <= 2 and set(capitals) <= set(CAPITAL_NAMES), row
        assert all(row[i].strip() for i in (2, 3, 4)), f"{row[0]} lacks fr/en/es"


def test_ids_are_unique():
    ids = [row[0] for row in _rows()[1:]]
    assert len(ids) == len(set(ids))


def test_no_term_maps_to_two_concepts_in_the_same_language_even_once_stemmed():
    seen: dict[tuple[str, tuple[str, ...]], str] = {}
    for row in _rows()[1:]:
        for lang, cell in zip(SUPPORTED_LANGUAGES, row[2:], strict=True):
            for term in filter(None, cell.split("|")):
                key = (lang, tuple(stems(term, lang)))
                assert key[1], f"{lang} term {term!r} is only stop words"
                assert seen.setdefault(key, row[0]) == row[0], (term, seen[key], row[0])
    assert lexicon().collisions == []


def test_the_concept_notes_vocabulary_is_covered():
    wanted = {
        "local_democracy", "citizen_participation", "places_that_care", "mutual_aid",
        "inequalities", "territorial_justice", "ecological_transition", "living_systems",
        "rural_urban_continuum", "fifteen_minute_city", "culture_of_ecology", "heritage",
        "care", "food_systems", "housing", "mobility", "water", "energy", "health",
        "education", "employment", "local_finance",
    }  # fmt: skip
    assert wanted <= set(lexicon().concepts)


def test_every_capital_has_concepts():
    counts = {c: 0 for c in CAPITAL_NAMES}
    for concept in lexicon().concepts.values():
        for capital in concept.capitals:
            counts[capital] += 1
    assert min(counts.values()) >= 25, counts
