"""``cityforum import polis`` and ``cityforum import statements``: statements and votes
into a consultation, from a Pol.is export folder or a CSV of statements."""

from __future__ import annotations

from pathlib import Path

import click

from .django_setup import setup_django


def _consultation(slug: str):  # type: ignore[no-untyped-def]
    from django.utils.translation import gettext as _

    from cityforum.programme.models import Consultation

    consultation = Consultation.objects.filter(slug=slug).first()
    if consultation is None:
        raise click.ClickException(_("No consultation is called “%(slug)s”.") % {"slug": slug})
    return consultation


@click.command("polis")
@click.argument("consultation_slug")
@click.argument(
    "folder", type=click.Path(exists=True, file_okay=False, path_type=Path), metavar="DIR"
)
def import_polis(consultation_slug: str, folder: Path) -> None:
    """Import a Pol.is export (comments.csv with votes.csv or participants-votes.csv).

    Comments become accepted statements (moderated-out ones rejected), participants
    pseudonymous voters, the vote log the history and the last vote of each the current
    one. All or nothing.
    """
    setup_django()
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from cityforum.statements import services

    consultation = _consultation(consultation_slug)
    try:
        report = services.import_polis(consultation, folder, by=None, operator=True)
    except ValidationError as error:
        raise click.ClickException(
            _("Nothing was imported.") + "\n" + "\n".join(error.messages)
        ) from None
    click.echo(
        _(
            "Imported %(statements)d statements, %(voters)d voters, %(votes)d current votes "
            "(%(events)d in the history) into “%(title)s”."
        )
        % {
            "statements": report.statements,
            "voters": report.voters,
            "votes": report.votes,
            "events": report.events,
            "title": consultation.title,
        }
    )


@click.command("statements")
@click.argument("consultation_slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_statements(consultation_slug: str, file: Path) -> None:
    """Import statements from a UTF-8 CSV with the columns text,language (accepted at once).

    All rows or none: every invalid row is reported with its line number.
    """
    setup_django()
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from cityforum.statements import services

    consultation = _consultation(consultation_slug)
    try:
        created = services.import_statements_csv(
            consultation, file.read_bytes(), by=None, name=file.name, operator=True
        )
    except ValidationError as error:
        raise click.ClickException(
            _("Nothing was imported.") + "\n" + "\n".join(error.messages)
        ) from None
    click.echo(
        _("Imported %(n)d statements into “%(title)s”.")
        % {"n": len(created), "title": consultation.title}
    )
