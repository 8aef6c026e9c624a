"""Write the open-data bundle: a folder (and a zip of it) with every dataset as CSV and JSON.

Layout::

    datapackage.json      the Frictionless Data Package descriptor: the data dictionary
    DATA_DICTIONARY.md    the same, to read
    LICENSE.md            the forum's licence (CC BY 4.0 unless an organiser chose another)
    ATTRIBUTION.md        third-party data: GeoNames for the city registry…
    <dataset>.csv         UTF-8, a header row, columns in the descriptor's order
    <dataset>.json        an array of objects, one per line, keys in the same order
    polis/<consultation>/comments.csv, votes.csv, participants-votes.csv

Files are written in a fresh folder beside the target and moved into place at the end, so a
reader never sees half a bundle. Everything but ``datapackage.json``'s ``created`` is a
function of the database: the same data gives the same bytes (the zip included).
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cityforum import __version__

from . import documents, polis
from .datasets import DATASETS
from .schema import ARRAY, BUNDLE_VERSION, OBJECT, Dataset
from .scope import Scope
from .values import datetime_text, to_cell, to_json

DESCRIPTOR = "datapackage.json"
ZIP_NAME = "cityforum-opendata.zip"
PROFILE = "tabular-data-resource"
CSV_DIALECT = {"delimiter": ",", "lineTerminator": "\n", "quoteChar": '"', "header": True}
#: Every file of a bundle is dated this in its zip, so that the zip depends on the data only.
ZIP_DATE = (2020, 1, 1, 0, 0, 0)


class BundleError(ValueError):
    """The bundle cannot be written where asked; the message says why."""


@dataclass
class Written:
    """What was written: the folder, the zip (if any) and each dataset's row count."""

    path: Path
    zip_path: Path | None
    rows: dict[str, int] = field(default_factory=dict)
    descriptor: dict[str, Any] = field(default_factory=dict)


