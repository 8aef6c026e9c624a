"""Text handling: normalisation, stop words, stemming, concepts, language detection."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from cityforum.analysis.text import (
    analyse,
    concepts_in,
    detect_language,
    fold_accents,
    normalise,
    resolve_languages,
    stem,
    stems,
    stop_words,
)

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "consultations"


def _csv(relative: str) -> list[dict[str, str]]:
    path = DATA / relative
    if not path.exists():
        pytest.fail(f"shared data missing: {path}")
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_normalise_folds_case_drops_urls_numbers_and_punctuation():
    assert normalise("L'Eau, en 2019 : https://x.org/a  ÉCOLE!") == "l eau en école"
    assert normalise("col·laboració amb CO2") == "collaboració amb co2"


def test_fold_accents():
    assert fold_accents("Água Œuvre ÉTÉ") == "agua oeuvre ete"


def test_stop_words_are_per_language_and_folded():
    assert "les" in stop_words("fr") and "the" in stop_words("en") and "amb" in stop_words("ca")
    assert stop_words("de") == frozenset()


def test_stemming_joins_inflections_and_leaves_unsupported_languages_unstemmed():
    assert stem("logements", "fr") == stem("logement", "fr")
    assert stem("viviendas", "es") == stem("vivienda", "es")
    assert stem("Wasser", "de") == "wasser"
    assert stems("Les écoles du quartier", "fr") == [stem("écoles", "fr"), stem("quartier", "fr")]


@pytest.mark.parametrize(
    ("word", "language"),
    [("eau", "fr"), ("agua", "es"), ("aigua", "ca"), ("água", "pt"), ("water", "en"),
     ("Eaux", "fr"), ("aigües", "ca")],
)  # fmt: skip
def test_water_in_five_languages_is_one_concept(word, language):
    assert concepts_in(word, language) == ["water"]


def test_multi_word_terms_win_over_single_words():
    assert concepts_in("plus de pistes cyclables et de logements sociaux", "fr") == [
        "cycling",
        "social_housing",
    ]


def test_analyse_keeps_uncovered_words_as_language_tagged_stems_with_their_surface():
    feats, surfaces = analyse("Habitatge i aigua pública amb ombra al barri", "ca")
    assert "c:housing" in feats and "c:water_management" in feats and "c:neighbourhood" in feats
    assert any(f.startswith("ca:") for f in feats)
    assert len(feats) == len(surfaces)
    assert analyse("Wasser für alle", "und")[0] == ["und:wasser", "und:fur", "und:alle"]


def test_a_catalan_and_a_french_proposal_about_water_share_a_concept():
    barcelona = [
        r for r in _csv("decidim-barcelona-pam-2016/proposals.csv")
        if r["lang_guess"] == "ca" and "aigua" in r["text"].lower()
    ]  # fmt: skip
    lille = [
        r for r in _csv("grand-debat-lille-metropole-2019/contributions.csv")
        if " eau " in f" {r['text'].lower()} "
    ]  # fmt: skip
    assert barcelona and lille
    ca = set(concepts_in(barcelona[0]["title"] + ". " + barcelona[0]["text"], "ca"))
    fr = set(concepts_in(lille[0]["text"], "fr"))
    assert "water" in ca & fr


def test_language_detection_on_real_barcelona_and_lille_texts():
    rows = _csv("decidim-barcelona-pam-2016/proposals.csv")
    sample = [r for r in rows if r["lang_guess"] in ("ca", "es") and len(r["text"]) > 120]
    sample = sample[::40][:150]
    hits = sum(detect_language(r["text"]) == r["lang_guess"] for r in sample)
    assert hits / len(sample) >= 0.9, hits / len(sample)
    lille = [r for r in _csv("grand-debat-lille-metropole-2019/contributions.csv")][::10]
    hits = sum(detect_language(r["text"]) == "fr" for r in lille if len(r["text"]) > 40)
    assert hits / len(lille) >= 0.9


def test_resolve_languages_detects_missing_ones_and_marks_unsupported_ones():
    texts = ["La ciutat necessita més habitatge públic i més verd als barris", "x", "hallo"]
    assert resolve_languages(texts, [None, "de", "FR"]) == ["ca", "und", "fr"]
    with pytest.raises(ValueError, match="2 languages"):
        resolve_languages(texts, ["fr", "fr"])
