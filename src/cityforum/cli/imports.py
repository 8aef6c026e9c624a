"""``cityforum import …``: bring data gathered elsewhere into a consultation.

Every importer reads the whole file first and writes all of it or nothing; each bad row
is reported with its line number. Other apps add their own subcommands to the group
with ``import_.add_command(…)``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import click

from .django_setup import setup_django


@click.group("import")
def import_() -> None:
    """Import contributions (and more) from files into a consultation."""


def read_csv_rows(
    path: Path, required: tuple[str, ...], optional: tuple[str, ...]
) -> list[tuple[int, dict[str, str]]]:
    """``(line, row)`` pairs of a UTF-8 CSV file with the named columns; ValueError if not."""
    from django.utils.translation import gettext as _

    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(
            _("%(file)s is not UTF-8 (byte %(at)d): save it as UTF-8 CSV and try again.")
            % {"file": path.name, "at": error.start}
        ) from None
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        columns = [c.strip() for c in (reader.fieldnames or [])]
    except csv.Error as error:
        raise ValueError(_("Line 1: %(error)s.") % {"error": error}) from None
    missing = [c for c in required if c not in columns]
    unknown = [c for c in columns if c not in required + optional]
    if missing or unknown:
        raise ValueError(
            _(
                "Wrong columns in %(file)s: missing %(missing)s, unknown %(unknown)s. "
                "The columns are: %(expected)s."
            )
            % {
                "file": path.name,
                "missing": ", ".join(missing) or "-",
                "unknown": ", ".join(unknown) or "-",
                "expected": ", ".join(required + optional),
            }
        )
    reader.fieldnames = columns
    rows: list[tuple[int, dict[str, str]]] = []
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise ValueError(
                _("Line %(line)d: the file is not valid CSV (%(error)s); check its quotes.")
                % {"line": line, "error": error}
            ) from None
        if None in row:
            raise ValueError(
                _("Line %(line)d has more values than there are columns.") % {"line": line}
            )
        rows.append((line, {k: v or "" for k, v in row.items()}))
    return rows


@import_.command("contributions")
@click.argument("consultation_slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_contributions(consultation_slug: str, file: Path) -> None:
    """Import contributions from a UTF-8 CSV file into an open consultation.

    Columns: author_email, type, title, body, capitals (codes separated by ";"), and
    optionally language, organisation, meeting_name, meeting_date, meeting_place (a row
    with a meeting is workshop minutes on behalf of its organisation). All rows or none.
    """
    setup_django()
    from django.utils.translation import gettext as _

    from cityforum.participation import services
    from cityforum.programme.models import Consultation

    consultation = Consultation.objects.filter(slug=consultation_slug).first()
    if consultation is None:
        raise click.ClickException(
            _("No consultation is called “%(slug)s”.") % {"slug": consultation_slug}
        )
    try:
        rows = read_csv_rows(file, services.IMPORT_REQUIRED, services.IMPORT_OPTIONAL)
        created = services.import_contributions(consultation, rows)
    except (ValueError, services.PermissionDenied) as error:
        raise click.ClickException(str(error)) from None
    except services.ValidationError as error:
        raise click.ClickException(
            _("Nothing was imported.") + "\n" + "\n".join(error.messages)
        ) from None
    click.echo(
        _("Imported %(n)d contributions into “%(title)s”.")
        % {"n": len(created), "title": consultation.title}
    )
