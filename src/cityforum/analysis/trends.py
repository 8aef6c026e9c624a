"""Prevalence per region, global trends and regional specificities (synthesis.md §3–4).

Every result carries the indices of the texts behind it, so each claim can be checked.
Specificities use the weighted log-odds ratio with an informative Dirichlet prior
(Monroe, Colaresi & Quinn, *Fightin' Words*, Political Analysis 2008).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy.stats import norm

FloatArray = NDArray[np.float64]
Z95 = 1.959963984540054


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a proportion ``successes / n``; (0, 1) when ``n`` is 0."""
    if n <= 0:
        return 0.0, 1.0
    p = successes / n
    centre = p + z * z / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    denom = 1 + z * z / n
    return max(0.0, (centre - half) / denom), min(1.0, (centre + half) / denom)


@dataclass(frozen=True)
class Prevalence:
    """How many texts of ``region`` belong to ``key``, with the Wilson 95% interval."""

    key: Hashable
    region: str
    count: int
    total: int
    share: float
    low: float
    high: float
    documents: tuple[int, ...] = field(repr=False)


def prevalence(
    memberships: NDArray[np.bool_], regions: Sequence[str], keys: Sequence[Hashable] | None = None
) -> dict[Hashable, dict[str, Prevalence]]:
    """Per key (theme or concept: a column of ``memberships``) and region, its prevalence."""
    member = np.asarray(memberships, dtype=bool)
    if member.shape[0] != len(regions):
        raise ValueError(f"{member.shape[0]} rows but {len(regions)} regions")
    names = list(keys) if keys is not None else list(range(member.shape[1]))
    region_array = np.asarray(regions, dtype=object)
    out: dict[Hashable, dict[str, Prevalence]] = {}
    for j, key in enumerate(names):
        per: dict[str, Prevalence] = {}
        for region in sorted(set(regions)):
            rows = np.flatnonzero(region_array == region)
            docs = rows[member[rows, j]]
            a, n = int(docs.size), int(rows.size)
            low, high = wilson_interval(a, n)
            per[region] = Prevalence(key, region, a, n, a / n, low, high, tuple(map(int, docs)))
        out[key] = per
    return out


def gini(values: Sequence[float]) -> float:
    """Gini coefficient normalised to [0, 1] (``n/(n−1)`` correction); 0 for equal values."""
    x = np.sort(np.asarray(values, dtype=np.float64))
    n = x.size
    if n < 2 or x.sum() <= 0:
        return 0.0
    g = (2 * np.sum(np.arange(1, n + 1) * x) / (n * x.sum())) - (n + 1) / n
    return float(min(1.0, max(0.0, g * n / (n - 1))))


@dataclass(frozen=True)
class Trend:
    """A key's spread over the regions; ``is_global`` when it meets the §3 rule."""

    key: Hashable
    overall: float
    regions_present: tuple[str, ...]
    regions_absent: tuple[str, ...]
    regions_total: int
    evenness: float
    is_global: bool
    documents: tuple[int, ...] = field(repr=False)


def global_trends(
    prevalences: dict[Hashable, dict[str, Prevalence]],
    min_count: int = 3,
    coverage: float = 2 / 3,
    min_overall: float | None = None,
) -> list[Trend]:
    """Every key's trend: present in a region when ``a ≥ min_count`` and ``p ≥ P/2``; global
    when present in at least ``⌈coverage·R⌉`` regions and ``P ≥ min_overall`` (default
    ``1/(2K)``, K the number of keys). Sorted: global first, then by overall prevalence."""
    k = max(1, len(prevalences))
    floor = 1 / (2 * k) if min_overall is None else min_overall
    out = []
    for key, per in prevalences.items():
        a = sum(p.count for p in per.values())
        n = sum(p.total for p in per.values())
        overall = a / n if n else 0.0
        present = tuple(
            r for r, p in per.items() if p.count >= min_count and p.share >= overall / 2 > 0
        )
        absent = tuple(r for r in per if r not in present)
        needed = math.ceil(coverage * len(per) - 1e-9)
        docs = tuple(sorted(d for p in per.values() for d in p.documents))
        out.append(
            Trend(
                key,
                overall,
                present,
                absent,
                len(per),
                1 - gini([p.share for p in per.values()]),
                len(per) >= 2 and len(present) >= needed and overall >= floor,
                docs,
            )
        )
    return sorted(out, key=lambda t: (not t.is_global, -t.overall, str(t.key)))


