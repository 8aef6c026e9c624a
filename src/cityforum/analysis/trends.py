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
    region_names, codes = np.unique(np.asarray(regions, dtype=str), return_inverse=True)
    rows_of = [np.flatnonzero(codes == r) for r in range(len(region_names))]
    out: dict[Hashable, dict[str, Prevalence]] = {}
    for j, key in enumerate(names):
        per: dict[str, Prevalence] = {}
        for region, rows in zip(region_names.tolist(), rows_of, strict=True):
            docs = rows[member[rows, j]]
            a, n = int(docs.size), int(rows.size)
            low, high = wilson_interval(a, n)
            per[region] = Prevalence(key, region, a, n, a / n, low, high, tuple(map(int, docs)))
        out[key] = per
    return out


def prevalence_counts(
    memberships: NDArray[np.bool_], codes: NDArray[np.int64], n_regions: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """``(a, n)``: texts of each region (``codes``: a region index per text) in each key
    (``a``, regions × keys) and texts of each region (``n``) — no document lists, for large
    corpora; :func:`prevalence` is the same with the documents."""
    member = np.asarray(memberships, dtype=bool)
    codes = np.asarray(codes, dtype=np.int64)
    totals = np.bincount(codes, minlength=n_regions).astype(np.int64)
    counts = np.zeros((n_regions, member.shape[1]), dtype=np.int64)
    for j in range(member.shape[1]):
        counts[:, j] = np.bincount(codes[member[:, j]], minlength=n_regions)
    return counts, totals


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
    keys = list(prevalences)
    regions = sorted({r for per in prevalences.values() for r in per})
    counts = np.array(
        [[prevalences[k][r].count if r in prevalences[k] else 0 for k in keys] for r in regions],
        dtype=np.int64,
    ).reshape(len(regions), len(keys))
    totals = {r: p.total for per in prevalences.values() for r, p in per.items()}
    found = trends_from_counts(
        counts,
        np.array([totals[r] for r in regions], dtype=np.int64),
        regions,
        keys,
        min_count=min_count,
        coverage=coverage,
        min_overall=min_overall,
    )
    return [
        Trend(
            t.key,
            t.overall,
            t.regions_present,
            t.regions_absent,
            t.regions_total,
            t.evenness,
            t.is_global,
            tuple(sorted(d for p in prevalences[t.key].values() for d in p.documents)),
        )
        for t in found
    ]


def trends_from_counts(
    counts: NDArray[np.int64],
    totals: NDArray[np.int64],
    regions: Sequence[str],
    keys: Sequence[Hashable],
    min_count: int = 3,
    coverage: float = 2 / 3,
    min_overall: float | None = None,
) -> list[Trend]:
    """:func:`global_trends` from counts: ``counts[r, k]`` texts of region ``r`` in key ``k``,
    ``totals[r]`` texts of region ``r`` (``documents`` left empty)."""
    counts = np.asarray(counts, dtype=np.int64)
    totals = np.asarray(totals, dtype=np.int64)
    k = max(1, len(keys))
    floor = 1 / (2 * k) if min_overall is None else min_overall
    n = int(totals.sum())
    needed = math.ceil(coverage * len(regions) - 1e-9)
    shares = np.divide(
        counts, totals[:, np.newaxis], out=np.zeros(counts.shape), where=totals[:, None] > 0
    )
    out = []
    for j, key in enumerate(keys):
        overall = float(counts[:, j].sum() / n) if n else 0.0
        present = tuple(
            r
            for i, r in enumerate(regions)
            if counts[i, j] >= min_count and shares[i, j] >= overall / 2 > 0
        )
        absent = tuple(r for r in regions if r not in present)
        out.append(
            Trend(
                key,
                overall,
                present,
                absent,
                len(regions),
                1 - gini(shares[:, j].tolist()),
                len(regions) >= 2 and len(present) >= needed and overall >= floor,
                (),
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
    found = specificities_from_counts(counts, vocab, names, kind, z_min, q, alpha0)
    return [
        Specificity(
            s.region,
            s.kind,
            s.key,
            s.z,
            s.count,
            s.count_rest,
            tuple(where.get((s.region, s.key), ())),
        )
        for s in found
    ]


def specificities_from_counts(
    counts: FloatArray,
    keys: Sequence[str],
    regions: Sequence[str],
    kind: str = "concept",
    z_min: float = Z95,
    q: float = 0.05,
    alpha0: float | None = None,
) -> list[Specificity]:
    """:func:`specificities` from a regions × keys count matrix (``documents`` left empty).

    ``α_0`` defaults to the mean number of counted tokens of a region."""
    counts = np.asarray(counts, dtype=np.float64)
    if counts.shape != (len(regions), len(keys)):
        raise ValueError(f"counts {counts.shape} for {len(regions)} regions × {len(keys)} keys")
    if len(regions) < 2 or counts.sum() <= 0:
        return []
    a0 = alpha0 if alpha0 is not None else float(counts.sum() / len(regions))
    totals = counts.sum(axis=0)
    out = []
    for r, region in enumerate(regions):
        _, z = log_odds_dirichlet(counts[r], totals - counts[r], a0)
        keep = _bh_keep(norm.sf(z), q) & (z > z_min)
        for j in np.flatnonzero(keep):
            out.append(
                Specificity(
                    region,
                    kind,
                    str(keys[int(j)]),
                    float(z[j]),
                    int(counts[r, j]),
                    int(totals[j] - counts[r, j]),
                    (),
                )
            )
    return sorted(out, key=lambda s: (s.region, -s.z, s.key))
