"""Telling two bundles apart, dataset by dataset, as the round trip needs.

A re-import renumbers what the bundle marks as renumbered (``internal_ids``: contributions,
statements, organisations, articles…), keeping rows in the same order. So before comparing,
each renumbered id becomes its row's position in its dataset, and every reference to it —
columns, and ids inside JSON values — the position of the row it points at. Everything else
must be equal, value for value. The Pol.is files are compared the same way (``comment-id``
is a statement id). ``datapackage.json`` differs only where it must: the date it was
written, the input checksum and the files' sizes and checksums.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from . import refs
from .datasets import DATASETS
from .polis import PARTICIPANTS_COLUMNS
from .validate import Report, validate_bundle

Positions = dict[str, dict[str, int]]

#: Files compared byte for byte.
TEXTS = ("LICENSE.md", "ATTRIBUTION.md", "DATA_DICTIONARY.md")


def _positions(report: Report) -> Positions:
    """``{dataset: {str(id): position}}`` for every renumbered dataset."""
    out: Positions = {}
    for name, dataset in DATASETS.items():
        if dataset.internal_ids:
            out[name] = {str(row["id"]): n for n, row in enumerate(report.tables.get(name, []))}
    return out


def _normalised(name: str, row: dict[str, Any], positions: Positions) -> dict[str, Any]:
    dataset = DATASETS[name]
    out = dict(row)
    if dataset.internal_ids:
        out["id"] = positions[name].get(str(row["id"]), f"?{row['id']}")
    for field in dataset.references():
        ref = field.ref
        if ref is None or ref.dataset not in positions or ref.field != "id":
            continue
        table = positions[ref.dataset]

        def change(old: Any, table: dict[str, int] = table) -> Any:
            position = table.get(str(old), f"?{old}")
            return str(position) if isinstance(old, str) else position

        value = row[field.name]
        if not ref.path:
            out[field.name] = None if value in (None, "") else change(value)
        else:
            out[field.name] = refs.rewrite(value, ref.path, change)
    return out


def _polis_rows(path: Path, statements: dict[str, int]) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    if not rows:
        return rows
    header = rows[0]

    def pos(sid: str) -> str:
        return str(statements.get(sid, f"?{sid}"))

    if "comment-id" in header:
        column = header.index("comment-id")
        for row in rows[1:]:
            row[column] = pos(row[column])
    elif header[: len(PARTICIPANTS_COLUMNS)] == list(PARTICIPANTS_COLUMNS):
        fixed = len(PARTICIPANTS_COLUMNS)
        rows[0] = header[:fixed] + [pos(sid) for sid in header[fixed:]]
    return rows


def compare_bundles(first: Path, second: Path) -> list[str]:
    """The differences between two bundles, as sentences; empty when they hold the same data."""
    a, b = validate_bundle(Path(first)), validate_bundle(Path(second))
    differences = [f"{first}: {p}" for p in a.problems] + [f"{second}: {p}" for p in b.problems]
    if differences:
        return differences
    pa, pb = _positions(a), _positions(b)
    for name in DATASETS:
        rows_a = [_normalised(name, r, pa) for r in a.tables.get(name, [])]
        rows_b = [_normalised(name, r, pb) for r in b.tables.get(name, [])]
        if len(rows_a) != len(rows_b):
            differences.append(f"{name}: {len(rows_a)} rows, then {len(rows_b)}")
            continue
        for n, (ra, rb) in enumerate(zip(rows_a, rows_b, strict=True), 1):
            if ra != rb:
                field = next(k for k in ra if ra[k] != rb.get(k))
                differences.append(f"{name}, row {n}, {field}: {ra[field]!r}, then {rb[field]!r}")
                break
    polis_a = {r["path"] for r in a.descriptor["resources"] if "cityforum:polis" in r}
    polis_b = {r["path"] for r in b.descriptor["resources"] if "cityforum:polis" in r}
    if polis_a != polis_b:
        differences.append(f"polis files: {sorted(polis_a ^ polis_b)} in one bundle only")
    for path in sorted(polis_a & polis_b):
        if _polis_rows(Path(first) / path, pa["statements"]) != _polis_rows(
            Path(second) / path, pb["statements"]
        ):
            differences.append(f"{path}: not the same rows")
    for name in TEXTS:
        if (Path(first) / name).read_bytes() != (Path(second) / name).read_bytes():
            differences.append(f"{name}: not the same text")
    return differences
