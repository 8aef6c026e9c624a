"""Benchmark: reproducing Polis' groups as Polis computed them (version and history).

For every public conversation, the adjusted Rand index (ARI) against Polis' exported
``group-id`` of: one fit of the final votes with today's method; one fit with the treatment of
missing votes of the Polis version that computed the export (``PolisExport.missing_votes``);
and the replay of the vote log at Polis' one-second polling (``opinion_replay.replay``), which
is how Polis' live math reached its groups. red-dwarf's figures are polis-math.md §14's.
A second table shows how the replay depends on the update interval.

Run alone: ``PYTHONPATH=src python bench/bench_opinion_replay.py [--quick]`` (quick: only the
replays of fewer than 5,000 updates).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from sklearn.metrics import adjusted_rand_score

from cityforum.analysis.opinion import OpinionMap
from cityforum.analysis.opinion_replay import POLIS_POLL_SECONDS, replay_export, update_points
from cityforum.analysis.polis_export import PolisExport, read_polis_export

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "polis"
RED_DWARF = {  # polis-math.md §14, red-dwarf 0.4.0 run_pipeline, default parameters
    "london.youth.policing": 0.122,
    "15-per-hour-seattle": 0.459,
    "scoop-hivemind.ubi": 0.095,
    "austria-climate.5twd2jsnkf.2022-08-08": 0.954,
    "vtaiwan.uberx": 0.826,
    "american-assembly.bowling-green": 0.424,
}
QUICK_MAX_UPDATES = 5_000
INTERVALS = (0.5, 1.0, 10.0, 60.0, 600.0)


def _ari(model: OpinionMap, polis: dict[int, int]) -> float:
    ours = dict(zip(model.participants_.tolist(), model.groups_.tolist(), strict=True))
    both = [p for p in polis if ours.get(p, -1) >= 0]
    return float(adjusted_rand_score([polis[p] for p in both], [ours[p] for p in both]))


def section(quick: bool = False) -> str:
    """The "Opinion map: Polis' version and history" section."""
    lines = [
        "## Opinion map: Polis' version and history",
        "",
        "ARI against Polis' exported `group-id` (participants both sides group). *One fit*: "
        "`OpinionMap().fit` on the final votes. *Export's version*: the same with the treatment "
        "of missing votes of the Polis version that computed the export (`PolisExport."
        "missing_votes`; only scoop-hivemind.ubi, computed by Polis' 2017 math, differs). "
        "*Replayed*: the vote log replayed at Polis' 1 s polling (`opinion_replay.replay`: an "
        "update per second of votes, each warm-started from the last, k smoothed over 4 "
        "updates), with the export's version. red-dwarf: polis-math.md §14. "
        "docs/methods/opinion.md explains each step.",
        "",
        "| conversation | Polis k | missing votes | updates at 1 s | one fit | export's version "
        "| replayed | replay s | red-dwarf |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    cheap: list[tuple[str, PolisExport]] = []
    for name, red_dwarf in RED_DWARF.items():
        folder = DATA / name
        if not folder.exists():
            lines.append(f"| {name} | data missing |" + " – |" * 7)
            continue
        export = read_polis_export(folder)
        args = (export.participants, export.statements, export.values, export.moderated_out)
        polis = export.polis_groups
        one_fit = _ari(OpinionMap().fit(*args), polis)
        version = _ari(OpinionMap(missing_votes=export.missing_votes).fit(*args), polis)
        cells = [
            name,
            str(len(set(polis.values()))),
            export.missing_votes,
        ]
        if export.timestamps is None:
            cells += ["no vote log", f"{one_fit:.3f}", f"{version:.3f}", "–", "–"]
        else:
            n_updates = update_points(export.timestamps / 1000, POLIS_POLL_SECONDS).size
            cells += [f"{n_updates:,}", f"{one_fit:.3f}", f"{version:.3f}"]
            if quick and n_updates >= QUICK_MAX_UPDATES:
                cells += ["skipped (quick)", "–"]
            else:
                started = time.perf_counter()
                replayed = replay_export(export)
                seconds = time.perf_counter() - started
                cells += [f"**{_ari(replayed, polis):.3f}**", f"{seconds:.1f}"]
            if n_updates < QUICK_MAX_UPDATES:
                cheap.append((name, export))
        cells.append(f"{red_dwarf:.3f}")
        lines.append("| " + " | ".join(cells) + " |")

    lines += [
        "",
        "The replay's dependence on the update interval. Polis polls every 1 s, but its worker "
        "runs one update at a time and takes the votes queued meanwhile into the next, so on a "
        "conversation whose update takes longer than a second the real interval is longer (and "
        "not recorded):",
        "",
        "| conversation | " + " | ".join(f"{w:g} s" for w in INTERVALS) + " |",
        "|---|" + "---|" * len(INTERVALS),
    ]
    for name, export in cheap:
        figures = [
            f"{_ari(replay_export(export, interval=w), export.polis_groups):.3f}" for w in INTERVALS
        ]
        lines.append(f"| {name} | " + " | ".join(figures) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(section(quick="--quick" in sys.argv))
