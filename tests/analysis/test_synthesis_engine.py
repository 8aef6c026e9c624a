"""The streaming synthesis engine behind ``cityforum analyse texts``.

Each piece is checked against the plain definition it speeds up: the feature counter against
:func:`analyse`, the count-based trends and specificities against the list-based ones, the
weighted log-odds against Monroe, Colaresi & Quinn's formula computed by hand, the sampled NMF
against the order of the rows.
"""

from __future__ import annotations

import csv
import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from cityforum.analysis._tagging import (
    CapitalClassifier,
    blend_weight,
    capital_scores,
    inverse_document_frequency,
    lexicon_scores_from_counts,
    lexicon_scores_from_features,
)
from cityforum.analysis.text import (
    LEXICON_DIR,
    SUPPORTED_LANGUAGES,
    FeatureCounter,
    analyse,
    concepts_in,
    stem,
    stem_exceptions,
)
from cityforum.analysis.themes import Themes
from cityforum.analysis.trends import (
    global_trends,
    log_odds_dirichlet,
    prevalence,
    prevalence_counts,
    specificities,
    specificities_from_counts,
    trends_from_counts,
)

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "consultations"


@pytest.fixture(scope="module")
def real_texts() -> tuple[list[str], list[str], list[str]]:
    bcn = DATA / "decidim-barcelona-pam-2016" / "proposals.csv"
    lille = DATA / "grand-debat-lille-metropole-2019" / "contributions.csv"
    if not bcn.exists() or not lille.exists():
        pytest.fail(f"shared data missing under {DATA}")
    with bcn.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))[::6]
    with lille.open(encoding="utf-8", newline="") as handle:
        rows_fr = list(csv.DictReader(handle))[::2]
    texts = [f"{r['title']}. {r['text']}" for r in rows] + [r["text"] for r in rows_fr]
    langs = [r["lang_guess"] for r in rows] + ["fr"] * len(rows_fr)
    regions = [r["district"] or "city" for r in rows] + ["Lille"] * len(rows_fr)
    return texts, langs, regions


# --- Weighted log-odds: the paper's formula on a table small enough to compute by hand ------


def test_log_odds_matches_monroe_colaresi_quinn_computed_by_hand() -> None:
    """Counts y = (10, 5, 1) in the region, y' = (3, 9, 8) elsewhere, α₀ = 10.

    n = 16, n' = 20; the prior α_w = α₀ (y_w + y'_w) / (n + n') = 10 · (13, 14, 9) / 36 =
    (3.6111, 3.8889, 2.5). For the first word:
    δ = ln[(10 + 3.6111) / (16 + 10 − 10 − 3.6111)] − ln[(3 + 3.6111) / (20 + 10 − 3 − 3.6111)]
      = ln(13.6111 / 12.3889) − ln(6.6111 / 23.3889) = 0.094097 + 1.263499 = 1.357596,
    σ² = 1/13.6111 + 1/6.6111 = 0.224730, z = 1.357596 / 0.474057 = 2.863783.
    For the third: δ = ln(3.5 / 22.5) − ln(10.5 / 19.5) = −1.241713, σ² = 1/3.5 + 1/10.5 =
    0.380952, z = −2.011805.
    """
    delta, z = log_odds_dirichlet(np.array([10.0, 5, 1]), np.array([3.0, 9, 8]), alpha0=10)
    assert delta == pytest.approx([1.357596, -0.371564, -1.241713], abs=1e-6)
    assert z == pytest.approx([2.863783, -0.852232, -2.011805], abs=1e-6)


def test_specificities_from_counts_equal_the_list_version() -> None:
    rng = np.random.default_rng(0)
    regions = [f"r{i % 4}" for i in range(800)]
    items = [
        ["water"] * int(rng.integers(0, 3)) + ["housing"]
        + (["heritage"] if r == "r2" and rng.random() < 0.6 else [])
        for r in regions
    ]  # fmt: skip
    listed = specificities(items, regions)
    names, keys = sorted(set(regions)), ["heritage", "housing", "water"]
    counts = np.array([[sum(it.count(k) for it, r in zip(items, regions, strict=True)
                        if r == name) for k in keys] for name in names])  # fmt: skip
    counted = specificities_from_counts(counts, keys, names)
    assert [(s.region, s.key, s.count, s.count_rest) for s in counted] == [
        (s.region, s.key, s.count, s.count_rest) for s in listed
    ]
    assert [s.z for s in counted] == pytest.approx([s.z for s in listed])
    assert ("r2", "heritage") in {(s.region, s.key) for s in counted}
    assert specificities_from_counts(counts[:1], keys, names[:1]) == []


