"""Themes across languages: NMF on TF-IDF over concepts and remaining stems (synthesis.md §2).

Concepts are shared by all languages (``c:water``); words no concept covers stay as
language-tagged stems (``ca:hab``), so they can only join themes in their own language. NMF with
the deterministic NNDSVD initialisation keeps themes identical for a given ``random_state`` and
stable when rows are shuffled. Quotes are indices of the original texts: never generated text.

Large corpora: the NMF is fitted on a sample of at most ``sample_size`` distinct texts (chosen
and ordered by a hash of each text's features, so the same matrix is fitted whatever the order
of the rows) and every text is
then projected on the fitted themes in chunks (:meth:`Themes.fit_counts`). Below
``sample_size`` texts the NMF sees them all, exactly as before.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cityforum.analysis.text import (
    CONCEPT_PREFIX,
    FeatureCounter,
    lexicon,
    resolve_languages,
)

FloatArray = NDArray[np.float64]
LABEL_LANGUAGES = ("fr", "en", "es")
#: Rows projected at once on the fitted themes (bounds the memory of the TF-IDF copy).
CHUNK_ROWS = 50_000


def tfidf_columns(counts: Any, min_df: int, max_df: float) -> NDArray[np.int64]:
    """Columns of ``counts`` kept as features: in at least ``min_df`` texts and at most
    ``max_df`` of them (``TfidfVectorizer``'s rule); raises ``ValueError`` when none is left."""
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    high = max_df * counts.shape[0] if isinstance(max_df, float) else max_df
    keep = np.flatnonzero((df >= min_df) & (df <= high))
    if keep.size == 0:
        raise ValueError("After pruning, no terms remain. Try a lower min_df or a higher max_df.")
    return keep


def sublinear_tfidf(counts: Any, idf: FloatArray) -> Any:
    """``(1 + ln tf) · idf``, rows L2-normalised: ``TfidfVectorizer(sublinear_tf=True)``."""
    from sklearn.preprocessing import normalize

    X = counts.astype(np.float64, copy=True)
    np.log(X.data, out=X.data)
    X.data += 1.0
    X = X.multiply(idf[np.newaxis, :]).tocsr()
    return normalize(X, norm="l2", copy=False)


def _row_hashes(counts: Any) -> NDArray[np.uint64]:
    """A hash of each row's (column, count) pairs: equal rows, equal hashes, in any order."""
    mixed = (counts.indices.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)) * np.uint64(
        0xBF58476D1CE4E5B9
    ) ^ (counts.data.astype(np.uint64) * np.uint64(0x94D049BB133111EB))
    mixed ^= mixed >> np.uint64(31)
    sums = np.zeros(counts.shape[0], dtype=np.uint64)
    nonempty = np.flatnonzero(np.diff(counts.indptr) > 0)
    if nonempty.size:
        sums[nonempty] = np.add.reduceat(mixed, counts.indptr[nonempty])
    return sums


