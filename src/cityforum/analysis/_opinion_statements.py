"""What the groups say: representative, consensus, group-informed consensus and divisive statements.

polis-math.md §9–11. All statistics are computed for every (group, statement) pair at once from
three count tables (agree, disagree, any vote); only the short selection scan of §9, whose
"best agree" rule depends on what was seen before, walks the statements in column order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from cityforum.analysis._opinion_matrix import VoteMatrix

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
Direction = Literal["agree", "disagree"]

Z90 = 1.2816  # one-sided 90 % critical value, as Polis writes it


@dataclass(frozen=True)
class RepresentativeStatement:
    """A statement that sets a group apart (one row of a group's ``representative_`` list).

    ``probability`` is the smoothed share of the group voting ``direction`` ((n+1)/(trials+2));
    ``repness`` how many times likelier that is than among the other groups; ``z`` the
    two-proportion z of group vs the rest; ``p_test`` the one-proportion z against 1/2.
    ``best_agree`` marks the statement Polis puts first (the group's strongest agreement).
    """

    statement: int
    direction: Direction
    probability: float
    repness: float
    z: float
    p_test: float
    n_success: int
    n_trials: int
    best_agree: bool = False


@dataclass(frozen=True)
class ConsensusStatement:
    """A statement most participants agree (or disagree) with, regardless of group (§10)."""

    statement: int
    direction: Direction
    probability: float
    z: float
    n_success: int
    n_trials: int


@dataclass(frozen=True)
class DivisiveStatement:
    """A statement on which the groups differ most: ``spread`` = max − min of group agreement."""

    statement: int
    spread: float
    agree_by_group: tuple[float, ...]


@dataclass(frozen=True)
class Counts:
    """Agree, disagree and any-vote counts, shape (groups, statements)."""

    agree: IntArray
    disagree: IntArray
    trials: IntArray


def group_counts(matrix: VoteMatrix, groups: IntArray, k: int) -> Counts:
    """Count votes per (group, statement) over grouped participants, in one pass over the votes."""
    n_cols = matrix.shape[1]
    cell_group = groups[matrix.cell_rows()]
    keep = cell_group >= 0
    code = (cell_group[keep] * n_cols + matrix.indices[keep]) * 3 + (matrix.values[keep] + 1)
    table = np.bincount(code, minlength=3 * k * n_cols).reshape(k, n_cols, 3)
    return Counts(table[:, :, 2], table[:, :, 0], table.sum(axis=2))


def _one_proportion(n_success: IntArray, n_trials: IntArray) -> FloatArray:
    z: FloatArray = 2.0 * np.sqrt(n_trials + 1.0) * ((n_success + 1.0) / (n_trials + 1.0) - 0.5)
    return z


def _two_proportion(
    succ: IntArray, trials: IntArray, succ_rest: IntArray, trials_rest: IntArray
) -> FloatArray:
    a, b = succ + 1.0, succ_rest + 1.0
    m, n = trials + 1.0, trials_rest + 1.0
    pooled = (a + b) / (m + n)
    var = pooled * (1.0 - pooled) * (1.0 / m + 1.0 / n)
    z: FloatArray = np.divide(a / m - b / n, np.sqrt(var), out=np.zeros_like(pooled), where=var > 0)
    return z


def representative(
    counts: Counts,
    moderated: NDArray[np.bool_],
    statement_ids: IntArray,
    max_per_group: int,
    z: float = Z90,
) -> list[list[RepresentativeStatement]]:
    """Polis' representative statements per group (§9), moderated-out statements skipped."""
    na, nd, ns = counts.agree, counts.disagree, counts.trials
    ra_, rd_, rs_ = (c.sum(axis=0) - c for c in (na, nd, ns))  # "rest" = the other groups
    pa, pd = (na + 1.0) / (ns + 2.0), (nd + 1.0) / (ns + 2.0)
    pat, pdt = _one_proportion(na, ns), _one_proportion(nd, ns)
    ra = pa / ((ra_ + 1.0) / (rs_ + 2.0))
    rd = pd / ((rd_ + 1.0) / (rs_ + 2.0))
    rat, rdt = _two_proportion(na, ns, ra_, rs_), _two_proportion(nd, ns, rd_, rs_)
    agree = rat > rdt
    sufficient = ((rat > z) & (pat > z)) | ((rdt > z) & (pdt > z))
    metric = np.where(agree, ra * rat * pa * pat, rd * rdt * pd * pdt)
    columns = np.flatnonzero(~moderated)

    def record(g: int, j: int, head: bool = False) -> RepresentativeStatement:
        vals = (pa, ra, rat, pat, na) if agree[g, j] else (pd, rd, rdt, pdt, nd)
        return RepresentativeStatement(
            statement=int(statement_ids[j]),
            direction="agree" if agree[g, j] else "disagree",
            probability=float(vals[0][g, j]),
            repness=float(vals[1][g, j]),
            z=float(vals[2][g, j]),
            p_test=float(vals[3][g, j]),
            n_success=int(vals[4][g, j]),
            n_trials=int(ns[g, j]),
            best_agree=head,
        )

    result: list[list[RepresentativeStatement]] = []
    for g in range(na.shape[0]):
        best_agree = _best_agree(g, columns, na, nd, pa, pat, ra, rat, z)
        suff = columns[sufficient[g, columns]]
        if suff.size == 0:
            if best_agree is not None:
                result.append([record(g, best_agree, head=True)])
            elif columns.size:
                best = columns[int(np.argmax(np.maximum(rat[g, columns], rdt[g, columns])))]
                result.append([record(g, int(best))])
            else:
                result.append([])
            continue
        rest = suff[suff != best_agree]
        rest = rest[np.argsort(-metric[g, rest], kind="stable")]
        chosen = [record(g, best_agree, head=True)] if best_agree is not None else []
        chosen += [record(g, int(j)) for j in rest]
        chosen = chosen[:max_per_group]
        result.append(
            [r for r in chosen if r.direction == "agree"]
            + [r for r in chosen if r.direction == "disagree"]
        )
    return result


def _best_agree(
    g: int,
    columns: IntArray,
    na: IntArray,
    nd: IntArray,
    pa: FloatArray,
    pat: FloatArray,
    ra: FloatArray,
    rat: FloatArray,
    z: float,
) -> int | None:
    """Polis' running "best agree" candidate (§9 rule 2), scanned in column order."""
    best: int | None = None
    for j in columns[(na[g, columns] > 0) | (nd[g, columns] > 0)].tolist():
        if best is None:
            if pat[g, j] > z or (ra[g, j] > 1 and pa[g, j] > 0.5):
                best = j
        elif ra[g, best] > 1:
            if ra[g, j] * rat[g, j] * pa[g, j] * pat[g, j] > (
                ra[g, best] * rat[g, best] * pa[g, best] * pat[g, best]
            ):
                best = j
        elif pa[g, j] * pat[g, j] > pa[g, best] * pat[g, best]:
            best = j
    return best


def consensus(
    matrix: VoteMatrix,
    moderated: NDArray[np.bool_],
    statement_ids: IntArray,
    max_each: int,
    z: float = Z90,
) -> dict[str, list[ConsensusStatement]]:
    """Group-blind consensus over all participants (§10): top agree and top disagree lists."""
    n_cols = matrix.shape[1]
    trials = np.bincount(matrix.indices, minlength=n_cols)
    out: dict[str, list[ConsensusStatement]] = {}
    for direction, vote in (("agree", 1), ("disagree", -1)):
        succ = np.bincount(matrix.indices[matrix.values == vote], minlength=n_cols)
        p = (succ + 1.0) / (trials + 2.0)
        pt = _one_proportion(succ, trials)
        ok = np.flatnonzero((p > 0.5) & (pt > z) & ~moderated)
        ok = ok[np.argsort(-(p[ok] * pt[ok]), kind="stable")][:max_each]
        out[direction] = [
            ConsensusStatement(
                int(statement_ids[j]),
                direction,  # type: ignore[arg-type]
                float(p[j]),
                float(pt[j]),
                int(succ[j]),
                int(trials[j]),
            )
            for j in ok
        ]
    return out


def group_informed_consensus(counts: Counts) -> FloatArray:
    """Π over groups of (A+1)/(S+2), per statement (§11; all statements, moderation ignored)."""
    gic: FloatArray = np.prod((counts.agree + 1.0) / (counts.trials + 2.0), axis=0)
    return gic


def divisive(
    counts: Counts, moderated: NDArray[np.bool_], statement_ids: IntArray, max_n: int
) -> list[DivisiveStatement]:
    """Statements whose smoothed agreement differs most between groups (not part of Polis).

    ``spread = max_g pa_g − min_g pa_g`` with ``pa = (A+1)/(S+2)``; the smoothing keeps
    statements seen by few members of a group from looking divisive by chance.
    """
    pa = (counts.agree + 1.0) / (counts.trials + 2.0)
    spread = pa.max(axis=0) - pa.min(axis=0)
    cols = np.flatnonzero(~moderated & (spread > 0))
    cols = cols[np.argsort(-spread[cols], kind="stable")][:max_n]
    return [
        DivisiveStatement(
            int(statement_ids[j]), float(spread[j]), tuple(float(v) for v in pa[:, j])
        )
        for j in cols
    ]
