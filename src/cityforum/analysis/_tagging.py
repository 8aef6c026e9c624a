"""Capital tags: a score per capital for every text (synthesis.md §5).

The lexicon score of capital ``c`` sums, over the concepts of ``c`` named in a text, a sublinear
term frequency (``1 + ln count``); a concept's first capital counts fully, its second half.
A :class:`CapitalClassifier` (logistic regression on the same features) learns from tags that
people confirmed, and :func:`blend_scores` mixes both. Scores sum to 1 per text, or are all zero
when nothing is known. The top capitals are suggested, never imposed.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
from numpy.typing import NDArray

from cityforum.analysis.text import (
    CAPITAL_NAMES,
    CONCEPT_PREFIX,
    features,
    lexicon,
    resolve_languages,
)

FloatArray = NDArray[np.float64]
#: Weight of a concept's second capital relative to its first.
SECONDARY_WEIGHT = 0.5


def _concept_weights() -> dict[str, FloatArray]:
    weights = {}
    for cid, concept in lexicon().concepts.items():
        row = np.zeros(len(CAPITAL_NAMES))
        for rank, capital in enumerate(concept.capitals):
            row[CAPITAL_NAMES.index(capital)] += 1.0 if rank == 0 else SECONDARY_WEIGHT
        weights[CONCEPT_PREFIX + cid] = row
    return weights


def _normalised(raw: FloatArray) -> FloatArray:
    totals = raw.sum(axis=1, keepdims=True)
    out: FloatArray = np.divide(raw, totals, out=np.zeros_like(raw), where=totals > 0)
    return out


def lexicon_scores_from_features(feature_lists: Iterable[Sequence[str]]) -> FloatArray:
    """Lexicon capital scores (rows sum to 1, or 0) for already-analysed texts."""
    weights = _concept_weights()
    rows = []
    for feats in feature_lists:
        row = np.zeros(len(CAPITAL_NAMES))
        counts = Counter(f for f in feats if f.startswith(CONCEPT_PREFIX))
        for feat, count in counts.items():
            row += (1.0 + math.log(count)) * weights[feat]
        rows.append(row)
    raw = np.array(rows, dtype=np.float64).reshape(-1, len(CAPITAL_NAMES))
    return _normalised(raw)


def capital_scores(
    texts: Sequence[str], languages: Iterable[str | None] | None = None
) -> FloatArray:
    """Array ``(n_texts, 5)`` of lexicon capital scores, columns in :data:`CAPITAL_NAMES` order."""
    langs = resolve_languages(texts, languages)
    return lexicon_scores_from_features(
        features(t, lang) for t, lang in zip(texts, langs, strict=False)
    )


def suggest_capitals(
    scores: Sequence[float] | FloatArray, top: int = 3, min_share: float = 0.2
) -> list[str]:
    """The capitals to suggest for one text: at most ``top``, each with at least ``min_share``."""
    values = np.asarray(scores, dtype=np.float64)
    order = np.argsort(-values, kind="stable")[:top]
    return [CAPITAL_NAMES[i] for i in order if values[i] >= min_share and values[i] > 0]


def blend_scores(
    lexicon_part: FloatArray, classifier_part: FloatArray, weight: float
) -> FloatArray:
    """``(1 − weight)·lexicon + weight·classifier`` row-wise, re-normalised; rows where the
    lexicon knows nothing take the classifier's scores alone."""
    if not 0.0 <= weight <= 1.0:
        raise ValueError("weight must lie in [0, 1]")
    known = lexicon_part.sum(axis=1, keepdims=True) > 0
    mixed = np.where(known, (1 - weight) * lexicon_part + weight * classifier_part, classifier_part)
    return _normalised(mixed)


class CapitalClassifier:
    """Logistic regression from text features (concepts + stems, TF-IDF) and lexicon scores
    to one capital per text, trained on tags people confirmed (or any labelled text)."""

    def __init__(self, C: float = 4.0, random_state: int = 0) -> None:
        self.C = C
        self.random_state = random_state

    def _matrix(self, feature_lists: list[list[str]], fit: bool) -> object:
        from scipy.sparse import csr_matrix, hstack

        if fit:
            from sklearn.feature_extraction.text import TfidfVectorizer

            self.vectorizer_ = TfidfVectorizer(analyzer=lambda x: x, sublinear_tf=True, min_df=2)
            words = self.vectorizer_.fit_transform(feature_lists)
        else:
            words = self.vectorizer_.transform(feature_lists)
        lex = csr_matrix(lexicon_scores_from_features(feature_lists))
        return hstack([words, lex]).tocsr()

    def fit(
        self, texts: Sequence[str], languages: Iterable[str | None] | None, capitals: Sequence[str]
    ) -> CapitalClassifier:
        """Learn from ``texts`` whose confirmed capital is ``capitals[i]``."""
        from sklearn.linear_model import LogisticRegression

        unknown = set(capitals) - set(CAPITAL_NAMES)
        if unknown:
            raise ValueError(f"unknown capitals: {sorted(unknown)}")
        langs = resolve_languages(texts, languages)
        feats = [features(t, lang) for t, lang in zip(texts, langs, strict=False)]
        self.model_ = LogisticRegression(C=self.C, max_iter=2000, random_state=self.random_state)
        self.model_.fit(self._matrix(feats, fit=True), list(capitals))
        return self

    def predict_proba(
        self, texts: Sequence[str], languages: Iterable[str | None] | None = None
    ) -> FloatArray:
        """Probabilities ``(n_texts, 5)`` in :data:`CAPITAL_NAMES` order (0 for unseen classes)."""
        langs = resolve_languages(texts, languages)
        feats = [features(t, lang) for t, lang in zip(texts, langs, strict=False)]
        proba = np.asarray(self.model_.predict_proba(self._matrix(feats, fit=False)))
        out = np.zeros((len(texts), len(CAPITAL_NAMES)))
        for j, cls in enumerate(self.model_.classes_):
            out[:, CAPITAL_NAMES.index(str(cls))] = proba[:, j]
        return out
