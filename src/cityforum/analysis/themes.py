"""Themes across languages: NMF on TF-IDF over concepts and remaining stems (synthesis.md §2).

Concepts are shared by all languages (``c:water``); words no concept covers stay as
language-tagged stems (``ca:hab``), so they can only join themes in their own language. NMF with
the deterministic NNDSVD initialisation keeps themes identical for a given ``random_state`` and
stable when rows are shuffled. Quotes are indices of the original texts: never generated text.
"""

from __future__ import annotations

import warnings
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cityforum.analysis.text import CONCEPT_PREFIX, analyse, lexicon, resolve_languages

FloatArray = NDArray[np.float64]
LABEL_LANGUAGES = ("fr", "en", "es")


def _identity(tokens: list[str]) -> list[str]:
    return tokens


class Themes:
    """scikit-learn style topic model. ``Themes(n_themes=20, random_state=0).fit(texts, langs)``.

    Learned: ``languages_``, ``feature_names_``, ``components_`` (themes × features),
    ``doc_theme_`` (texts × themes, W), ``shares_`` (rows of W normalised), ``memberships_``
    (share ≥ ``tau``), ``sizes_``, ``top_terms_``, ``labels_`` (fr/en/es), ``quotes_`` (text
    indices, original language), ``features_`` (each text's features).
    """

    def __init__(
        self,
        n_themes: int = 20,
        random_state: int = 0,
        min_df: int = 5,
        max_df: float = 0.5,
        tau: float = 0.3,
        n_terms: int = 10,
        n_quotes: int = 5,
        max_iter: int = 300,
    ) -> None:
        self.n_themes = n_themes
        self.random_state = random_state
        self.min_df = min_df
        self.max_df = max_df
        self.tau = tau
        self.n_terms = n_terms
        self.n_quotes = n_quotes
        self.max_iter = max_iter

    def fit(
        self,
        texts: Sequence[str],
        languages: Iterable[str | None] | None = None,
        regions: Sequence[str] | None = None,
    ) -> Themes:
        """Fit on ``texts`` (languages detected where None); ``regions`` spread the quotes."""
        from sklearn.decomposition import NMF
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.feature_extraction.text import TfidfVectorizer

        if len(texts) == 0:
            raise ValueError("an empty corpus has no themes")
        if regions is not None and len(regions) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(regions)} regions")
        self.languages_ = resolve_languages(texts, languages)
        analysed = [analyse(t, lang) for t, lang in zip(texts, self.languages_, strict=False)]
        self.features_ = [a[0] for a in analysed]
        surfaces: dict[str, Counter[str]] = defaultdict(Counter)
        for feats, words in analysed:
            for f, w in zip(feats, words, strict=False):
                if not f.startswith(CONCEPT_PREFIX):
                    surfaces[f][w] += 1
        min_df = min(self.min_df, max(1, len(texts) // 10))
        self.vectorizer_ = TfidfVectorizer(
            analyzer=_identity, sublinear_tf=True, min_df=min_df, max_df=self.max_df
        )
        try:
            X = self.vectorizer_.fit_transform(self.features_)
        except ValueError as error:
            raise ValueError(f"too few shared words to find themes: {error}") from error
        self.feature_names_ = [str(f) for f in self.vectorizer_.get_feature_names_out()]
        k = max(1, min(self.n_themes, X.shape[0] - 1, X.shape[1] - 1))
        self.model_ = NMF(
            n_components=k,
            init="nndsvd",
            random_state=self.random_state,
            max_iter=self.max_iter,
            tol=1e-4,
        )
        with warnings.catch_warnings():  # the iteration cap is reported in ``converged_``
            warnings.simplefilter("ignore", ConvergenceWarning)
            W = np.asarray(self.model_.fit_transform(X), dtype=np.float64)
        self.converged_ = bool(self.model_.n_iter_ < self.max_iter)
        self.components_ = np.asarray(self.model_.components_, dtype=np.float64)
        self.doc_theme_ = W
        totals = W.sum(axis=1, keepdims=True)
        self.shares_ = np.divide(W, totals, out=np.zeros_like(W), where=totals > 0)
        self.memberships_ = self.shares_ >= self.tau
        self.sizes_ = self.memberships_.sum(axis=0).astype(np.int64)
        self.top_terms_ = [self._top_terms(row, surfaces) for row in self.components_]
        self.labels_ = [self._label(row, surfaces) for row in self.components_]
        self.quotes_ = [self._quotes(j, regions) for j in range(k)]
        return self

    def _display(self, feature: str, language: str, surfaces: dict[str, Counter[str]]) -> str:
        if feature.startswith(CONCEPT_PREFIX):
            return lexicon().concepts[feature[len(CONCEPT_PREFIX) :]].name(language)
        common = surfaces.get(feature)
        word = common.most_common(1)[0][0] if common else feature.split(":", 1)[1]
        return f"{word} ({feature.split(':', 1)[0]})"

    def _top_terms(self, row: FloatArray, surfaces: dict[str, Counter[str]]) -> list[str]:
        order = np.argsort(-row, kind="stable")[: self.n_terms]
        return [self.feature_names_[i] for i in order if row[i] > 0]

    def _label(self, row: FloatArray, surfaces: dict[str, Counter[str]]) -> dict[str, str]:
        order = [i for i in np.argsort(-row, kind="stable") if row[i] > 0]
        concepts = [i for i in order if self.feature_names_[i].startswith(CONCEPT_PREFIX)][:3]
        chosen = concepts or order[:3]
        return {
            lang: " · ".join(self._display(self.feature_names_[i], lang, surfaces) for i in chosen)
            for lang in LABEL_LANGUAGES
        }

    def _quotes(self, j: int, regions: Sequence[str] | None) -> list[int]:
        share, weight = self.shares_[:, j], self.doc_theme_[:, j]
        order = np.lexsort((np.arange(len(share)), -weight, -share))
        candidates = [int(i) for i in order[: self.n_quotes * 20] if share[i] > 0]
        chosen: list[int] = []
        per_region: Counter[str] = Counter()
        seen_languages: set[str] = set()
        for first_pass in (True, False):  # first one per language, then the best of the rest
            for i in candidates:
                if len(chosen) >= self.n_quotes or i in chosen:
                    continue
                region = regions[i] if regions is not None else ""
                if regions is not None and per_region[region] >= 2:
                    continue
                if first_pass and self.languages_[i] in seen_languages:
                    continue
                chosen.append(i)
                per_region[region] += 1
                seen_languages.add(self.languages_[i])
        return sorted(chosen, key=lambda i: (-share[i], -weight[i], i))

    def transform(
        self, texts: Sequence[str], languages: Iterable[str | None] | None = None
    ) -> FloatArray:
        """Theme weights of new texts (W), with the fitted vocabulary and themes."""
        langs = resolve_languages(texts, languages)
        X = self.vectorizer_.transform(
            [analyse(t, lang)[0] for t, lang in zip(texts, langs, strict=False)]
        )
        return np.asarray(self.model_.transform(X), dtype=np.float64)

    def summary(self) -> list[dict[str, Any]]:
        """One dict per theme: id, labels, terms, size and quote indices."""
        return [
            {
                "id": j,
                "labels": self.labels_[j],
                "terms": self.top_terms_[j],
                "size": int(self.sizes_[j]),
                "quotes": self.quotes_[j],
            }
            for j in range(len(self.labels_))
        ]