def log_odds_dirichlet(
    counts: FloatArray, rest: FloatArray, alpha0: float | None = None
) -> tuple[FloatArray, FloatArray]:
    """Monroe–Colaresi–Quinn weighted log-odds (δ, z) of one group's ``counts`` against
    ``rest``, with the informative prior ``α_w = α_0 · (y_w + y'_w) / (n + n')``."""
    y = np.asarray(counts, dtype=np.float64)
    yr = np.asarray(rest, dtype=np.float64)
    n, nr = y.sum(), yr.sum()
    total = y + yr
    a0 = float(alpha0) if alpha0 is not None else float((n + nr) / 2)
    alpha = a0 * total / max(total.sum(), 1e-12)
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = np.log((y + alpha) / (n + a0 - y - alpha)) - np.log(
            (yr + alpha) / (nr + a0 - yr - alpha)
        )
        var = 1 / (y + alpha) + 1 / (yr + alpha)
        z = delta / np.sqrt(var)
    return np.nan_to_num(delta), np.nan_to_num(z)


@dataclass(frozen=True)
class Specificity:
    """A key over-represented in ``region`` against all other regions."""

    region: str
    kind: str
    key: str
    z: float
    count: int
    count_rest: int
    documents: tuple[int, ...] = field(repr=False)


def _bh_keep(p_values: FloatArray, q: float) -> NDArray[np.bool_]:
    m = p_values.size
    order = np.argsort(p_values, kind="stable")
    passed = p_values[order] <= q * np.arange(1, m + 1) / max(m, 1)
    keep = np.zeros(m, dtype=bool)
    if passed.any():
        keep[order[: int(np.max(np.flatnonzero(passed))) + 1]] = True
    return keep


def specificities(
    items: Sequence[Sequence[str]],
    regions: Sequence[str],
    kind: str = "concept",
    z_min: float = Z95,
    q: float = 0.05,
    alpha0: float | None = None,
) -> list[Specificity]:
    """Keys (concepts, stems or themes: ``items[i]`` lists text ``i``'s keys, repeats count)
    with ``z > z_min`` in one region against the rest that survive Benjamini–Hochberg at ``q``
    over that region's keys. Empty with fewer than two regions (nothing to compare)."""
    if len(items) != len(regions):
        raise ValueError(f"{len(items)} texts but {len(regions)} regions")
    names = sorted(set(regions))
    if len(names) < 2:
        return []
    vocab = sorted({k for keys in items for k in keys})
    col = {k: j for j, k in enumerate(vocab)}
    counts = np.zeros((len(names), len(vocab)))
    where: dict[tuple[str, str], list[int]] = {}
    region_index = {r: i for i, r in enumerate(names)}
    for i, (keys, region) in enumerate(zip(items, regions, strict=True)):
        for k in keys:
            counts[region_index[region], col[k]] += 1
        for k in set(keys):
            where.setdefault((region, k), []).append(i)
    a0 = alpha0 if alpha0 is not None else float(counts.sum() / len(names))
    totals = counts.sum(axis=0)
    out = []
    for r, region in enumerate(names):
        _, z = log_odds_dirichlet(counts[r], totals - counts[r], a0)
        keep = _bh_keep(norm.sf(z), q) & (z > z_min)
        for j in np.flatnonzero(keep):
            key = vocab[j]
            out.append(
                Specificity(
                    region,
                    kind,
                    key,
                    float(z[j]),
                    int(counts[r, j]),
                    int(totals[j] - counts[r, j]),
                    tuple(where.get((region, key), [])),
                )
            )
    return sorted(out, key=lambda s: (s.region, -s.z, s.key))
