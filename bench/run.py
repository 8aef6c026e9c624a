"""`make bench`: run every ``bench/bench_*.py`` section, print it, write docs/benchmarks.md.

Each module exposes ``section(quick: bool = False) -> str`` returning a Markdown section
whose figures are ratios against a baseline run in the same process. Timings are
never asserted in tests; they are recorded here.

Usage: ``python bench/run.py [--quick] [NAME ...]`` (NAME: e.g. ``opinion``);
``python bench/run.py --update NAME ...`` reruns those sections (full size) and replaces
them alone in docs/benchmarks.md, each dated, the others left as they were.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import platform
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPORT = BENCH.parent / "docs" / "benchmarks.md"


def _load(path: Path) -> object:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


def _machine() -> str:
    import numpy

    return (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"numpy {numpy.__version__}, measured {dt.date.today().isoformat()}"
    )


def _marked(name: str, text: str) -> str:
    return f"<!-- bench:{name} -->\n{text.strip()}\n<!-- /bench:{name} -->"


def _update(fresh: dict[str, str]) -> None:
    """Replace the named sections of docs/benchmarks.md (appended when absent)."""
    report = REPORT.read_text(encoding="utf-8")
    for name, text in fresh.items():
        dated = f"{text.strip()}\n\n_This section rerun alone on {_machine()}._"
        start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
        if start in report and end in report:
            before, rest = report.split(start, 1)
            report = before + _marked(name, dated) + rest.split(end, 1)[1]
        else:
            report = report.rstrip("\n") + "\n\n" + _marked(name, dated) + "\n"
    REPORT.write_text(report, encoding="utf-8")
    print(f"Updated {', '.join(fresh)} in {REPORT.relative_to(BENCH.parent)}", file=sys.stderr)


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    wanted = [a for a in argv if not a.startswith("--")]
    sys.path.insert(0, str(BENCH))
    sections: dict[str, str] = {}
    for path in sorted(BENCH.glob("bench_*.py")):
        name = path.stem.removeprefix("bench_")
        if wanted and name not in wanted:
            continue
        started = time.perf_counter()
        text = _load(path).section(quick=quick)  # type: ignore[attr-defined]
        print(text, flush=True)
        print(f"({name}: {time.perf_counter() - started:.1f} s)\n", file=sys.stderr, flush=True)
        sections[name] = text.strip()
    if "--update" in argv and wanted and not quick:
        # By the name each text came from: the order of ``wanted`` is the caller's, not the
        # files' (zipping the two once filed the votes under "synthesis" and vice versa).
        _update(sections)
        return 0
    if wanted or quick:
        print("Partial or quick run: docs/benchmarks.md left unchanged.", file=sys.stderr)
        return 0
    header = (
        "# Benchmarks\n\n"
        "Written by `make bench` (bench/run.py); do not edit by hand. Every figure is a ratio "
        "against a baseline run in the same process on the same input.\n\n"
        f"Machine: {_machine()}.\n"
    )
    body = "\n\n".join(_marked(name, text) for name, text in sections.items())
    REPORT.write_text(header + "\n" + body + "\n", encoding="utf-8")
    print(f"Wrote {REPORT.relative_to(BENCH.parent)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
