"""Benchmark of the opinion map: our OpinionMap.fit against red-dwarf's run_pipeline.

``section(quick)`` returns a Markdown section for the benchmark report. Both engines get the same
input in the same process: the latest vote per (participant, statement). red-dwarf is a bench-only
dependency, imported inside the function; when it is missing the table says so.

Run alone: ``PYTHONPATH=src python bench/bench_opinion.py [--quick]``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.metrics import adjusted_rand_score

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


def _red_dwarf(votes: Votes, moderated: NDArray[np.int64]) -> Callable[[], dict[int, int]] | str:
    """A closure running red-dwarf on the votes, or the reason it cannot run."""
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

    def run() -> dict[int, int]:
        result = run_pipeline(votes=records, mod_out_statement_ids=mod, random_state=0)
        ids = getattr(result, "participants_df", None)
        if ids is not None and "cluster_id" in ids:
            col = ids["cluster_id"]
            return {int(p): int(g) for p, g in col.items() if not pd.isna(g)}
        return {}

    return run


def _row(
    name: str,
    votes: Votes,
    moderated: NDArray[np.int64],
    reference: dict[int, int],
    repeat: int,
    with_red_dwarf: bool,
) -> str:
    ours_t, model = _timed(lambda: OpinionMap().fit(*votes, moderated_out=moderated), repeat)
    ours = dict(zip(model.participants_.tolist(), model.groups_.tolist(), strict=True))
    cells = [
        name,
        f"{model.participants_.size:,} × {model.statements_.size:,}",
        f"{ours_t * 1000:.1f}",
    ]
    rd: Callable[[], dict[int, int]] | str = (
        _red_dwarf(votes, moderated) if with_red_dwarf else "skipped (quick)"
    )
    if callable(rd):
        try:
            rd_t, rd_groups = _timed(rd, repeat)
            rd_k = len(set(rd_groups.values())) if rd_groups else "?"
            rd_ari = f"{_ari(reference, rd_groups):.3f}" if rd_groups else "?"
            cells += [f"{rd_t * 1000:.0f}", f"{rd_t / ours_t:.1f}×"]
        except Exception as exc:  # noqa: BLE001  (a bench must report, not crash)
            cells += [f"failed: {type(exc).__name__}", "–"]
            rd_k, rd_ari = "–", "–"
    else:
        cells += [rd, "–"]
        rd_k, rd_ari = "–", "–"
    cells += [str(model.n_groups_), str(rd_k), f"{_ari(reference, ours):.3f}", str(rd_ari)]
    return "| " + " | ".join(cells) + " |"


def section(quick: bool = False) -> str:
    """The "Opinion map" section: speed and agreement with Polis' groups, ours vs red-dwarf."""
    repeat = 1 if quick else 3
    lines = [
        "## Opinion map",
        "",
        "`OpinionMap.fit` vs red-dwarf `run_pipeline`, same process, same input (latest vote per "
        "pair). Times are the best of "
        f"{repeat} run(s). ARI = adjusted Rand index against Polis' exported `group-id` "
        "(synthetic: against the planted camps), over participants both sides cluster.",
        "",
        "| conversation | N × M | ours ms | red-dwarf ms | speed-up | our k | red-dwarf k "
        "| our ARI | red-dwarf ARI |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name in CONVERSATIONS:
        folder = DATA / name
        if not folder.exists():
            lines.append(f"| {name} | data missing | – | – | – | – | – | – | – |")
            continue
        export = read_polis_export(folder)
        votes = _latest((export.participants, export.statements, export.values))
        lines.append(_row(name, votes, export.moderated_out, export.polis_groups, repeat, True))
    votes, camp = synthetic(30_000, 2_000, 60)
    lines.append(
        _row(
            "synthetic 30,000 × 2,000, 60 votes each",
            votes,
            np.zeros(0, dtype=np.int64),
            dict(enumerate(camp.tolist())),
            1,
            not quick,
        )
    )
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