def test_trends_from_counts_equal_the_prevalence_version() -> None:
    rng = np.random.default_rng(1)
    regions = [f"r{i % 5}" for i in range(1000)]
    member = rng.random((1000, 3)) < np.array([0.4, 0.05, 0.2])
    member[:, 1] |= np.array([r == "r1" for r in regions]) & (rng.random(1000) < 0.5)
    listed = global_trends(prevalence(member, regions))
    names, codes = np.unique(regions, return_inverse=True)
    a, n = prevalence_counts(member, codes, len(names))
    counted = trends_from_counts(a, n, names.tolist(), list(range(3)))
    for x, y in zip(counted, listed, strict=True):
        assert (x.key, x.regions_present, x.regions_absent, x.is_global) == (
            y.key, y.regions_present, y.regions_absent, y.is_global,
        )  # fmt: skip
        assert x.overall == pytest.approx(y.overall) and x.evenness == pytest.approx(y.evenness)
    assert [t.is_global for t in counted] == [True, True, False]


# --- The feature counter is analyse(), only faster ------------------------------------------


def _row_features(counter: FeatureCounter, counts: object, i: int) -> Counter[str]:
    row = counts.getrow(i)  # type: ignore[attr-defined]
    pairs = zip(row.indices, row.data, strict=True)
    return Counter({counter.feature_names_[j]: int(v) for j, v in pairs})


def test_the_feature_counter_gives_the_features_of_analyse(real_texts) -> None:
    texts, langs, _ = real_texts
    odd = ["Wasser für alle http://x.org/a 12 ab_cd a_b_12 l·l", "", "  ", "ÉCOLE école Ecole"]
    texts, langs = texts + odd * 3, langs + ["fr"] * 4 + ["und"] * 4 + ["ca"] * 4
    counter = FeatureCounter()
    counts = counter.counts(texts, langs)
    assert counts.shape == (len(texts), len(counter.feature_names_))
    for i, (text, lang) in enumerate(zip(texts, langs, strict=True)):
        assert _row_features(counter, counts, i) == Counter(analyse(text, lang)[0]), text


def test_unsupported_languages_are_kept_unstemmed_and_long_texts_truncated() -> None:
    counter = FeatureCounter(max_chars=100)
    counts = counter.counts(["Die Wohnungen sind teuer", "arbres " * 1000], ["und", "ca"])
    assert set(_row_features(counter, counts, 0)) == {
        "und:die", "und:wohnungen", "und:sind", "und:teuer",
    }  # fmt: skip
    assert sum(_row_features(counter, counts, 1).values()) == 100 // len("arbres ") + 1
    assert counter.truncated_ == 1
    assert counter.surfaces()["ca:arbr"] == "arbres"


def test_stem_exceptions_stop_unrelated_words_from_matching_a_concept() -> None:
    # Snowball's Catalan stemmer turns "estar", "estació" and "estiu" into "est"
    assert stem("estació", "ca") == "=estacio" and "estacio" in stem_exceptions("ca")
    assert concepts_in("Cal estar a l'estació a l'estiu", "ca") == []
    assert concepts_in("Donar veu a les dones", "ca") == ["women"]
    assert concepts_in("Il faut donner des données ouvertes", "fr") == ["transparency"]


def test_stem_exception_files_are_words_with_the_term_they_were_taken_for() -> None:
    for language in SUPPORTED_LANGUAGES:
        path = LEXICON_DIR / "stem_exceptions" / f"{language}.txt"
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                words, _, reason = line.partition("#")
                assert words.split() and reason.strip(), line


