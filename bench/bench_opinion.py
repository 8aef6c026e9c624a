"""Benchmark of the opinion map: our OpinionMap.fit against red-dwarf's run_pipeline.

``section(quick)`` returns a Markdown section for the benchmark report. Both engines get the same
input in the same process: the latest vote per (participant, statement). red-dwarf is a bench-only
dependency, imported inside the function; when it is missing the table says so.

Run alone: ``PYTHONPATH=src python bench/bench_opinion.py [--quick]``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score

from cityforum.analysis._opinion_matrix import build_vote_matrix
from cityforum.analysis._opinion_pca import MissingVotes
from cityforum.analysis._opinion_statements import group_counts, representative
from cityforum.analysis.opinion import OpinionMap
from cityforum.analysis.polis_export import read_polis_export

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "polis"
CONVERSATIONS = (
    "london.youth.policing",
    "15-per-hour-seattle",
    "scoop-hivemind.ubi",
    "austria-climate.5twd2jsnkf.2022-08-08",
    "vtaiwan.uberx",
    "american-assembly.bowling-green",
)
Votes = tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int8]]
Picks = frozenset[tuple[str, int]]  # (direction, statement id)


@dataclass(frozen=True)
class Outcome:
    """What one engine says about a conversation, reduced to what the table compares."""

    groups: dict[int, int]  # participant id -> group (clustered participants only)
    consensus: Picks  # the agree and disagree consensus lists, as one set
    repness: dict[int, Picks]  # group -> its representative statements


def synthetic(
    n_participants: int, n_statements: int, votes_each: int, seed: int = 0, n_latent: int = 3
) -> tuple[Votes, NDArray[np.int64]]:
    """Votes of ``n_latent`` opinion camps; each participant votes on ``votes_each`` statements.

    Returns the votes (time order = participant by participant) and each participant's camp.
    """
    rng = np.random.default_rng(seed)
    camp = rng.integers(0, n_latent, n_participants)
    stance = rng.choice([-1.0, 1.0], size=(n_latent, n_statements)) * rng.uniform(
        0.3, 0.9, size=(n_latent, n_statements)
    )
    pids = np.repeat(np.arange(n_participants), votes_each)
    sids = (
        np.concatenate(
            [rng.choice(n_statements, votes_each, replace=False) for _ in range(n_participants)]
        )
        if n_participants <= 200_000
        else (rng.integers(0, n_statements, n_participants * votes_each))
    )
    p_agree = (1 + stance[camp[pids], sids]) / 2
    draw = rng.random(pids.size)
    vals = np.where(draw < p_agree * 0.9, 1, np.where(draw < 0.9, -1, 0)).astype(np.int8)
    return (pids.astype(np.int64), sids.astype(np.int64), vals), camp.astype(np.int64)


def _latest(votes: Votes) -> Votes:
    """Keep the last vote per (participant, statement): the input both engines get."""
    pids, sids, vals = votes
    key = pids * (int(sids.max()) + 1) + sids
    _, last = np.unique(key[::-1], return_index=True)
    keep = np.sort(pids.size - 1 - last)
    return pids[keep], sids[keep], vals[keep]


def _timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def _ari(reference: dict[int, int], labels: dict[int, int]) -> float:
    both = [p for p in reference if labels.get(p, -1) >= 0]
    if not both:
        return float("nan")
    return float(adjusted_rand_score([reference[p] for p in both], [labels[p] for p in both]))


def _ours(model: OpinionMap) -> Outcome:
    groups = dict(zip(model.participants_.tolist(), model.groups_.tolist(), strict=True))
    return Outcome(
        {p: g for p, g in groups.items() if g >= 0},
        frozenset((c.direction, c.statement) for cs in model.consensus_.values() for c in cs),
        {
            g: frozenset((r.direction, r.statement) for r in reps)
            for g, reps in enumerate(model.representative_)
        },
    )


def _repness_on(votes: Votes, moderated: NDArray[np.int64], labels: Mapping[int, int]) -> Outcome:
    """Our §9 step (counts, selection) run on someone else's groups, e.g. Polis' ``group-id``.

    The export holds Polis' groups but not its representative statements; the statements our
    repness step picks for Polis' own groups are the closest stand-in the data allow.
    """
    matrix = build_vote_matrix(*votes)
    mod = np.isin(matrix.statements, moderated)
    raw = np.array([labels.get(int(p), -1) for p in matrix.participants], dtype=np.int64)
    used = np.unique(raw[raw >= 0])
    groups = np.where(raw >= 0, np.searchsorted(used, raw), -1)
    reps = representative(group_counts(matrix, groups, used.size), mod, matrix.statements, 5)
    return Outcome(
        {int(p): int(g) for p, g in labels.items()},
        frozenset(),
        {
            int(used[g]): frozenset((r.direction, r.statement) for r in rs)
            for g, rs in enumerate(reps)
        },
    )


def _shared(a: frozenset[Any], b: frozenset[Any]) -> str:
    """``shared/union`` of two sets (the numerator and denominator of their Jaccard index)."""
    return f"{len(a & b)}/{len(a | b)}" if a | b else "–"


def _repness_overlap(a: Outcome, b: Outcome) -> str:
    """Representative statements both engines give to *the same* group, out of all given.

    Groups are paired by members (the assignment maximising shared participants, Hungarian
    method); a group left unpaired (unequal k) counts its statements in the union only. Reported
    as ``shared/union``, summed over groups, where a pick is a (direction, statement) pair.
    """
    ga, gb = sorted(a.repness), sorted(b.repness)
    if not ga or not gb:
        return "–"
    table = np.zeros((len(ga), len(gb)), dtype=np.int64)
    ia, ib = {g: i for i, g in enumerate(ga)}, {g: i for i, g in enumerate(gb)}
    for p, g in a.groups.items():
        h = b.groups.get(p, -1)
        if g in ia and h in ib:
            table[ia[g], ib[h]] += 1
    rows, cols = linear_sum_assignment(-table)
    shared = sum(len(a.repness[ga[r]] & b.repness[gb[c]]) for r, c in zip(rows, cols, strict=True))
    total = sum(len(v) for v in a.repness.values()) + sum(len(v) for v in b.repness.values())
    return f"{shared}/{total - shared}"


RedDwarf = tuple[Callable[[], Any], Callable[[Any], Outcome]]


def _red_dwarf(votes: Votes, moderated: NDArray[np.int64]) -> RedDwarf | str:
    """A closure running red-dwarf on the votes and one reading its result, or why it cannot run.

    red-dwarf's ``run_pipeline`` returns ``consensus`` ({"agree"|"disagree": [{"tid", ...}]}),
    ``repness`` ({group: [{"tid", "repful-for", ...}]}) and the groups in
    ``participants_df["cluster_id"]``; only ``run_pipeline`` itself is timed.
    """
    try:
        import pandas as pd  # noqa: PLC0415  (bench-only dependency)
        from reddwarf.implementations.base import run_pipeline  # noqa: PLC0415
    except ImportError as exc:
        return f"red-dwarf not installed ({exc.name})"
    pids, sids, vals = votes
    frame = pd.DataFrame(
        {
            "participant_id": pids,
            "statement_id": sids,
            "vote": vals,
            "timestamp": np.arange(pids.size),
        }
    )
    records = frame.to_dict("records")
    mod = [int(s) for s in moderated]

    def run() -> Any:
        return run_pipeline(votes=records, mod_out_statement_ids=mod, random_state=0)

    def outcome(result: Any) -> Outcome:
        groups: dict[int, int] = {}
        ids = getattr(result, "participants_df", None)
        if ids is not None and "cluster_id" in ids:
            groups = {int(p): int(g) for p, g in ids["cluster_id"].items() if not pd.isna(g)}
        consensus = frozenset(
            (direction, int(st["tid"]))
            for direction in ("agree", "disagree")
            for st in (result.consensus or {}).get(direction, [])
        )
        repness = {
            int(g): frozenset((st["repful-for"], int(st["tid"])) for st in sts)
            for g, sts in (result.repness or {}).items()
        }
        return Outcome(groups, consensus, repness)

    return run, outcome


def _row(
    name: str,
    votes: Votes,
    moderated: NDArray[np.int64],
    reference: dict[int, int],
    repeat: int,
    with_red_dwarf: bool,
    same_groups: list[str] | None = None,
    missing_votes: MissingVotes = "mean",
) -> str:
    """One table row; ``reference`` is Polis' ``group-id`` (or the planted camps).

    ``same_groups`` collects, per conversation, how far our repness step run on red-dwarf's own
    groups reproduces red-dwarf's representative statements (the implementation check).
    ``missing_votes`` is how the Polis version that made the export treated missing votes
    (``PolisExport.missing_votes``); where it is not today's method, the ARI cell also gives the
    figure of today's method.
    """
    ours_t, model = _timed(
        lambda: OpinionMap(missing_votes=missing_votes).fit(*votes, moderated_out=moderated),
        repeat,
    )
    ours = _ours(model)
    polis = _repness_on(votes, moderated, reference)
    cells = [
        name,
        f"{model.participants_.size:,} × {model.statements_.size:,}",
        f"{ours_t * 1000:.1f}",
    ]
    rd: RedDwarf | str = _red_dwarf(votes, moderated) if with_red_dwarf else "skipped (quick)"
    theirs: Outcome | None = None
    if not isinstance(rd, str):
        try:
            rd_t, result = _timed(rd[0], repeat)
            theirs = rd[1](result)
            if same_groups is not None:
                mine = _repness_on(votes, moderated, theirs.groups)
                label = "synthetic" if name.startswith("synthetic") else name.split(".")[0]
                same_groups.append(f"{label} {_repness_overlap(mine, theirs)}")
            cells += [f"{rd_t * 1000:.0f}", f"{rd_t / ours_t:.1f}×"]
        except Exception as exc:  # noqa: BLE001  (a bench must report, not crash)
            cells += [f"failed: {type(exc).__name__}", "–"]
    else:
        cells += [rd, "–"]
    rd_k = str(len(set(theirs.groups.values()))) if theirs and theirs.groups else "–"
    rd_ari = f"{_ari(reference, theirs.groups):.3f}" if theirs and theirs.groups else "–"
    our_ari = f"{_ari(reference, ours.groups):.3f}"
    if missing_votes != "mean":
        today = _ours(OpinionMap().fit(*votes, moderated_out=moderated))
        our_ari += f" (missing votes as passes; today's method {_ari(reference, today.groups):.3f})"
    cells += [
        str(model.n_groups_),
        rd_k,
        str(len(set(reference.values()))),
        our_ari,
        rd_ari,
        _shared(ours.consensus, theirs.consensus) if theirs else "–",
        _repness_overlap(ours, theirs) if theirs else "–",
        _repness_overlap(ours, polis),
        _repness_overlap(theirs, polis) if theirs else "–",
    ]
    return "| " + " | ".join(cells) + " |"


def section(quick: bool = False) -> str:
    """The "Opinion map" section: speed and agreement with Polis' groups, ours vs red-dwarf."""
    repeat = 1 if quick else 5
    lines = [
        "## Opinion map",
        "",
        "`OpinionMap.fit` vs red-dwarf `run_pipeline`, same process, same input (latest vote per "
        "pair). Times are the best of "
        f"{repeat} run(s). ARI = adjusted Rand index against Polis' exported `group-id` "
        "(synthetic: against the planted camps), over participants both sides cluster. Each "
        "export is fitted as the Polis version that computed it treated missing votes "
        "(`PolisExport.missing_votes`, read off the export: only scoop-hivemind.ubi, computed by "
        "Polis' 2017 math, counts them as passes); docs/methods/opinion.md explains.",
        "",
        "Overlaps are `shared/union` counts of picks, a pick being a (direction, statement) "
        "pair, i.e. the numerator and denominator of a Jaccard index. *Consensus*: the agree and "
        "disagree lists (top 5 each) as one set. *Repness*: each group's representative "
        "statements (top 5), compared group by group after pairing the groups of the two sides by "
        "shared members (Hungarian method); a group left unpaired (unequal k) adds its picks to "
        "the union only. The export holds Polis' groups but not its representative statements, so "
        "*Polis†* is our repness step (polis-math §9) run on Polis' own `group-id` groups "
        "(synthetic: on the planted camps); Polis' consensus is group-blind and computed from the "
        "same votes by the same formulas, so it is not a separate column.",
        "",
        "| conversation | N × M | ours ms | red-dwarf ms | speed-up | our k | red-dwarf k "
        "| Polis k | our ARI | red-dwarf ARI | consensus ours/red-dwarf | repness ours/red-dwarf "
        "| repness ours/Polis† | repness red-dwarf/Polis† |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    same_groups: list[str] = []
    for name in CONVERSATIONS:
        folder = DATA / name
        if not folder.exists():
            lines.append(f"| {name} | data missing |" + " – |" * 12)
            continue
        export = read_polis_export(folder)
        votes = _latest((export.participants, export.statements, export.values))
        lines.append(
            _row(
                name,
                votes,
                export.moderated_out,
                export.polis_groups,
                repeat,
                True,
                same_groups,
                export.missing_votes,
            )
        )
    votes, camp = synthetic(30_000, 2_000, 60)
    lines.append(
        _row(
            "synthetic 30,000 × 2,000, 60 votes each",
            votes,
            np.zeros(0, dtype=np.int64),
            dict(enumerate(camp.tolist())),
            1,
            not quick,
            same_groups,
        )
    )
    if same_groups:
        lines += [
            "",
            "Implementation check: our repness step run on red-dwarf's own groups picks "
            "red-dwarf's representative statements (shared/union: "
            + ", ".join(same_groups)
            + "), so the repness columns compare groupings, not two readings of §9. Both "
            "compute consensus group-blind with the same formulas; where the lists differ, "
            "docs/methods/opinion.md says why.",
        ]
    lines += [
        "",
        "Scaling of `OpinionMap.fit` alone (synthetic, 3 camps, 5,000 statements, 50 votes each):",
        "",
        "| participants | votes | fit s | ARI vs camps |",
        "|---|---|---|---|",
    ]
    for n in (10_000, 100_000) if quick else (10_000, 100_000, 1_000_000):
        votes, camp = synthetic(n, 5_000, 50)
        fit_t, model = _timed(lambda v=votes: OpinionMap().fit(*v), 1)
        ours = dict(zip(model.participants_.tolist(), model.groups_.tolist(), strict=True))
        lines.append(
            f"| {n:,} | {votes[0].size:,} | {fit_t:.2f} | "
            f"{_ari(dict(enumerate(camp.tolist())), ours):.3f} |"
        )
        del votes, model, ours
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(section(quick="--quick" in sys.argv))
