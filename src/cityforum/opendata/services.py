"""Importing an open-data bundle into a fresh instance: the one write of this app.

The bundle is checked whole before anything is written (:mod:`.validate`: descriptor and
version, files and checksums, columns, types, keys, references; then what only the database
can say: the instance is fresh, the Pol.is folders read), then written in one transaction
(:mod:`.importer`); any problem leaves the database as it was.
"""

from __future__ import annotations

import contextlib
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cityforum.core.audit import record

from . import importer
from .datasets import DATASETS
from .validate import Report, dataset_resources, validate_bundle

#: Rows the import needs in memory (the votes are read from the Pol.is folders).
NEEDED = tuple(name for name in DATASETS if name != "votes")


@dataclass(frozen=True)
class Imported:
    """How many rows of each dataset were written."""

    rows: dict[str, int] = field(default_factory=dict)


@contextlib.contextmanager
def opened(path: Path) -> Iterator[Path]:
    """The bundle's folder: ``path`` itself, or a zip (as exported) unpacked for the import."""
    path = Path(path)
    if path.is_file() and zipfile.is_zipfile(path):
        with tempfile.TemporaryDirectory(prefix="cityforum-opendata-") as tmp:
            with zipfile.ZipFile(path) as archive:
                archive.extractall(tmp)  # zipfile drops ".." and absolute parts of names
            folders = [p for p in Path(tmp).iterdir() if p.is_dir()]
            yield (
                folders[0]
                if len(folders) == 1 and not (Path(tmp) / "datapackage.json").exists()
                else Path(tmp)
            )
        return
    if not path.exists():
        raise ValidationError(_("%(path)s does not exist.") % {"path": path}, code="missing")
    yield path


def _check_schemas(report: Report) -> None:
    """The bundle's datasets are this version's, column for column."""
    found = dataset_resources(report.descriptor)
    for name, dataset in DATASETS.items():
        resource = found.get(name, {}).get("csv")
        if resource is None:
            report.add(
                _("The bundle has no %(name)s dataset: it is not a bundle of this version.")
                % {"name": name}
            )
            continue
        columns = [
            (f.get("name"), f.get("type")) for f in resource.get("schema", {}).get("fields", [])
        ]
        if columns != [(f.name, f.type) for f in dataset.fields]:
            report.add(
                _(
                    "%(file)s: the descriptor's columns are not those of this version "
                    "(expected: %(expected)s)."
                )
                % {"file": resource.get("path"), "expected": ", ".join(dataset.names)}
            )


def _check_instance(tables: dict[str, list[dict[str, Any]]], report: Report) -> None:
    """The instance is fresh: nothing the import writes is there already."""
    from cityforum.assessments.models import Assessment
    from cityforum.drafting.models import Amendment, ArticleOpinion, ArticleSource, Signature
    from cityforum.participation.models import Contribution
    from cityforum.statements.models import Statement, Voter
    from cityforum.synthesis.models import OpinionMapRun, ThemeRun

    held: list[tuple[Any, str]] = [
        (Contribution, _("contributions")),
        (Statement, _("statements")),
        (Voter, _("voters")),
        (ThemeRun, _("themes syntheses")),
        (OpinionMapRun, _("opinion maps")),
        (Amendment, _("amendments")),
        (ArticleOpinion, _("opinions on articles")),
        (ArticleSource, _("sources of articles")),
        (Signature, _("signatures")),
        (Assessment, _("assessments")),
    ]
    for model, what in held:
        n = model.objects.count()
        if n:
            report.add(
                _(
                    "This instance already holds %(n)d %(what)s: import into a fresh instance "
                    "(cityforum init --skip-cities on an empty database)."
                )
                % {"n": n, "what": what}
            )
            return
    forums = {row["slug"] for row in tables["forums"]}
    for row in tables["consultations"]:
        if row["forum"] not in forums:  # pragma: no cover - the references check says it first
            report.add(_("consultations.csv: unknown forum %(slug)s.") % {"slug": row["forum"]})
    seen: set[int] = set()
    for line, row in enumerate(tables["assessments"], 2):
        if row["agenda"] is not None and row["agenda"] not in seen:
            report.add(
                _(
                    "assessments.csv, line %(line)d: the agenda %(id)d must come before its "
                    "projects."
                )
                % {"line": line, "id": row["agenda"]}
            )
            return
        seen.add(row["id"])


def _check_polis(folder: Path, tables: dict[str, list[dict[str, Any]]], report: Report) -> None:
    """Each consultation with statements has its Pol.is folder, listing exactly them."""
    from cityforum.analysis.polis_export import PolisExportError, read_polis_export

    expected: dict[str, set[int]] = {}
    for row in tables["statements"]:
        expected.setdefault(row["consultation"], set()).add(row["id"])
    for slug, ids in sorted(expected.items()):
        polis = folder / "polis" / slug
        try:
            export = read_polis_export(polis)
        except (PolisExportError, OSError) as error:
            report.add(str(error))
            continue
        if set(export.statement_ids.tolist()) != ids:
            report.add(
                _("polis/%(slug)s/comments.csv does not list the statements of statements.csv.")
                % {"slug": slug}
            )


def check_bundle(folder: Path) -> Report:
    """Every check, nothing written; ``report.problems`` says what is wrong."""
    report = validate_bundle(folder, keep=NEEDED, with_json=False)
    _check_schemas(report)
    if report.ok:
        _check_polis(folder, report.tables, report)
        _check_instance(report.tables, report)
    return report


def import_bundle(path: Path, *, by: Any = None, operator: bool = False) -> Imported:
    """Import the bundle at ``path`` (a folder, or its zip) into this fresh instance.

    Organisers may import; so does the server's operator at the command line
    (``operator``). Raises ``ValidationError`` listing the problems found (one sentence
    each, naming file and line), with nothing written.
    """
    if not operator and not rules.has_perm("opendata.import_bundle", by):
        raise PermissionDenied(_("Only organisers may import open data."))
    with opened(path) as folder:
        report = check_bundle(folder)
        report.raise_if_bad()
        return _write(folder, report.tables, by)


@transaction.atomic
def _write(folder: Path, tables: dict[str, list[dict[str, Any]]], by: Any) -> Imported:
    maps: dict[str, importer.IdMap] = {}
    consultations = importer.write_programme(tables)
    importer.write_registry(tables)
    maps["organisations"] = importer.write_organisations(tables)
    maps["contributions"] = importer.write_contributions(tables, consultations, maps)
    maps["statements"] = importer.write_statements(tables, consultations, folder)
    maps["theme_runs"] = importer.write_theme_runs(tables, consultations, maps)
    maps["opinion_maps"] = importer.write_opinion_maps(tables, consultations, maps)
    importer.write_documents(tables, consultations, maps)
    importer.write_assessments(tables)
    maps["recommendations"] = importer.write_recommendations(tables, consultations, maps)
    rows = {name: len(tables.get(name, [])) for name in DATASETS if name != "votes"}
    forum = next(iter(consultations.values())).forum if consultations else None
    if forum is not None:
        record("opendata.import", forum, actor=by, rows=rows)
    return Imported(rows=rows)