class Themes:
    """scikit-learn style topic model. ``Themes(n_themes=20, random_state=0).fit(texts, langs)``.

    Learned: ``languages_``, ``feature_names_``, ``components_`` (themes × features),
    ``doc_theme_`` (texts × themes, W), ``shares_`` (rows of W normalised), ``memberships_``
    (share ≥ ``tau``), ``sizes_``, ``top_terms_``, ``labels_`` (fr/en/es), ``quotes_`` (text
    indices, original language), ``features_`` (each text's features; :meth:`fit` only),
    ``sampled_`` (number of texts the NMF was fitted on).
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
        sample_size: int = 20_000,
    ) -> None:
        self.n_themes = n_themes
        self.random_state = random_state
        self.min_df = min_df
        self.max_df = max_df
        self.tau = tau
        self.n_terms = n_terms
        self.n_quotes = n_quotes
        self.max_iter = max_iter
        self.sample_size = sample_size

    def fit(
        self,
        texts: Sequence[str],
        languages: Iterable[str | None] | None = None,
        regions: Sequence[str] | None = None,
    ) -> Themes:
        """Fit on ``texts`` (languages detected where None); ``regions`` spread the quotes."""
        if len(texts) == 0:
            raise ValueError("an empty corpus has no themes")
        if regions is not None and len(regions) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(regions)} regions")
        langs = resolve_languages(texts, languages)
        self.counter_ = FeatureCounter()
        counts = self.counter_.counts(texts, langs)
        names = self.counter_.feature_names_
        self.features_ = [
            [names[j] for j, c in zip(counts.indices[a:b], counts.data[a:b], strict=True)
             for _ in range(int(c))]
            for a, b in zip(counts.indptr[:-1], counts.indptr[1:], strict=True)
        ]  # fmt: skip
        return self.fit_counts(
            counts, list(names), langs, regions, surfaces=self.counter_.surfaces()
        )

    def fit_counts(
        self,
        counts: Any,
        feature_names: Sequence[str],
        languages: Sequence[str],
        regions: Sequence[str] | None = None,
        surfaces: dict[str, str] | None = None,
    ) -> Themes:
        """Fit on a texts × features count matrix (a :class:`FeatureCounter`'s output).

        ``surfaces`` maps stem features to the word shown for them in labels.
        """
        from scipy.sparse import csr_matrix
        from sklearn.decomposition import NMF
        from sklearn.exceptions import ConvergenceWarning

        counts = csr_matrix(counts)
        n = counts.shape[0]
        if n == 0:
            raise ValueError("an empty corpus has no themes")
        if regions is not None and len(regions) != n:
            raise ValueError(f"{n} texts but {len(regions)} regions")
        if len(languages) != n:
            raise ValueError(f"{n} texts but {len(languages)} languages")
        self.languages_ = list(languages)
        self._surfaces = surfaces or {}
        min_df = min(self.min_df, max(1, n // 10))
        try:
            kept = tfidf_columns(counts, min_df, self.max_df)
        except ValueError as error:
            raise ValueError(f"too few shared words to find themes: {error}") from error
        order = sorted(range(kept.size), key=lambda i: feature_names[int(kept[i])])
        kept = kept[order]
        self.feature_names_ = [str(feature_names[j]) for j in kept]
        self.columns_ = kept
        df = np.bincount(counts.indices, minlength=counts.shape[1])[kept]
        self.idf_ = np.log((1 + n) / (1 + df)) + 1.0
        k = max(1, min(self.n_themes, n - 1, kept.size - 1))

        if n > self.sample_size:
            # distinct rows (a text pasted a thousand times is one text to learn themes from),
            # in hash order: the same matrix reaches the NMF whatever the order of the rows
            _, first = np.unique(_row_hashes(counts), return_index=True)
            sample = first[: self.sample_size]
        else:
            sample = np.arange(n)
        self.sampled_ = int(sample.size)
        self.model_ = NMF(
            n_components=k,
            init="nndsvd",
            random_state=self.random_state,
            max_iter=self.max_iter,
            tol=1e-4,
        )
        with warnings.catch_warnings():  # the iteration cap is reported in ``converged_``
            warnings.simplefilter("ignore", ConvergenceWarning)
            sampled = counts[sample][:, kept]
            W_sample = self.model_.fit_transform(sublinear_tfidf(sampled, self.idf_))
            del sampled
            self.converged_ = bool(self.model_.n_iter_ < self.max_iter)
            if sample.size == n:
                W = np.asarray(W_sample, dtype=np.float64)[np.argsort(sample)]
            else:  # float32 halves the memory of a million rows; shares need no more digits
                W = np.empty((n, k), dtype=np.float32)
                for start in range(0, n, CHUNK_ROWS):
                    rows = slice(start, min(n, start + CHUNK_ROWS))
                    chunk = sublinear_tfidf(counts[rows][:, kept], self.idf_)
                    W[rows] = self.model_.transform(chunk)
        self.components_ = np.asarray(self.model_.components_, dtype=np.float64)
        self.doc_theme_ = W
        totals = W.sum(axis=1, keepdims=True)
        self.shares_ = np.divide(W, totals, out=np.zeros_like(W), where=totals > 0)
        self.memberships_ = self.shares_ >= self.tau
        self.sizes_ = self.memberships_.sum(axis=0).astype(np.int64)
        self.top_terms_ = [self._top_terms(row) for row in self.components_]
        self.labels_ = [self._label(row) for row in self.components_]
        self.quotes_ = [self._quotes(j, regions) for j in range(k)]
        return self

    def _display(self, feature: str, language: str) -> str:
        if feature.startswith(CONCEPT_PREFIX):
            return lexicon().concepts[feature[len(CONCEPT_PREFIX) :]].name(language)
        prefix, _, key = feature.partition(":")
        return f"{self._surfaces.get(feature, key)} ({prefix})"

    def _top_terms(self, row: FloatArray) -> list[str]:
        order = np.argsort(-row, kind="stable")[: self.n_terms]
        return [self.feature_names_[i] for i in order if row[i] > 0]

    def _label(self, row: FloatArray) -> dict[str, str]:
        order = [i for i in np.argsort(-row, kind="stable") if row[i] > 0]
        concepts = [i for i in order if self.feature_names_[i].startswith(CONCEPT_PREFIX)][:3]
        chosen = concepts or order[:3]
        return {
            lang: " · ".join(self._display(self.feature_names_[i], lang) for i in chosen)
            for lang in LABEL_LANGUAGES
        }

    def _quotes(self, j: int, regions: Sequence[str] | None) -> list[int]:
        share, weight = self.shares_[:, j], self.doc_theme_[:, j]
        wanted = self.n_quotes * 20
        if share.size > wanted:  # only texts at or above the wanted-th largest share compete
            floor = np.partition(share, share.size - wanted)[share.size - wanted]
            pool = np.flatnonzero(share >= floor)
        else:
            pool = np.arange(share.size)
        order = pool[np.lexsort((pool, -weight[pool], -share[pool]))]
        # members of the theme (share ≥ τ); a theme with no member quotes its closest texts
        floor_share = self.tau if share[order[0]] >= self.tau else 0.0
        candidates = [int(i) for i in order[:wanted] if share[i] > 0 and share[i] >= floor_share]
        chosen: list[int] = []
        per_region: dict[str, int] = {}
        seen_languages: set[str] = set()
        for first_pass in (True, False):  # first one per language, then the best of the rest
            for i in candidates:
                if len(chosen) >= self.n_quotes or i in chosen:
                    continue
                region = regions[i] if regions is not None else ""
                if regions is not None and per_region.get(region, 0) >= 2:
                    continue
                if first_pass and self.languages_[i] in seen_languages:
                    continue
                chosen.append(i)
                per_region[region] = per_region.get(region, 0) + 1
                seen_languages.add(self.languages_[i])
        return sorted(chosen, key=lambda i: (-share[i], -weight[i], i))

    def transform(
        self, texts: Sequence[str], languages: Iterable[str | None] | None = None
    ) -> FloatArray:
        """Theme weights of new texts (W), with the fitted vocabulary and themes."""
        langs = resolve_languages(texts, languages)
        counter = getattr(self, "counter_", None) or FeatureCounter()
        counts = counter.counts(texts, langs)
        columns = {name: j for j, name in enumerate(self.feature_names_)}
        from scipy.sparse import csr_matrix

        rows, cols, vals = [], [], []
        coo = counts.tocoo()
        for r, c, v in zip(coo.row, coo.col, coo.data, strict=True):
            j = columns.get(counter.feature_names_[c])
            if j is not None:
                rows.append(r)
                cols.append(j)
                vals.append(v)
        X = csr_matrix((vals, (rows, cols)), shape=(len(texts), len(self.feature_names_)))
        return np.asarray(self.model_.transform(sublinear_tfidf(X, self.idf_)), dtype=np.float64)

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
