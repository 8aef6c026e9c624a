"""Themes on real Barcelona and Lille texts: deterministic, stable, labelled, quoted verbatim."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from cityforum.analysis.themes import Themes

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "consultations"


@pytest.fixture(scope="module")
def corpus() -> tuple[list[str], list[str], list[str]]:
    bcn = DATA / "decidim-barcelona-pam-2016" / "proposals.csv"
    lille = DATA / "grand-debat-lille-metropole-2019" / "contributions.csv"
    if not bcn.exists() or not lille.exists():
        pytest.fail(f"shared data missing under {DATA}")
    with bcn.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))[::8]
    with lille.open(encoding="utf-8") as handle:
        rows_fr = list(csv.DictReader(handle))[::2]
    texts = [f"{r['title']}. {r['text']}" for r in rows] + [r["text"] for r in rows_fr]
    langs = [r["lang_guess"] for r in rows] + ["fr"] * len(rows_fr)
    regions = [r["district"] or "city" for r in rows] + ["Lille"] * len(rows_fr)
    return texts, langs, regions


@pytest.fixture(scope="module")
def fitted(corpus) -> Themes:
    texts, langs, regions = corpus
    return Themes(n_themes=8, random_state=0).fit(texts, langs, regions)


def test_each_theme_has_trilingual_labels_terms_size_and_verbatim_quotes(corpus, fitted):
    texts, langs, regions = corpus
    assert fitted.components_.shape[0] == 8 and fitted.doc_theme_.shape == (len(texts), 8)
    for theme in fitted.summary():
        assert set(theme["labels"]) == {"fr", "en", "es"} and all(theme["labels"].values())
        assert theme["terms"] and theme["size"] == int(fitted.memberships_[:, theme["id"]].sum())
        assert 1 <= len(theme["quotes"]) <= 5
        assert all(0 <= i < len(texts) for i in theme["quotes"])
        per_region = [regions[i] for i in theme["quotes"]]
        assert max(per_region.count(r) for r in per_region) <= 2


def test_themes_mix_languages_through_concepts(corpus, fitted):
    _, langs, _ = corpus
    shared = [
        j for j in range(8)
        if {langs[i] for i in np.flatnonzero(fitted.memberships_[:, j])} >= {"ca", "fr"}
    ]  # fmt: skip
    assert len(shared) >= 3


def test_themes_are_deterministic(corpus, fitted):
    texts, langs, regions = corpus
    again = Themes(n_themes=8, random_state=0).fit(texts, langs, regions)
    assert np.array_equal(again.components_, fitted.components_)
    assert again.labels_ == fitted.labels_ and again.quotes_ == fitted.quotes_


def test_themes_are_stable_when_rows_are_shuffled(corpus, fitted):
    texts, langs, _ = corpus
    order = np.random.default_rng(1).permutation(len(texts))
    shuffled = Themes(n_themes=8, random_state=0).fit(
        [texts[i] for i in order], [langs[i] for i in order]
    )
    assert shuffled.feature_names_ == fitted.feature_names_
    assert np.allclose(shuffled.components_, fitted.components_, atol=1e-6)
    assert np.array_equal(shuffled.memberships_, fitted.memberships_[order])


def test_an_empty_corpus_is_refused():
    with pytest.raises(ValueError, match="empty corpus"):
        Themes().fit([], [])
