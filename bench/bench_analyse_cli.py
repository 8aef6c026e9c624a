"""Benchmark of the ``cityforum analyse votes`` command, whole process, on a synthetic folder.

``section(quick)`` writes a synthetic Pol.is export (30,000 participants × 2,000 statements,
60 votes each, the folder of the issue's speed target) into a temporary directory and times the
command from process start to exit, as a person would run it (a subprocess, the median of three
runs). The baseline, timed the same way on the same machine, is the start-up of a bare
interpreter (``python -c pass``): the table reads "CLI s / interpreter start-up s".

Run alone: ``PYTHONPATH=src python bench/bench_analyse_cli.py [--quick]``.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from bench_opinion import synthetic

TARGET_S = 3.5
N_PARTICIPANTS, N_STATEMENTS, VOTES_EACH = 30_000, 2_000, 60


def write_polis_folder(
    folder: Path, n_participants: int, n_statements: int, votes_each: int, seed: int = 0
) -> int:
    """Write ``votes.csv`` and ``comments.csv`` as Pol.is exports them; return the vote count.

    Votes are in time order (one participant after another, a second apart), with Pol.is'
    columns (timestamp in ms, a readable date, comment-id, voter-id, vote).
    """
    (pids, sids, vals), _camp = synthetic(n_participants, n_statements, votes_each, seed=seed)
    folder.mkdir(parents=True, exist_ok=True)
    stamps = 1_600_000_000_000 + np.arange(pids.size, dtype=np.int64) * 1000
    dates = np.datetime_as_string(stamps.astype("datetime64[ms]"), unit="s")
    with (folder / "votes.csv").open("w", encoding="utf-8", newline="") as out:
        out.write("timestamp,datetime,comment-id,voter-id,vote\n")
        columns = (stamps, dates, sids, pids, vals)
        rows = zip(*(column.tolist() for column in columns), strict=True)
        out.writelines(f"{t},{d},{s},{p},{v}\n" for t, d, s, p, v in rows)
    with (folder / "comments.csv").open("w", encoding="utf-8", newline="") as out:
        out.write(
            "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
        )
        out.writelines(
            f"1600000000000,2020-09-13T12:26:40,{s},0,0,0,1,Statement number {s}\n"
            for s in range(n_statements)
        )
    return int(pids.size)


def _wall(command: list[str], runs: int) -> tuple[float, list[float]]:
    """Median and all wall times of ``command`` run ``runs`` times (it must succeed)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def _cli() -> list[str]:
    """The console script beside this interpreter if installed, else ``python -m``."""
    script = Path(sys.executable).with_name("cityforum")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "cityforum.cli.main"]


def section(quick: bool = False) -> str:
    """The "Opinion map CLI" section: whole-process time of ``cityforum analyse votes``."""
    runs = 1 if quick else 3
    with tempfile.TemporaryDirectory(prefix="cityforum-bench-") as tmp:
        folder = Path(tmp) / "synthetic"
        n_votes = write_polis_folder(folder, N_PARTICIPANTS, N_STATEMENTS, VOTES_EACH)
        size_mb = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
        out = Path(tmp) / "result.json"
        cli_s, cli_all = _wall([*_cli(), "analyse", "votes", str(folder), "--out", str(out)], runs)
        base_s, _ = _wall([sys.executable, "-c", "pass"], max(runs, 3))
        result_mb = out.stat().st_size / 1e6
    verdict = "met" if cli_s < TARGET_S else "**missed**"
    return "\n".join(
        [
            "## Opinion map CLI",
            "",
            "`cityforum analyse votes DIR --out RESULT.json` on a synthetic Pol.is export folder "
            f"({N_PARTICIPANTS:,} participants × {N_STATEMENTS:,} statements, {VOTES_EACH} votes "
            f"each: {n_votes:,} rows, {size_mb:.0f} MB of CSV; result {result_mb:.1f} MB). "
            f"Whole-process wall time, median of {runs} run(s) "
            f"({', '.join(f'{t:.2f}' for t in cli_all)} s), against the start-up of a bare "
            "interpreter (`python -c pass`) timed the same way. Target: under "
            f"{TARGET_S} s ({verdict}).",
            "",
            "| input | CLI s | interpreter start-up s | CLI / start-up | target s |",
            "|---|---|---|---|---|",
            f"| synthetic {N_PARTICIPANTS:,} × {N_STATEMENTS:,}, {VOTES_EACH} votes each "
            f"| {cli_s:.2f} | {base_s:.3f} | {cli_s / base_s:.0f}× | {TARGET_S} |",
            "",
        ]
    )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    print(section(quick="--quick" in sys.argv))
