"""Suggest the line of transformation (and the capitals) of a recommendation while it is written.

The concept note names four **lines of transformation** for the forum's output — advocacy,
financing, capacity building, implementation (*plaidoyer, financement, renforcement des
capacités, mise en œuvre*). A person drafting a recommendation picks one; this module suggests
it, never imposes it, the same way :mod:`cityforum.analysis.capitals` suggests capitals.

**Lexicon score** of line ``l``: the sum over the cues of ``l`` found in the text of the cue's
weight times ``1 + ln(count)``. Cues are reviewed by hand in
``lexicon/transformation.tsv`` (French, English, Spanish, Catalan, Portuguese): accent-folded
word prefixes ("financ" finds *financing*, *financement*, *financiación*), whole words
("loi=") where a prefix would catch unrelated words, and short phrases ("mettre en place").
A recommendation's line is carried by its verb and its object far more than by its topic, so a
few hundred cues go a long way; what they miss (a "campaign *of road-safety education*" is
capacity building, not advocacy) is what the classifier learns.

**Classifier**: :class:`LineClassifier`, a scikit-learn estimator (``fit``/``predict_proba``,
``get_params``, clonable, usable in ``cross_val_score``) — a logistic model with balanced class
weights on TF-IDF of accent-folded words and word pairs, of character 2–5-grams within words
(robust to the typos of real proposals and shared across the Romance languages), and of the
lexicon scores. It is trained on lines that people confirmed. :func:`suggest_line` blends it
with the lexicon with the weight of :func:`cityforum.analysis.capitals.blend_weight`, which grows
with the number of confirmed lines, exactly as for capital tags.

Capitals are suggested by the existing capital tagger (:func:`suggest_recommendation`), at most
two, since a recommendation carries one or two capitals. Measured on a hand-labelled set of
public recommendation sentences by ``bench/bench_recommendation_lines.py``.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.base import BaseEstimator, ClassifierMixin

from cityforum.analysis._tagging import (
    MIN_CONFIRMED,
    blend_weight,
    capital_scores,
    suggest_capitals,
)
from cityforum.analysis.text import (
    LEXICON_DIR,
    MAX_TEXT_CHARS,
    SUPPORTED_LANGUAGES,
    detect_language,
    fold_accents,
    words,
)

FloatArray = NDArray[np.float64]

#: The four lines of transformation, in the order of every score array.
LINES: tuple[str, ...] = ("advocacy", "financing", "capacity_building", "implementation")
#: Where the reviewed cues live.
CUES_PATH = LEXICON_DIR / "transformation.tsv"
#: Most capitals a recommendation carries (the model allows one or two).
MAX_CAPITALS = 2


class CueLexiconError(ValueError):
    """The cue file is malformed (the message names the row)."""


@dataclass(frozen=True)
class Cue:
    """One cue: its words (prefixes, or whole words where ``exact``), line and weight."""

    words: tuple[str, ...]
    exact: bool
    line: str
    weight: float


@dataclass(frozen=True)
class TransformationSuggestion:
    """What to suggest for one recommendation text: lines ranked, and 0–2 capitals."""

    lines: list[tuple[str, float]]
    capitals: list[str]

    @property
    def line(self) -> str | None:
        """The best line, or None when nothing in the text points to one."""
        return self.lines[0][0] if self.lines and self.lines[0][1] > 0 else None


def read_cues(path: Any = CUES_PATH) -> dict[str, tuple[Cue, ...]]:
    """The cues per language, read from ``path`` (a TSV: line, language, weight, cues)."""
    out: dict[str, list[Cue]] = {}
    with open(path, encoding="utf-8", newline="") as handle:
        rows = csv.reader((r for r in handle if not r.startswith("#")), delimiter="\t")
        header = next(rows, None)
        if header != ["line", "language", "weight", "cues"]:
            raise CueLexiconError(f"unexpected header {header!r}")
        for number, row in enumerate(rows, start=2):
            if len(row) != 4:
                raise CueLexiconError(f"row {number}: 4 columns expected, got {len(row)}")
            line, language, weight_text, cues = row
            if line not in LINES:
                raise CueLexiconError(f"row {number}: unknown line {line!r}")
            if language not in SUPPORTED_LANGUAGES:
                raise CueLexiconError(f"row {number}: unsupported language {language!r}")
            try:
                weight = float(weight_text)
            except ValueError as error:
                raise CueLexiconError(f"row {number}: weight {weight_text!r}") from error
            for raw in cues.split("|"):
                cue = raw.strip()
                if not cue or cue != fold_accents(cue):
                    raise CueLexiconError(f"row {number}: cue {raw!r} must be folded lower case")
                exact = cue.endswith("=")
                parts = tuple(cue.rstrip("=").split())
                out.setdefault(language, []).append(Cue(parts, exact, line, weight))
    return {language: tuple(cues) for language, cues in out.items()}


@cache
def cues() -> dict[str, tuple[Cue, ...]]:
    """The reviewed cues of :data:`CUES_PATH`, read once."""
    return read_cues(CUES_PATH)


def _matches(cue: Cue, tokens: Sequence[str]) -> int:
    width = len(cue.words)
    count = 0
    for i in range(len(tokens) - width + 1):
        for j, part in enumerate(cue.words):
            token = tokens[i + j]
            if not (token == part if cue.exact else token.startswith(part)):
                break
        else:
            count += 1
    return count


def _tokens(text: str) -> list[str]:
    return [fold_accents(w) for w in words(text[:MAX_TEXT_CHARS])]


def lexicon_line_scores(text: str, language: str | None = None) -> FloatArray:
    """Lexicon scores of ``text`` in :data:`LINES` order: they sum to 1, or are all 0.

    ``language`` picks that language's cues; None detects it, and an undetectable or
    unsupported language uses every language's cues (a cue rarely means another line in a
    neighbouring language, and a short recommendation is often too short to detect).
    """
    code = (language or "").strip().lower() or detect_language(text[:1000])
    table = cues()
    chosen = table.get(code or "") or tuple(c for group in table.values() for c in group)
    tokens = _tokens(text)
    raw = np.zeros(len(LINES))
    for cue in chosen:
        count = _matches(cue, tokens)
        if count:
            raw[LINES.index(cue.line)] += cue.weight * (1.0 + math.log(count))
    total = raw.sum()
    return raw / total if total > 0 else raw


def lexicon_line_matrix(
    texts: Sequence[str], languages: Iterable[str | None] | None = None
) -> FloatArray:
    """``(n_texts, 4)`` lexicon scores of many texts (see :func:`lexicon_line_scores`)."""
    langs = list(languages) if languages is not None else [None] * len(texts)
    if len(langs) != len(texts):
        raise ValueError(f"{len(texts)} texts but {len(langs)} languages")
    if not texts:
        return np.zeros((0, len(LINES)))
    return np.vstack([lexicon_line_scores(t, lang) for t, lang in zip(texts, langs, strict=True)])


def _split(X: Iterable[Any]) -> tuple[list[str], list[str | None]]:
    """Texts and languages of ``X``: each item a text, or a ``(text, language)`` pair."""
    texts: list[str] = []
    langs: list[str | None] = []
    for item in X:
        if isinstance(item, str):
            texts.append(item)
            langs.append(None)
        else:
            text, language = item
            texts.append(str(text))
            langs.append(language)
    return texts, langs


def _folded(texts: Sequence[str]) -> list[str]:
    return [" ".join(_tokens(t)) for t in texts]


class LineClassifier(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Logistic model from a recommendation's text to its line, trained on confirmed lines.

    ``X`` is a sequence of texts or of ``(text, language)`` pairs (the language picks the
    lexicon's cues; None detects it); ``y`` the confirmed lines. ``lexicon`` adds the lexicon
    scores as features (``lexicon_weight`` scales them against the unit-norm TF-IDF blocks);
    ``char_ngrams`` adds character 2–5-grams. ``C`` is the inverse L2 penalty. Classes are
    weighted by the inverse of their frequency, so a rare line is still predicted.
    """

    def __init__(
        self,
        C: float = 10.0,
        char_ngrams: bool = True,
        lexicon: bool = True,
        lexicon_weight: float = 2.0,
        random_state: int = 0,
    ) -> None:
        self.C = C
        self.char_ngrams = char_ngrams
        self.lexicon = lexicon
        self.lexicon_weight = lexicon_weight
        self.random_state = random_state

    def fit(self, X: Iterable[Any], y: Sequence[str]) -> LineClassifier:
        """Learn from the texts of ``X`` whose confirmed line is ``y[i]``."""
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        texts, langs = _split(X)
        labels = [str(v) for v in y]
        unknown = sorted(set(labels) - set(LINES))
        if unknown:
            raise ValueError(f"unknown lines: {unknown}")
        if len(labels) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(labels)} lines")
        if len(set(labels)) < 2:
            raise ValueError("at least two different lines are needed to learn")
        folded = _folded(texts)
        self.words_ = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1).fit(folded)
        if self.char_ngrams:
            self.chars_ = TfidfVectorizer(
                analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2
            ).fit(folded)
        self.model_ = LogisticRegression(
            C=self.C, class_weight="balanced", max_iter=2000, random_state=self.random_state
        ).fit(self._matrix(folded, texts, langs), labels)
        self.classes_ = self.model_.classes_
        self.n_confirmed_ = len(labels)
        return self

    def _matrix(self, folded: Sequence[str], texts: Sequence[str], langs: Sequence[Any]) -> Any:
        from scipy.sparse import csr_matrix, hstack

        parts = [self.words_.transform(folded)]
        if self.char_ngrams:
            parts.append(self.chars_.transform(folded))
        if self.lexicon:
            parts.append(csr_matrix(self.lexicon_weight * lexicon_line_matrix(texts, langs)))
        return hstack(parts).tocsr()

    def predict_proba(self, X: Iterable[Any]) -> FloatArray:
        """Probabilities ``(n, 4)`` in :data:`LINES` order (0 for a line never seen)."""
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "model_")
        texts, langs = _split(X)
        proba = self.model_.predict_proba(self._matrix(_folded(texts), texts, langs))
        out = np.zeros((len(texts), len(LINES)))
        for j, cls in enumerate(self.model_.classes_):
            out[:, LINES.index(str(cls))] = proba[:, j]
        return out

    def predict(self, X: Iterable[Any]) -> NDArray[Any]:
        """The most probable line of each text."""
        return np.array([LINES[i] for i in self.predict_proba(X).argmax(axis=1)], dtype=object)


