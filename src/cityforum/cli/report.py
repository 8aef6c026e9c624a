"""``cityforum report``: the outcome documents as files, as the site serves them.

``cityforum report forum [--language fr|en|es] [--format pdf|md|html] [--out FILE]``
writes the forum's outcome document; ``cityforum report consultation ID …`` one
consultation's report (ID: its slug or number); ``cityforum report brief …`` the G20 brief
(the adopted recommendations to the global level, two A4 pages at most). ``--out -`` writes
to the standard output; without ``--out`` the file is named after the report in the current
folder. ``--base-url https://host`` makes the links to the sources absolute.

Bad input (an unknown consultation, language or format, a folder that cannot be written)
stops with one line and exit status 2, before anything is rendered or written; the file is
written whole or not at all (a temporary file beside it, then renamed).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

from .django_setup import setup_django


class ReportError(click.ClickException):
    """An expected failure: one line for the person, exit status 2, nothing written."""

    exit_code = 2


def _(message: str) -> str:
    from django.utils.translation import gettext

    return str(gettext(message))


def _check_out(out: str | None) -> Path | None:
    """The file to write (``None``: standard output), refused early when it cannot be."""
    if out == "-":
        return None
    path = Path(out) if out else None
    if path is None:
        return None
    if path.is_dir():
        raise ReportError(_("%(path)s is a folder: give a file name.") % {"path": path})
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ReportError(_("The folder %(path)s does not exist.") % {"path": folder})
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise ReportError(_("%(path)s cannot be written here.") % {"path": path})
    return path


def write_atomically(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` whole or not at all."""
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(name, 0o644)
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def _clean(language: str, format: str) -> tuple[str, str]:
    from django.core.exceptions import ValidationError

    from cityforum.reports.render import clean_format, clean_language

    try:
        return clean_language(language), clean_format(format)
    except ValidationError as error:
        raise ReportError(" ".join(error.messages)) from None


def _consultation(identifier: str) -> Any:
    from cityforum.programme.models import Consultation

    rows = Consultation.objects.select_related("forum", "region").order_by("-forum__edition")
    found = rows.filter(slug=identifier).first()
    if found is None and identifier.isdigit():
        found = rows.filter(pk=int(identifier)).first()
    if found is None:
        raise ReportError(_("No consultation is called “%(slug)s”.") % {"slug": identifier})
    return found


def _emit(report: Any, format: str, out: str | None) -> None:
    from cityforum.reports.render import render

    path = _check_out(out)
    content, _type, filename = render(report, format)
    if out == "-":
        sys.stdout.buffer.write(content)
        sys.stdout.buffer.flush()
        return
    target = path or Path(filename)
    try:
        write_atomically(target, content)
    except OSError as error:
        raise ReportError(
            _("%(path)s cannot be written: %(error)s") % {"path": target, "error": error.strerror}
        ) from None
    click.echo(
        _("Wrote %(path)s (%(size)d bytes).") % {"path": target, "size": len(content)}, err=True
    )


OPTIONS = [
    click.option(
        "--language",
        default="fr",
        show_default=True,
        help="The document's language: fr, en or es.",
    ),
    click.option(
        "--format",
        "format",
        default="pdf",
        show_default=True,
        help="pdf, md (Markdown) or html.",
    ),
    click.option(
        "--out",
        default=None,
        help="The file to write ('-': standard output; default: named after the report).",
    ),
    click.option(
        "--base-url",
        default="",
        help="The site's address (https://host), to make the links to the sources absolute.",
    ),
]


def _with_options(func: Any) -> Any:
    for option in reversed(OPTIONS):
        func = option(func)
    return func


@click.group()
def report() -> None:
    """Write the outcome documents (PDF, Markdown, HTML) in French, English or Spanish."""


@report.command("forum")
@_with_options
def forum(language: str, format: str, out: str | None, base_url: str) -> None:
    """The forum's outcome document."""
    setup_django()
    from cityforum.programme.models import Forum
    from cityforum.reports.assemble import forum_report

    language, format = _clean(language, format)
    _check_out(out)
    edition = Forum.objects.order_by("-edition").first()
    if edition is None:
        raise ReportError(_("No forum has been set up yet: run “cityforum init” first."))
    _emit(forum_report(edition, language, base_url.rstrip("/")), format, out)


@report.command("brief")
@_with_options
def brief(language: str, format: str, out: str | None, base_url: str) -> None:
    """The G20 brief: the adopted recommendations addressed to the global level."""
    setup_django()
    from cityforum.programme.models import Forum
    from cityforum.reports.brief import g20_brief

    language, format = _clean(language, format)
    _check_out(out)
    edition = Forum.objects.order_by("-edition").first()
    if edition is None:
        raise ReportError(_("No forum has been set up yet: run “cityforum init” first."))
    _emit(g20_brief(edition, language, base_url.rstrip("/")), format, out)


@report.command("consultation")
@click.argument("identifier", metavar="ID")
@_with_options
def consultation(
    identifier: str, language: str, format: str, out: str | None, base_url: str
) -> None:
    """One consultation's report (ID: its slug or number)."""
    setup_django()
    from cityforum.reports.assemble import consultation_report

    language, format = _clean(language, format)
    _check_out(out)
    found = _consultation(identifier)
    _emit(consultation_report(found, language, base_url.rstrip("/")), format, out)
