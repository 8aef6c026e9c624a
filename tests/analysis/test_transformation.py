"""Suggesting a recommendation's line of transformation (advocacy, financing, capacity building,
implementation) and its capitals, in French, English and Spanish (Catalan and Portuguese cues too).

The sentences below are written for these tests, not taken from the evaluation set in
``bench/data/recommendations`` (which the bench measures), so the tests do not grade the lexicon
on the sentences it was reviewed against.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold, cross_val_score

from cityforum.analysis.transformation import (
    LINES,
    CueLexiconError,
    LineClassifier,
    blended_line_scores,
    cues,
    lexicon_line_scores,
    read_cues,
    suggest_line,
    suggest_recommendation,
    train_line_classifier,
)

EVALUATION = (
    Path(__file__).resolve().parents[2]
    / "bench"
    / "data"
    / "recommendations"
    / "recommendations.csv"
)

CLEAR = [
    (
        "fr",
        "Créer un fonds national pour financer les investissements des villes intermédiaires.",
        "financing",
    ),
    ("en", "Municipal budgets should receive a fair share of national tax revenue.", "financing"),
    (
        "es",
        "Aumentar el presupuesto municipal con una tasa sobre los grandes eventos.",
        "financing",
    ),
    (
        "fr",
        "Organiser des formations pour les agents municipaux sur la gestion des déchets.",
        "capacity_building",
    ),
    (
        "en",
        "Train local officials and share knowledge through peer exchanges between cities.",
        "capacity_building",
    ),
    (
        "es",
        "Ofrecer cursos de formación a los técnicos municipales sobre energía.",
        "capacity_building",
    ),
    (
        "fr",
        "Plaider pour la reconnaissance des villes intermédiaires dans la loi nationale.",
        "advocacy",
    ),
    (
        "en",
        "Call on the G20 to recognise the role of intermediary cities and give them a voice.",
        "advocacy",
    ),
    ("es", "Reclamar una ley que reconozca el derecho a la ciudad.", "advocacy"),
    (
        "fr",
        "Construire des pistes cyclables et mettre en place un réseau de bus électriques.",
        "implementation",
    ),
    (
        "en",
        "Build social housing and provide basic services in informal settlements.",
        "implementation",
    ),
    (
        "es",
        "Construir un carril bici y ampliar el servicio de transporte público.",
        "implementation",
    ),
]


@pytest.mark.parametrize(("language", "text", "line"), CLEAR)
def test_a_plain_recommendation_gets_its_line_first(language: str, text: str, line: str) -> None:
    ranked = suggest_line(text, language)
    assert [name for name, _ in ranked][0] == line
    assert sorted(name for name, _ in ranked) == sorted(LINES)
    assert sum(score for _, score in ranked) == pytest.approx(1.0)
    assert [s for _, s in ranked] == sorted((s for _, s in ranked), reverse=True)


def test_catalan_and_portuguese_cues_are_read() -> None:
    assert (
        suggest_line("Augmentar el pressupost municipal i les subvencions.", "ca")[0][0]
        == "financing"
    )
    assert (
        suggest_line("Oferecer cursos de capacitação aos técnicos.", "pt")[0][0]
        == "capacity_building"
    )


def test_every_line_has_cues_in_every_forum_language() -> None:
    table = cues()
    for language in ("fr", "en", "es", "ca", "pt"):
        assert {cue.line for cue in table[language]} == set(LINES), language


def test_nothing_known_suggests_nothing_rather_than_a_guess() -> None:
    ranked = suggest_line("Bonjour à toutes et à tous.", "fr")
    assert [name for name, _ in ranked] == list(LINES)
    assert all(score == 0 for _, score in ranked)
    suggestion = suggest_recommendation("Bonjour à toutes et à tous.", "fr")
    assert suggestion.line is None


def test_without_a_language_it_detects_one_or_uses_every_language() -> None:
    assert (
        suggest_line("Il faut augmenter les subventions et le budget des communes.")[0][0]
        == "financing"
    )
    # "xx" is no language of the forum: every language's cues are used.
    assert suggest_line("Construir un carril bici.", "xx")[0][0] == "implementation"


def test_a_whole_word_cue_does_not_match_a_longer_word() -> None:
    # "loi=" is whole-word: "loisirs" (leisure) is no law.
    assert lexicon_line_scores("Des loisirs pour tous.", "fr")[LINES.index("advocacy")] == 0
    assert lexicon_line_scores("Changer la loi.", "fr")[LINES.index("advocacy")] > 0


def test_a_phrase_cue_needs_its_words_in_order() -> None:
    implementation = LINES.index("implementation")
    assert lexicon_line_scores("Mettre en place un guichet unique.", "fr")[implementation] > 0
    assert lexicon_line_scores("Place: mettre un guichet en bas.", "fr")[implementation] == 0


def test_recommendation_suggestion_carries_at_most_two_capitals() -> None:
    suggestion = suggest_recommendation(
        "Financer la protection de l'eau, des rivières et de la biodiversité face au climat.", "fr"
    )
    assert suggestion.line == "financing"
    assert 1 <= len(suggestion.capitals) <= 2
    assert suggestion.capitals[0] == "environmental"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("line\tlanguage\tweight\tcues\nlobbying\ten\t1\tlobby\n", "unknown line"),
        ("line\tlanguage\tweight\tcues\nadvocacy\tde\t1\trecht\n", "unsupported language"),
        ("line\tlanguage\tweight\tcues\nadvocacy\tfr\t1\tDroit\n", "folded lower case"),
        ("line\tlanguage\tweight\tcues\nadvocacy\tfr\theavy\tdroit\n", "weight"),
        ("line\tlanguage\tweight\tcues\nadvocacy\tfr\t1\n", "4 columns"),
        ("cue\tline\n", "header"),
    ],
)
def test_a_malformed_cue_file_is_refused_naming_the_row(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "cues.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CueLexiconError, match=message):
        read_cues(path)


def _small_training_set() -> tuple[list[tuple[str, str]], list[str]]:
    X = [(text, language) for language, text, _ in CLEAR] * 2
    y = [line for _, _, line in CLEAR] * 2
    return X, y


def test_the_classifier_follows_the_scikit_learn_contract() -> None:
    X, y = _small_training_set()
    model = LineClassifier(C=3.0)
    assert clone(model).get_params()["C"] == 3.0
    fitted = model.fit(X, y)
    assert fitted is model
    proba = model.predict_proba(X[:3])
    assert proba.shape == (3, len(LINES))
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert list(model.predict(X[:12])) == y[:12]


def test_a_line_never_confirmed_gets_probability_zero() -> None:
    X, y = _small_training_set()
    kept = [i for i, line in enumerate(y) if line != "advocacy"]
    model = LineClassifier().fit([X[i] for i in kept], [y[i] for i in kept])
    assert np.all(model.predict_proba(["Reclamar una ley."])[:, LINES.index("advocacy")] == 0)


def test_the_classifier_refuses_unknown_or_single_lines() -> None:
    with pytest.raises(ValueError, match="unknown lines"):
        LineClassifier().fit(["a text", "another"], ["advocacy", "lobbying"])
    with pytest.raises(ValueError, match="two different lines"):
        LineClassifier().fit(["a text", "another"], ["advocacy", "advocacy"])


def test_few_confirmed_lines_leave_the_lexicon_alone() -> None:
    X, y = _small_training_set()  # 24 confirmed lines: the classifier starts to count at 20
    few = LineClassifier().fit(X[:12], y[:12])
    texts = [text for text, _ in X[:4]]
    langs = [language for _, language in X[:4]]
    assert np.allclose(blended_line_scores(texts, langs, few), blended_line_scores(texts, langs))
    more = LineClassifier().fit(X, y)
    assert not np.allclose(
        blended_line_scores(texts, langs, more), blended_line_scores(texts, langs)
    )


def test_suggest_line_uses_a_trained_classifier_where_the_cues_are_silent() -> None:
    X, y = _small_training_set()
    model = LineClassifier().fit(X, y)
    # No cue in this sentence: the classifier alone decides, and it ranks all four lines.
    ranked = suggest_line("Des ateliers pour les élus locaux.", "fr", classifier=model)
    assert ranked[0][1] > 0
    assert sum(score for _, score in ranked) == pytest.approx(1.0)


def test_the_evaluation_set_is_kept_and_well_formed() -> None:
    with EVALUATION.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) >= 300
    assert {r["language"] for r in rows} == {"fr", "en", "es"}
    for language in ("fr", "en", "es"):
        per_line = {line: 0 for line in LINES}
        for r in rows:
            if r["language"] == language:
                per_line[r["line"]] += 1
        assert min(per_line.values()) >= 15, (language, per_line)
    for r in rows:
        capitals = r["capitals"].split()
        assert 1 <= len(capitals) <= 2
        assert set(capitals) <= {"human", "social", "economic", "cultural", "environmental"}
        assert r["source"] and r["source_ref"] and r["text"].strip()
    assert len({r["id"] for r in rows}) == len(rows)


def test_cross_validation_runs_on_the_estimator() -> None:
    with EVALUATION.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))[::3]
    X = [(r["text"], r["language"]) for r in rows]
    y = [r["line"] for r in rows]
    scores = cross_val_score(
        LineClassifier(),
        X,
        y,
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
        scoring="f1_macro",
    )
    assert scores.shape == (3,)
    assert np.all(scores > 0.25)  # four balanced-weight classes: chance is about 0.25


def test_the_platform_trains_a_classifier_only_once_it_would_count() -> None:
    X, y = _small_training_set()
    texts = [text for text, _ in X]
    langs = [language for _, language in X]
    assert train_line_classifier(texts[:12], langs[:12], y[:12]) is None  # under 20
    assert train_line_classifier(texts, langs, ["advocacy"] * len(texts)) is None  # one line
    model = train_line_classifier(texts, langs, y)
    assert model is not None and model.n_confirmed_ == len(texts)
    assert suggest_line(texts[0], langs[0], classifier=model)[0][0] == y[0]