def train_line_classifier(
    texts: Sequence[str], languages: Sequence[str | None], lines: Sequence[str]
) -> LineClassifier | None:
    """A :class:`LineClassifier` on the confirmed lines of ``texts`` — the platform passes its
    consulted and adopted recommendations — or None while it would not count in the blend
    (fewer than ``MIN_CONFIRMED`` lines, or a single line among them)."""
    if len(texts) < MIN_CONFIRMED or len(set(lines)) < 2:
        return None
    return LineClassifier().fit(list(zip(texts, languages, strict=True)), list(lines))


def blended_line_scores(
    texts: Sequence[str],
    languages: Iterable[str | None] | None = None,
    classifier: LineClassifier | None = None,
) -> FloatArray:
    """``(n, 4)`` line scores: the lexicon's, blended with ``classifier``'s when given.

    The classifier weighs :func:`blend_weight` of its number of confirmed lines (0 below 20);
    where the lexicon finds nothing, the classifier alone decides.
    """
    langs = list(languages) if languages is not None else [None] * len(texts)
    lexical = lexicon_line_matrix(texts, langs)
    if classifier is None:
        return lexical
    weight = blend_weight(int(getattr(classifier, "n_confirmed_", 0)))
    if weight == 0:
        return lexical
    learned = classifier.predict_proba(list(zip(texts, langs, strict=True)))
    known = lexical.sum(axis=1, keepdims=True) > 0
    mixed = np.where(known, (1 - weight) * lexical + weight * learned, learned)
    totals = mixed.sum(axis=1, keepdims=True)
    out: FloatArray = np.divide(mixed, totals, out=np.zeros_like(mixed), where=totals > 0)
    return out


