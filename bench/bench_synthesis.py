"""Benchmark of the synthesis: themes + trends + capital tags on resampled real contributions.

``section(quick)`` builds N contributions (100,000; 10,000 when quick) by resampling the
Barcelona PAM 2016 proposals (ca/es, their district as region) and the Lille Grand Débat
contributions (fr, region "Lille"), then times in-process: ``Themes(n_themes=30).fit``, theme
prevalence + global trends, concept specificities (Monroe–Colaresi–Quinn) and lexicon capital
tags. Baseline, same process and texts: scikit-learn's ``TfidfVectorizer`` + 30-theme ``NMF``
on the raw text. Target (synthesis.md §6): under 60 s on 2 cores. Languages are given (the
datasets' own guesses), so language detection is not timed here.

Run alone: ``PYTHONPATH=src python bench/bench_synthesis.py [--quick]``.
"""

from __future__ import annotations

import csv
import sys
import time
import warnings
from pathlib import Path

import numpy as np

from cityforum.analysis._tagging import lexicon_scores_from_features
from cityforum.analysis.text import CONCEPT_PREFIX
from cityforum.analysis.themes import Themes
from cityforum.analysis.trends import global_trends, prevalence, specificities

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "consultations"
TARGET_S = 60.0


def corpus(n: int, seed: int = 0) -> tuple[list[str], list[str], list[str]]:
    """``n`` (text, language, region) resampled from the Barcelona and Lille corpora."""
    with (DATA / "decidim-barcelona-pam-2016" / "proposals.csv").open(encoding="utf-8") as f:
        bcn = list(csv.DictReader(f))
    with (DATA / "grand-debat-lille-metropole-2019" / "contributions.csv").open(
        encoding="utf-8"
    ) as f:
        lille = list(csv.DictReader(f))
    pool = [(f"{r['title']}. {r['text']}", r["lang_guess"], r["district"] or "city") for r in bcn]
    pool += [(r["text"], "fr", "Lille") for r in lille]
    picks = np.random.default_rng(seed).integers(0, len(pool), n)
    texts, langs, regions = zip(*(pool[i] for i in picks), strict=True)
    return list(texts), list(langs), list(regions)


def section(quick: bool = False) -> str:
    n = 10_000 if quick else 100_000
    texts, langs, regions = corpus(n)
    started = time.perf_counter()
    themes = Themes(n_themes=30, random_state=0).fit(texts, langs, regions)
    t_themes = time.perf_counter() - started
    mark = time.perf_counter()
    trends = global_trends(prevalence(themes.memberships_, regions))
    concepts = [[f for f in feats if f.startswith(CONCEPT_PREFIX)] for feats in themes.features_]
    specific = specificities(concepts, regions, kind="concept")
    t_trends = time.perf_counter() - mark
    mark = time.perf_counter()
    tags = lexicon_scores_from_features(themes.features_)
    t_tags = time.perf_counter() - mark
    total = time.perf_counter() - started

    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    mark = time.perf_counter()
    X = TfidfVectorizer(sublinear_tf=True, min_df=5, max_df=0.5).fit_transform(texts)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        NMF(n_components=30, init="nndsvd", random_state=0, max_iter=300).fit(X)
    baseline = time.perf_counter() - mark

    n_global = sum(t.is_global for t in trends)
    tagged = float((tags.sum(axis=1) > 0).mean())
    verdict = "meets" if total < TARGET_S else "misses"
    return f"""## Synthesis

{n:,} contributions resampled from Barcelona PAM 2016 (ca/es, 11 regions) and the Lille Grand
Débat (fr, 1 region); 30 themes; in-process, one run.

| step | seconds |
| --- | ---: |
| themes (analysis, stemming, concepts, TF-IDF, NMF) | {t_themes:.1f} |
| prevalence, global trends, concept specificities | {t_trends:.1f} |
| capital tags (lexicon) | {t_tags:.1f} |
| **whole synthesis** | **{total:.1f}** |
| baseline: TfidfVectorizer + NMF on raw text | {baseline:.1f} |

Ratio synthesis / baseline: **{total / baseline:.2f}**. Target: under {TARGET_S:.0f} s on 2 cores
— this run {verdict} it. NMF converged: {themes.converged_}. Found {n_global} global trends
among 30 themes, {len(specific)} concept specificities (z > 1.96, BH q = 0.05); {tagged:.0%} of
the texts received a capital tag from the lexicon.
"""


if __name__ == "__main__":
    print(section(quick="--quick" in sys.argv))
