"""Base clusters and opinion groups: Polis' k-means and the silhouette choice of k (§7–8).

Everything here works on weighted 2-D points. The participants' positions are first collapsed to
distinct points (identical positions are common when people vote on few statements) and, for very
large conversations, onto a fine grid of cells (each cell = the mean of its members, weighted by
their count). The grid keeps the k = 100 base clustering at a cost that does not grow with the
number of participants; a 256 x 256 grid is far finer than the 100 clusters drawn on it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

# Above this many clustered participants the positions are pooled on a GRID x GRID grid.
EXACT_POINTS_LIMIT = 20_000
GRID = 256
CONVERGENCE_SHIFT = 0.01  # Polis stops when every centre moved less than this


@dataclass(frozen=True)
class WeightedPoints:
    """Distinct (or pooled) positions, their weights, and which one each input point became."""

    points: FloatArray  # P x 2, in order of first appearance in the input
    weights: FloatArray  # P
    member_of: IntArray  # for every input point, its index in ``points``


def pool_points(xy: FloatArray) -> WeightedPoints:
    """Collapse identical positions, or pool onto a grid when there are very many points."""
    n = xy.shape[0]
    if n > EXACT_POINTS_LIMIT:
        lo, hi = xy.min(axis=0), xy.max(axis=0)
        span = np.where(hi > lo, hi - lo, 1.0)
        cell_xy = np.minimum(((xy - lo) / span * GRID).astype(np.int64), GRID - 1)
        key = cell_xy[:, 0] * GRID + cell_xy[:, 1]
    else:
        # Exact: identical positions share a key (view the two float64 as one 16-byte record).
        _, key = np.unique(
            np.ascontiguousarray(xy).view(np.dtype((np.void, 16))).ravel(), return_inverse=True
        )
        key = key.ravel().astype(np.int64)
    first = np.full(int(key.max()) + 1, n, dtype=np.int64)
    first[key[::-1]] = np.arange(n - 1, -1, -1, dtype=np.int64)
    used = np.flatnonzero(first < n)
    used = used[np.argsort(first[used], kind="stable")]
    code = np.empty(first.size, dtype=np.int64)
    code[used] = np.arange(used.size)
    member_of = code[key]
    weights = np.bincount(member_of, minlength=used.size).astype(np.float64)
    points = (
        np.column_stack(
            [np.bincount(member_of, weights=xy[:, d], minlength=used.size) for d in range(2)]
        )
        / weights[:, None]
    )
    return WeightedPoints(points, weights, member_of)


def _lift(points: FloatArray) -> FloatArray:
    """Rows ``[x, y, 1]``: times centres lifted to ``[-2cx, -2cy, |c|²]``, the distance table."""
    return np.column_stack([points, np.ones(points.shape[0])])


def _nearest(
    points: FloatArray,
    centres: FloatArray,
    buffer: FloatArray | None = None,
    lifted: FloatArray | None = None,
) -> IntArray:
    """Index of the nearest centre for every point (ties go to the lower index).

    Compares ``|c|² - 2 p·c`` (``|p|²`` is the same for every centre of a row, so it cannot change
    the argmin), computed as one matrix product of the lifted points ``[x, y, 1]`` (``lifted``,
    precomputed by the caller) with ``[-2cx, -2cy, |c|²]``: one pass over the P x K table instead
    of a product and a broadcast addition. OpenBLAS sums the three terms in order and scaling by
    -2 is exact, so the values are bit for bit those of ``|c|² - 2 (p·c)`` (checked on the six
    Polis conversations); another BLAS could round a last bit differently, which matters only
    at an exact tie. ``buffer`` (at least P x K floats) is scratch space reused across the Lloyd
    iterations: a fresh table per iteration costs more in page faults than the arithmetic.
    """
    n, k = points.shape[0], centres.shape[0]
    sq = np.empty((n, k)) if buffer is None else buffer[: n * k].reshape(n, k)
    rows = _lift(points) if lifted is None else lifted
    lifted_centres = np.column_stack([-2.0 * centres, (centres**2).sum(axis=1)])
    np.matmul(rows, lifted_centres.T, out=sq)
    nearest: IntArray = np.argmin(sq, axis=1).astype(np.int64, copy=False)
    return nearest


def _weighted_means(
    points: FloatArray, weights: FloatArray, labels: IntArray, k: int
) -> tuple[FloatArray, FloatArray]:
    mass: FloatArray = np.bincount(labels, weights=weights, minlength=k).astype(np.float64)
    sums = np.column_stack(
        [np.bincount(labels, weights=weights * points[:, d], minlength=k) for d in range(2)]
    )
    return sums / np.where(mass > 0, mass, 1.0)[:, None], mass


def kmeans(
    points: FloatArray, weights: FloatArray, centres: FloatArray, max_iter: int
) -> tuple[FloatArray, IntArray]:
    """Polis' weighted Lloyd loop: empty clusters are dropped, stop when no centre moves ≥ 0.01.

    Returns the final centres and each point's cluster (0..k-1, in the order of ``centres``).
    The weighted coordinates, the lifted points and the distance table's memory are set up once,
    outside the loop; each iteration computes exactly what :func:`_weighted_means` would.
    """
    weighted = [weights * points[:, d] for d in range(2)]
    buffer = np.empty(points.shape[0] * centres.shape[0])
    lifted = _lift(points)
    labels = _nearest(points, centres, buffer, lifted)
    for _ in range(max_iter):
        k = centres.shape[0]
        mass = np.bincount(labels, weights=weights, minlength=k)
        sums = np.column_stack([np.bincount(labels, weights=w, minlength=k) for w in weighted])
        keep = mass > 0
        new = sums / np.where(keep, mass, 1.0)[:, None]
        all_kept = bool(keep.all())
        if not all_kept:  # k shrinks; renumber the survivors in order
            new = new[keep]
            centres = centres[keep]
        moved = np.sqrt(((new - centres) ** 2).sum(axis=1))
        centres = new
        labels = _nearest(points, centres, buffer, lifted)
        if all_kept and bool((moved < CONVERGENCE_SHIFT).all()):
            break
    # Final labels may leave a centre empty once more; renumber densely.
    used, labels = np.unique(labels, return_inverse=True)
    return centres[used], labels.ravel().astype(np.int64)


def initial_centres(points: FloatArray, k: int) -> FloatArray:
    """The first ``k`` distinct points in row order (``points`` are already distinct)."""
    return points[: min(k, points.shape[0])].copy()


def warm_centres(
    points: FloatArray, weights: FloatArray, previous_labels: IntArray, k: int
) -> FloatArray:
    """Polis' warm start: previous clusters' centres from current positions, then split-off
    singletons (the point farthest from every centre) until there are ``min(k, P)`` centres.

    ``previous_labels`` is -1 for points that had no previous cluster.
    """
    has = previous_labels >= 0
    if not np.any(has):
        return initial_centres(points, k)
    _, lab = np.unique(previous_labels[has], return_inverse=True)
    lab = lab.ravel().astype(np.int64)
    centres, _ = _weighted_means(points[has], weights[has], lab, int(lab.max()) + 1)
    centres = np.unique(centres, axis=0)[:k]
    target = min(k, points.shape[0])
    while centres.shape[0] < target:
        dist = np.min(((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2), axis=1)
        centres = np.vstack([centres, points[int(np.argmax(dist))]])
    return centres


def distances(centres: FloatArray) -> FloatArray:
    """Euclidean distance between every pair of centres (the silhouette's input)."""
    dist: FloatArray = np.sqrt(((centres[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2))
    return dist


def silhouette(
    centres: FloatArray,
    labels: IntArray,
    weights: FloatArray | None,
    dist: FloatArray | None = None,
) -> float:
    """Mean silhouette of the base-cluster centres under a grouping (polis-math §8).

    ``weights=None`` is Polis' rule (each base cluster counts once); with weights, the mean
    distances and the final average are weighted by base-cluster size, which approximates the
    silhouette over all participants without its quadratic cost. ``dist`` is
    ``distances(centres)``, passed in when several groupings of the same centres are scored.
    """
    if labels.size == 0 or int(labels.max()) == 0:
        return -1.0  # a single group separates nothing
    w = np.ones(centres.shape[0]) if weights is None else weights
    if dist is None:
        dist = distances(centres)
    k = int(labels.max()) + 1
    onehot = np.zeros((centres.shape[0], k))
    onehot[np.arange(labels.size), labels] = w
    mass = onehot.sum(axis=0)
    totals = dist @ onehot  # weighted distance sums from each centre to each group
    own_mass = mass[labels] - w  # the centre itself is excluded from its own group
    a = np.divide(
        totals[np.arange(labels.size), labels],
        own_mass,
        out=np.zeros(labels.size),
        where=own_mass > 0,
    )
    other = np.divide(totals, mass, out=np.full_like(totals, np.inf), where=mass > 0)
    other[np.arange(labels.size), labels] = np.inf
    b = other.min(axis=1)
    denom = np.maximum(a, b)
    s = np.divide(b - a, denom, out=np.zeros(labels.size), where=(denom > 0) & (own_mass > 0))
    return float(np.average(s, weights=w))


@dataclass(frozen=True)
class Grouping:
    """The chosen opinion groups over base clusters, with every candidate k's silhouette.

    ``candidates[k]`` is the grouping found for each k tried (Polis keeps them all: the next
    update warm-starts each k from its own previous grouping, and its k smoothing may pick a k
    other than the best one).
    """

    labels: IntArray  # group of each base cluster
    silhouettes: dict[int, float]
    candidates: dict[int, IntArray]
    k: int


def choose_groups(
    centres: FloatArray,
    sizes: FloatArray,
    max_groups: int,
    n_groups: int | None,
    max_iter: int,
    weighted_silhouette: bool,
    warm_labels: dict[int, IntArray],
) -> Grouping:
    """Size-weighted k-means of the base clusters for k = 2..max_k; keep the best silhouette
    (on an exact tie, the larger k).

    ``max_k = min(max_groups, 2 + B // 12)`` (Polis); ``n_groups`` forces k.
    ``warm_labels[k]`` (optional) gives each base cluster's previous group for that k.
    """
    n_base = centres.shape[0]
    if n_groups is not None:
        ks = [min(n_groups, n_base)]
    else:
        ks = list(range(2, min(max_groups, 2 + n_base // 12, n_base) + 1)) or [min(2, n_base)]
    best: tuple[float, int] | None = None
    scores: dict[int, float] = {}
    candidates: dict[int, IntArray] = {}
    dist = distances(centres)  # the same for every k: computed once
    for k in ks:
        init = (
            warm_centres(centres, sizes, warm_labels[k], k)
            if k in warm_labels
            else initial_centres(centres, k)
        )
        _, labels = kmeans(centres, sizes, init, max_iter)
        score = silhouette(centres, labels, sizes if weighted_silhouette else None, dist)
        scores[k] = score
        candidates[k] = labels
        # Ties go to the larger k, as in Polis (its arg-max over k = 2..max_k keeps the last of
        # equal scores); ``ks`` ascends, so ``>=`` keeps the last.
        if best is None or score >= best[0]:
            best = (score, k)
    assert best is not None
    return Grouping(candidates[best[1]], scores, candidates, best[1])