def _ranked(scores: FloatArray) -> list[tuple[str, float]]:
    order = np.argsort(-scores, kind="stable")
    return [(LINES[i], float(scores[i])) for i in order]


def suggest_line(
    text: str, language: str | None = None, *, classifier: LineClassifier | None = None
) -> list[tuple[str, float]]:
    """The four lines ranked for ``text``, best first, with scores summing to 1.

    All scores are 0 (lines in :data:`LINES` order) when neither the cues nor a classifier
    know anything about the text: the page then suggests nothing rather than a guess.
    """
    return _ranked(blended_line_scores([text], [language], classifier)[0])


def suggest_recommendation(
    text: str, language: str | None = None, *, classifier: LineClassifier | None = None
) -> TransformationSuggestion:
    """Line ranking (:func:`suggest_line`) and up to two capitals from the capital tagger."""
    capital_part = capital_scores([text], [language])[0]
    return TransformationSuggestion(
        lines=suggest_line(text, language, classifier=classifier),
        capitals=suggest_capitals(capital_part, top=MAX_CAPITALS),
    )


__all__ = [
    "CUES_PATH",
    "LINES",
    "MAX_CAPITALS",
    "Cue",
    "CueLexiconError",
    "LineClassifier",
    "TransformationSuggestion",
    "blended_line_scores",
    "cues",
    "lexicon_line_matrix",
    "lexicon_line_scores",
    "read_cues",
    "suggest_line",
    "suggest_recommendation",
    "train_line_classifier",
]
