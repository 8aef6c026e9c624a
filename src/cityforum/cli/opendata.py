"""``cityforum export opendata`` and ``cityforum import opendata``: the open-data bundle.

The export writes every public dataset as CSV and JSON with its data dictionary, licence and
attributions (``docs/opendata.md``); the import brings a bundle into a fresh instance, all of
it or nothing, and says in one line per problem what is wrong.
"""

from __future__ import annotations

from pathlib import Path

import click

from .django_setup import setup_django


@click.group("export")
def export() -> None:
    """Export the forum's data."""


@export.command("opendata")
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    metavar="DIR",
    help="Folder to write (replaced if it holds a bundle); default: the site's copy, "
    "var/opendata/, which the download page then serves.",
)
@click.option("--zip", "make_zip", is_flag=True, help="Also write DIR.zip beside the folder.")
def export_opendata(out: Path | None, make_zip: bool) -> None:
    """Write the open-data bundle: every public dataset as CSV and JSON, datapackage.json
    (the data dictionary), LICENSE.md and ATTRIBUTION.md. No personal data."""
    setup_django()
    from django.utils.translation import gettext as _

    from cityforum.opendata.bundle import BundleError, write_bundle
    from cityforum.opendata.site import publish

    try:
        written = write_bundle(out, make_zip=make_zip) if out else publish(force=True).written
    except BundleError as error:
        raise click.ClickException(str(error)) from None
    assert written is not None  # publish(force=True) always writes
    total = sum(written.rows.values())
    click.echo(
        _("Wrote %(n)d datasets (%(rows)d rows) to %(path)s.")
        % {"n": len(written.rows), "rows": total, "path": written.path}
    )
    if written.zip_path:
        click.echo(_("Zip: %(path)s") % {"path": written.zip_path})


@click.command("opendata")
@click.argument("bundle", type=click.Path(path_type=Path), metavar="DIR")
def import_opendata(bundle: Path) -> None:
    """Import an open-data bundle (its folder, or its zip) into a fresh instance, after
    ``cityforum init --skip-cities``. Everything is checked first; all of it or nothing."""
    setup_django()
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from cityforum.opendata.services import import_bundle

    try:
        imported = import_bundle(bundle, operator=True)
    except ValidationError as error:
        raise click.ClickException(
            _("Nothing was imported.") + "\n" + "\n".join(error.messages)
        ) from None
    rows = imported.rows
    click.echo(
        _(
            "Imported %(contributions)d contributions, %(statements)d statements with their "
            "votes, %(documents)d documents, %(syntheses)d syntheses and %(assessments)d "
            "assessments."
        )
        % {
            "contributions": rows.get("contributions", 0),
            "statements": rows.get("statements", 0),
            "documents": rows.get("documents", 0),
            "syntheses": rows.get("theme_runs", 0) + rows.get("opinion_maps", 0),
            "assessments": rows.get("assessments", 0),
        }
    )
