"""Checking a bundle against its own descriptor, file by file and row by row.

:func:`validate_bundle` is the whole check (what the tests and ``cityforum import opendata``
run): the descriptor is a bundle of this version, every file is there with its size and
SHA-256, every CSV has the descriptor's columns in order, every cell its field's type and
every required cell a value, each JSON file holds the same rows as its CSV twin, keys are
unique, and every reference — plain columns and ids inside JSON values — finds its row.

Problems are sentences naming the file and the line; a check stops at the first problem of
a file and goes on with the next file, so that one run reports what is wrong everywhere.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from . import refs
from .bundle import DESCRIPTOR, sha256_of
from .schema import BUNDLE_VERSION
from .values import BadValue, from_cell, from_json

#: More problems than this are not listed: the first ones say enough.
MAX_PROBLEMS = 20


class FileProblem(Exception):
    """The first problem of one file, already a sentence."""


@dataclass
class Report:
    """What a check found: the problems, and the rows of the datasets asked for."""

    problems: list[str] = field(default_factory=list)
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    descriptor: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, problem: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)

    def raise_if_bad(self) -> None:
        if self.problems:
            raise ValidationError(self.problems, code="bundle")


def load_descriptor(folder: Path) -> dict[str, Any]:
    """``datapackage.json``, checked to be a bundle of the version this code reads."""
    path = folder / DESCRIPTOR
    if not folder.is_dir():
        raise ValidationError(
            _("%(path)s is not a folder holding an open-data bundle.") % {"path": folder},
            code="missing",
        )
    if not path.is_file():
        raise ValidationError(
            _("%(path)s is missing: this is not an open-data bundle.") % {"path": path},
            code="missing",
        )
    try:
        descriptor = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        line = getattr(error, "lineno", 1)
        raise ValidationError(
            _("%(file)s, line %(line)d: the descriptor is not valid JSON.")
            % {"file": DESCRIPTOR, "line": line},
            code="descriptor",
        ) from None
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        raise ValidationError(
            _("%(file)s has no list of resources.") % {"file": DESCRIPTOR}, code="descriptor"
        )
    found = descriptor.get("cityforum:bundle_version")
    if found != BUNDLE_VERSION:
        raise ValidationError(
            _(
                "This bundle is of version %(found)s; this cityforum reads version %(expected)d "
                "only: export it again with a matching cityforum."
            )
            % {"found": found if found is not None else "?", "expected": BUNDLE_VERSION},
            code="version",
        )
    return descriptor


def check_file(folder: Path, resource: dict[str, Any]) -> None:
    """The file is there, inside the bundle, with the size and SHA-256 the descriptor gives."""
    name = str(resource.get("path", ""))
    path = (folder / name).resolve()
    if not name or folder.resolve() not in path.parents:
        raise FileProblem(_("%(file)s: the path leaves the bundle.") % {"file": name or "?"})
    if not path.is_file():
        raise FileProblem(_("%(file)s is missing.") % {"file": name})
    expected = str(resource.get("hash", ""))
    if expected.startswith("sha256:") and sha256_of(path) != expected.removeprefix("sha256:"):
        raise FileProblem(
            _("%(file)s: checksum mismatch: the file was changed or damaged since the export.")
            % {"file": name}
        )
    if "bytes" in resource and path.stat().st_size != resource["bytes"]:
        raise FileProblem(
            _("%(file)s: %(found)d bytes where the descriptor says %(expected)d.")
            % {"file": name, "found": path.stat().st_size, "expected": resource["bytes"]}
        )


def _fields(resource: dict[str, Any]) -> list[dict[str, Any]]:
    return list(resource.get("schema", {}).get("fields", []))


def iter_csv(folder: Path, resource: dict[str, Any]) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line, row)`` with each value parsed to its field's type; :class:`FileProblem`."""
    name = resource["path"]
    fields = _fields(resource)
    expected = [f["name"] for f in fields]
    try:
        text = (folder / name).read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise FileProblem(
            _("%(file)s: not UTF-8 text (byte %(at)d).") % {"file": name, "at": error.start}
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise FileProblem(_("%(file)s is empty: it has no header row.") % {"file": name})
        if expected and header != expected:
            missing = [c for c in expected if c not in header]
            unknown = [c for c in header if c not in expected]
            raise FileProblem(
                _(
                    "%(file)s, line 1: wrong columns (missing: %(missing)s; unknown: "
                    "%(unknown)s); expected, in this order: %(expected)s."
                )
                % {
                    "file": name,
                    "missing": ", ".join(missing) or "-",
                    "unknown": ", ".join(unknown) or "-",
                    "expected": ", ".join(expected),
                }
            )
        while True:
            line = reader.line_num + 1
            cells = next(reader, None)
            if cells is None:
                return
            if len(cells) != len(header):
                raise FileProblem(
                    _("%(file)s, line %(line)d: %(found)d fields where the header has %(n)d.")
                    % {"file": name, "line": line, "found": len(cells), "n": len(header)}
                )
            if not fields:
                yield line, dict(zip(header, cells, strict=True))
                continue
            row = {}
            for f, cell in zip(fields, cells, strict=True):
                try:
                    value = from_cell(f["type"], cell)
                except BadValue as error:
                    raise FileProblem(
                        _("%(file)s, line %(line)d, %(field)s: %(error)s.")
                        % {"file": name, "line": line, "field": f["name"], "error": error}
                    ) from None
                _required(f, value, name, line)
                row[f["name"]] = value
            yield line, row
    except csv.Error as error:
        raise FileProblem(
            _("%(file)s, line %(line)d: the CSV is broken (%(error)s).")
            % {"file": name, "line": reader.line_num, "error": error}
        ) from None


def _required(f: dict[str, Any], value: Any, name: str, line: int) -> None:
    if f.get("constraints", {}).get("required") and value in (None, ""):
        raise FileProblem(
            _("%(file)s, line %(line)d, %(field)s: a value is required.")
            % {"file": name, "line": line, "field": f["name"]}
        )


def iter_json(folder: Path, resource: dict[str, Any]) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(item number, row)`` of a JSON array of objects, checked like the CSV."""
    name = resource["path"]
    fields = _fields(resource)
    expected = [f["name"] for f in fields]
    try:
        items = json.loads((folder / name).read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise FileProblem(
            _("%(file)s, line %(line)d: not valid JSON.")
            % {"file": name, "line": getattr(error, "lineno", 1)}
        ) from None
    if not isinstance(items, list):
        raise FileProblem(_("%(file)s is not a JSON array.") % {"file": name})
    for n, item in enumerate(items, 1):
        line = n + 1  # the writer puts "[" alone on the first line, then one object a line
        if not isinstance(item, dict) or list(item) != expected:
            raise FileProblem(
                _("%(file)s, line %(line)d: an object with the keys %(expected)s is expected.")
                % {"file": name, "line": line, "expected": ", ".join(expected)}
            )
        row = {}
        for f in fields:
            try:
                value = from_json(f["type"], item[f["name"]])
            except BadValue as error:
                raise FileProblem(
                    _("%(file)s, line %(line)d, %(field)s: %(error)s.")
                    % {"file": name, "line": line, "field": f["name"], "error": error}
                ) from None
            _required(f, value, name, line)
            row[f["name"]] = value
        yield line, row


def _references(resource: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """``(field, target resource, target field, path)`` of every reference of a resource."""
    out = []
    schema = resource.get("schema", {})
    for fk in schema.get("foreignKeys", []):
        target = fk["reference"]["resource"] or resource["name"]
        out.append((fk["fields"], target, fk["reference"]["fields"], ""))
    for f in schema.get("fields", []):
        nested = f.get("cityforum:refers")
        if nested:
            out.append((f["name"], nested["resource"], nested["field"], nested["path"]))
    return out


def dataset_resources(descriptor: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """``{dataset: {"csv": resource, "json": resource}}``."""
    out: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for resource in descriptor["resources"]:
        dataset = resource.get("cityforum:dataset")
        if dataset:
            out[dataset][resource.get("format", "")] = resource
    return dict(out)


def _key(row: dict[str, Any], key: list[str]) -> str:
    return json.dumps([row[k] for k in key], default=str)


def validate_bundle(
    folder: Path, *, keep: tuple[str, ...] | None = None, with_json: bool = True
) -> Report:
    """The whole check of the bundle in ``folder``; ``keep`` names the datasets whose rows
    the report keeps (all of them by default). Raises ``ValidationError`` only for a
    missing or foreign descriptor; every other problem is in ``report.problems``."""
    folder = Path(folder)
    report = Report(descriptor=load_descriptor(folder))
    targets: dict[tuple[str, str], set[str]] = defaultdict(set)
    wanted: list[tuple[str, str, str, str, dict[str, int]]] = []
    by_dataset = dataset_resources(report.descriptor)
    for resource in report.descriptor["resources"]:
        try:
            check_file(folder, resource)
        except FileProblem as problem:
            report.add(str(problem))
            resource["cityforum:bad"] = True
    for dataset, formats in by_dataset.items():
        csv_resource = formats.get("csv")
        if csv_resource is None:
            report.add(_("The descriptor lists no CSV file for %(name)s.") % {"name": dataset})
            continue
        if csv_resource.get("cityforum:bad"):
            continue
        _check_dataset(folder, dataset, formats, report, targets, wanted, keep, with_json)
    for resource in report.descriptor["resources"]:
        if "cityforum:polis" in resource and not resource.get("cityforum:bad"):
            try:
                for _line, _row in iter_csv(folder, resource):
                    pass
            except FileProblem as problem:
                report.add(str(problem))
    for file, name, target, target_field, values in wanted:
        known = targets.get((target, target_field), set())
        missing = [(line, value) for value, line in values.items() if value not in known]
        if missing:
            line, value = min(missing)
            report.add(
                _("%(file)s, line %(line)d, %(field)s: %(value)s is not in %(target)s.%(key)s.")
                % {
                    "file": file,
                    "line": line,
                    "field": name,
                    "value": value,
                    "target": target,
                    "key": target_field,
                }
            )
    return report


def _check_dataset(
    folder: Path,
    dataset: str,
    formats: dict[str, dict[str, Any]],
    report: Report,
    targets: dict[tuple[str, str], set[str]],
    wanted: list[tuple[str, str, str, str, dict[str, int]]],
    keep: tuple[str, ...] | None,
    with_json: bool,
) -> None:
    resource = formats["csv"]
    key = list(resource.get("schema", {}).get("primaryKey", []))
    references = _references(resource)
    referenced_fields = {f["name"] for f in _fields(resource)}
    seen: set[str] = set()
    values: dict[tuple[str, str, str, str], dict[str, int]] = defaultdict(dict)
    kept: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] | None = [] if with_json and "json" in formats else None
    n = 0
    try:
        for line, row in iter_csv(folder, resource):
            n += 1
            if key:
                k = _key(row, key)
                if k in seen:
                    raise FileProblem(
                        _("%(file)s, line %(line)d: the key %(key)s appears twice.")
                        % {"file": resource["path"], "line": line, "key": k}
                    )
                seen.add(k)
            for name in referenced_fields:
                if row[name] not in (None, "") and not isinstance(row[name], dict | list):
                    targets[(dataset, name)].add(str(row[name]))
            for ref in references:
                found = values[ref]
                for value in refs.ids_in(row[ref[0]], ref[3]):
                    found.setdefault(str(value), line)
            if keep is None or dataset in keep:
                kept.append(row)
            if rows is not None:
                rows.append(row)
    except FileProblem as problem:
        report.add(str(problem))
        return
    report.rows[dataset] = n
    if keep is None or dataset in keep:
        report.tables[dataset] = kept
    for (name, target, target_field, _path), found in values.items():
        wanted.append((resource["path"], name, target, target_field, found))
    if rows is not None and not formats["json"].get("cityforum:bad"):
        _same_rows(folder, formats["json"], rows, report)


def _same_rows(
    folder: Path, resource: dict[str, Any], rows: list[dict[str, Any]], report: Report
) -> None:
    """The JSON file holds the CSV's rows, in the same order, value for value."""
    try:
        items = list(iter_json(folder, resource))
        for (line, row), expected in zip(items, rows, strict=False):
            if row != expected:
                differing = next(k for k in row if row[k] != expected[k])
                raise FileProblem(
                    _("%(file)s, line %(line)d, %(field)s: not the value of the CSV file.")
                    % {"file": resource["path"], "line": line, "field": differing}
                )
        total = len(items)
        if total != len(rows):
            raise FileProblem(
                _("%(file)s holds %(found)d rows where the CSV file holds %(n)d.")
                % {"file": resource["path"], "found": total, "n": len(rows)}
            )
    except FileProblem as problem:
        report.add(str(problem))