def canonical(value: Any) -> Any:
    """Nested JSON with its keys sorted: the same bytes whatever database stored it."""
    if isinstance(value, dict):
        return {str(k): canonical(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, list):
        return [canonical(v) for v in value]
    return value


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _write_dataset(dataset: Dataset, rows: Iterable[tuple[Any, ...]], folder: Path) -> int:
    """``<name>.csv`` and ``<name>.json`` from one pass over the rows; the row count."""
    kinds = [f.type for f in dataset.fields]
    names = dataset.names
    n = 0
    with (
        (folder / f"{dataset.name}.csv").open("w", encoding="utf-8", newline="") as csv_file,
        (folder / f"{dataset.name}.json").open("w", encoding="utf-8") as json_file,
    ):
        writer = csv.writer(csv_file, lineterminator="\n")
        writer.writerow(names)
        json_file.write("[")
        for row in rows:
            if len(row) != len(kinds):  # pragma: no cover - a dataset's bug, not the data's
                raise BundleError(f"{dataset.name}: {len(row)} values for {len(kinds)} fields")
            values = [
                canonical(v) if kind in (OBJECT, ARRAY) and v is not None else v
                for kind, v in zip(kinds, row, strict=True)
            ]
            writer.writerow([to_cell(kind, v) for kind, v in zip(kinds, values, strict=True)])
            item = {
                name: to_json(kind, v) for name, kind, v in zip(names, kinds, values, strict=True)
            }
            json_file.write(("\n" if n == 0 else ",\n") + _json_line(item))
            n += 1
        json_file.write("\n]\n" if n else "]\n")
    return n


def _json_line(item: dict[str, Any]) -> str:
    return json.dumps(item, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _resource(
    name: str, path: str, folder: Path, fmt: str, extra: dict[str, Any]
) -> dict[str, Any]:
    file = folder / path
    media = {"csv": "text/csv", "json": "application/json"}[fmt]
    return {
        "name": name,
        "path": path,
        "format": fmt,
        "mediatype": media,
        "encoding": "utf-8",
        "bytes": file.stat().st_size,
        "hash": "sha256:" + sha256_of(file),
        **extra,
    }


def _dataset_resources(dataset: Dataset, folder: Path, rows: int) -> list[dict[str, Any]]:
    common = {
        "profile": PROFILE,
        "title": str(dataset.title),
        "description": str(dataset.description),
        "cityforum:dataset": dataset.name,
        "cityforum:rows": rows,
        "cityforum:internal_ids": dataset.internal_ids,
    }
    if dataset.order:
        common["cityforum:order"] = dataset.order
    if dataset.notes:
        common["cityforum:notes"] = dataset.notes
    schema = dataset.schema()
    return [
        _resource(
            dataset.name,
            f"{dataset.name}.csv",
            folder,
            "csv",
            {**common, "dialect": CSV_DIALECT, "schema": schema},
        ),
        _resource(
            dataset.name + "-json",
            f"{dataset.name}.json",
            folder,
            "json",
            {**common, "schema": schema},
        ),
    ]


def _polis_resources(folder: Path, scope: Scope) -> list[dict[str, Any]]:
    resources = []
    for consultation in polis.consultations_with_statements():
        base = Path("polis") / consultation.slug
        (folder / base).mkdir(parents=True, exist_ok=True)
        for name, text in polis.polis_files(consultation, scope.statement_ids).items():
            (folder / base / name).write_text(text, encoding="utf-8")
            stem = name.removesuffix(".csv")
            extra: dict[str, Any] = {
                "profile": PROFILE,
                "title": f"Pol.is {name}: {consultation.slug}",
                "dialect": CSV_DIALECT,
                "cityforum:polis": {"consultation": consultation.slug, "file": name},
            }
            schema = polis.polis_schema(name)
            if schema:
                extra["schema"] = schema
            resources.append(
                _resource(
                    f"polis-{consultation.slug}-{stem}", str(base / name), folder, "csv", extra
                )
            )
    return resources


def _forums() -> list[Any]:
    from cityforum.programme.models import Forum

    return list(Forum.objects.order_by("-edition", "slug"))


def descriptor(
    resources: list[dict[str, Any]], forums: list[Any], input_sha256: str
) -> dict[str, Any]:
    licences = []
    for forum in forums:
        entry = {"name": forum.licence, "path": forum.licence_url, "title": forum.licence_name}
        if entry not in licences:
            licences.append(entry)
    geonames = documents.GEONAMES_LICENCE
    return {
        "profile": "tabular-data-package",
        "name": "cityforum-opendata",
        "title": "World Forum of Intermediary Cities — open data",
        "description": (
            "The public data of the consultation platform: programme, contributions, "
            "statements and votes (pseudonymous), syntheses, co-drafted documents, "
            "assessments and the city registry with its roles. See DATA_DICTIONARY.md."
        ),
        "version": f"{BUNDLE_VERSION}.0.0",
        "created": datetime_text(timezone.now()),
        "licenses": licences or [documents.DEFAULT_LICENCE],
        "sources": [{"title": geonames["title"], "path": geonames["source"]}],
        "cityforum:bundle_version": BUNDLE_VERSION,
        "cityforum:software_version": __version__,
        "cityforum:input_sha256": input_sha256,
        "resources": resources,
    }


def _prepare_target(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise BundleError(_("%(path)s exists and is not a folder.") % {"path": out})
    if out.is_dir() and any(out.iterdir()) and not (out / DESCRIPTOR).exists():
        raise BundleError(
            _("%(path)s is not empty and holds no open-data bundle: choose another folder.")
            % {"path": out}
        )


def write_zip(folder: Path, zip_path: Path) -> Path:
    """The folder as a zip, files in name order, all dated alike: same data, same bytes."""
    partial = zip_path.with_name(zip_path.name + ".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(p for p in folder.rglob("*") if p.is_file()):
            name = f"{folder.name}/{file.relative_to(folder).as_posix()}"
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            with file.open("rb") as source, archive.open(info, "w") as target:
                shutil.copyfileobj(source, target, 1 << 20)
    partial.replace(zip_path)
    return zip_path


def write_bundle(out: Path, *, make_zip: bool = False, input_sha256: str | None = None) -> Written:
    """Write the bundle into ``out`` (created, or replaced if it holds a bundle).

    ``make_zip`` also writes ``<out>.zip`` beside it. Raises :class:`BundleError` when
    ``out`` is a file, or a folder that holds something else.
    """
    from .fingerprint import input_checksum

    out = Path(out)
    _prepare_target(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    scope = Scope()
    written = Written(path=out, zip_path=None)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        with translation.override("en"):
            resources: list[dict[str, Any]] = []
            for dataset in DATASETS.values():
                written.rows[dataset.name] = _write_dataset(dataset, dataset.rows(scope), work)
                resources += _dataset_resources(dataset, work, written.rows[dataset.name])
            resources += _polis_resources(work, scope)
            forums = _forums()
            package = descriptor(resources, forums, input_sha256 or input_checksum())
            (work / DESCRIPTOR).write_text(
                json.dumps(package, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
            documents.write_documents(work, package, forums)
        written.descriptor = package
        if out.exists():
            old = out.with_name(f".{out.name}-old")
            if old.exists():
                shutil.rmtree(old)
            out.replace(old)
            work.replace(out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            work.replace(out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    if make_zip:
        written.zip_path = write_zip(out, out.with_name(out.name + ".zip"))
    return written