def test_no_lexicon_term_has_a_number_only_word() -> None:
    """Numbers are removed from texts: "zone 30" would have matched every "zone"."""
    with (LEXICON_DIR / "concepts.tsv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))[1:]
    for row in rows:
        for cell in row[2:]:
            for term in filter(None, cell.split("|")):
                assert not any(w.isdigit() for w in term.replace("-", " ").split()), term


# --- Themes on a sample, projected in chunks --------------------------------------------------


def test_sampled_themes_do_not_depend_on_the_order_of_the_rows(real_texts) -> None:
    texts, langs, _ = real_texts
    counter = FeatureCounter()
    counts = counter.counts(texts, langs)
    names = list(counter.feature_names_)
    fitted = Themes(n_themes=6, sample_size=500).fit_counts(counts, names, langs)
    assert fitted.sampled_ == 500 < len(texts)
    assert fitted.doc_theme_.shape == (len(texts), 6)
    order = np.random.default_rng(2).permutation(len(texts))
    shuffled = Themes(n_themes=6, sample_size=500).fit_counts(
        counts[order], names, [langs[i] for i in order]
    )
    assert np.allclose(shuffled.components_, fitted.components_, atol=1e-6)
    assert np.array_equal(shuffled.memberships_, fitted.memberships_[order])


def test_fit_and_fit_counts_agree(real_texts) -> None:
    texts, langs, regions = real_texts
    by_text = Themes(n_themes=5).fit(texts, langs, regions)
    counter = FeatureCounter()
    counts = counter.counts(texts, langs)
    by_counts = Themes(n_themes=5).fit_counts(
        counts, counter.feature_names_, langs, regions, counter.surfaces()
    )
    assert by_counts.feature_names_ == by_text.feature_names_
    assert np.allclose(by_counts.components_, by_text.components_)
    assert by_counts.labels_ == by_text.labels_ and by_counts.quotes_ == by_text.quotes_
    assert all(
        Counter(f) == _row_features(counter, counts, i) for i, f in enumerate(by_text.features_)
    )


# --- Capital scores ---------------------------------------------------------------------------


def test_lexicon_scores_weigh_concepts_by_tf_idf(real_texts) -> None:
    texts, langs, _ = real_texts
    counter = FeatureCounter()
    counts = counter.counts(texts, langs)
    scores = lexicon_scores_from_counts(
        counts, counter.feature_names_, inverse_document_frequency(counts)
    )
    assert np.allclose(scores, capital_scores(texts, langs))
    feats = [analyse(t, lang)[0] for t, lang in zip(texts, langs, strict=True)]
    assert np.allclose(scores, lexicon_scores_from_features(feats))
    assert np.allclose(scores.sum(axis=1)[scores.sum(axis=1) > 0], 1)
    idf = inverse_document_frequency(counts)
    assert idf[counter.vocabulary_["c:neighbourhood"]] < idf[counter.vocabulary_["c:water"]]


def test_the_classifier_on_counts_equals_the_classifier_on_texts(real_texts) -> None:
    texts, langs, _ = real_texts
    capitals = ["environmental" if "c:public_space" in analyse(t, lang)[0] else "human"
                for t, lang in zip(texts, langs, strict=True)]  # fmt: skip
    on_texts = CapitalClassifier().fit(texts[:600], langs[:600], capitals[:600])
    counter = FeatureCounter()
    counts = counter.counts(texts, langs)
    on_counts = CapitalClassifier().fit_counts(
        counts[:600], counter.feature_names_, texts[:600], capitals[:600]
    )
    expected = on_texts.predict_proba(texts[600:], langs[600:])
    got = on_counts.predict_proba_counts(counts[600:], counter.feature_names_, texts[600:])
    assert np.allclose(got, expected)
    hits = np.mean(
        np.array(["human", "social", "economic", "cultural", "environmental"])[got.argmax(1)]
        == np.array(capitals[600:])
    )
    assert hits > 0.9


def test_the_blend_weight_grows_with_confirmed_tags() -> None:
    assert blend_weight(0) == blend_weight(19) == 0.0
    assert blend_weight(100) == 0.5 and blend_weight(900) == 0.9
    assert math.isclose(blend_weight(20), 20 / 120)
