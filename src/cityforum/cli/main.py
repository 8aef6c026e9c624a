"""The ``cityforum`` command: one entry point for installing, serving and running the forum.

Each command starts Django only when it needs it, and turns validation errors into a
short message and exit status 2, with nothing written.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from .django_setup import setup_django

F = TypeVar("F", bound=Callable[..., Any])


def reports_errors(func: F) -> F:
    """Show a person-readable message instead of a traceback for expected failures."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from django.core.exceptions import ValidationError

        try:
            return func(*args, **kwargs)
        except ValidationError as error:
            raise click.ClickException(" ".join(error.messages)) from None
        except ValueError as error:
            raise click.ClickException(str(error)) from None

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cityforum")
def cli() -> None:
    """cityforum: the platform of the World Forum of Intermediary Cities."""


@cli.command()
@click.option(
    "--programme",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Programme data file (TOML); the bundled forum programme by default.",
)
@click.option(
    "--min-population",
    type=int,
    default=None,
    help="Smallest place loaded into the city registry (default 1000).",
)
@click.option("--skip-cities", is_flag=True, help="Do not load the city registry.")
def init(programme: str | None, min_population: int | None, skip_cities: bool) -> None:
    """Migrate the database and load the programme and the city registry (idempotent)."""
    setup_django()
    from pathlib import Path

    from django.conf import settings
    from django.core.management import call_command

    from cityforum.cities.registry import RegistryDataError, load_registry
    from cityforum.programme.seed import DEFAULT_PROGRAMME, ProgrammeDataError, load_programme

    settings_db = settings.DATABASES["default"]
    if settings_db["ENGINE"].endswith("sqlite3"):
        Path(str(settings_db["NAME"])).parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    try:
        report = load_programme(Path(programme) if programme else DEFAULT_PROGRAMME)
    except ProgrammeDataError as error:
        raise click.ClickException(str(error)) from None
    from django.utils.translation import gettext as _

    created = ", ".join(f"{name} {n}" for name, n in report.created.items() if n)
    click.echo(_("Programme: %(created)s.") % {"created": created or _("already loaded")})
    if not skip_cities:
        try:
            registry = load_registry(min_population or settings.CITYFORUM_MIN_CITY_POPULATION)
        except RegistryDataError as error:
            raise click.ClickException(str(error)) from None
        if registry.skipped:
            click.echo(_("City registry: already loaded."))
        else:
            click.echo(
                _("City registry: %(countries)d countries, %(cities)d cities added.")
                % {"countries": registry.countries, "cities": registry.cities}
            )
    from cityforum.assessments.seed import prepare_measurement

    click.echo(prepare_measurement(with_roles=not skip_cities))
    from cityforum.drafting.seed import load_code_of_conduct

    document = load_code_of_conduct()
    click.echo(_("Code of Conduct for Resilience: %(title)s.") % {"title": document.title_fr})
    click.echo(_("Ready in %(seconds).1f s.") % {"seconds": time.perf_counter() - started})


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=None,
    help="Port to listen on (default: $PORT or 8000).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Worker processes (default: $WEB_CONCURRENCY or 2).",
)
@click.option("--dev", is_flag=True, help="Django's development server with auto-reload and DEBUG.")
def serve(host: str, port: int | None, workers: int | None, dev: bool) -> None:
    """Serve the site (gunicorn; static files by WhiteNoise)."""
    port = port or int(os.environ.get("PORT", "8000"))
    if dev:
        os.environ["DJANGO_SETTINGS_MODULE"] = "cityforum.settings.dev"
        setup_django()
        from django.core.management import call_command

        call_command("runserver", f"{host}:{port}")
        return
    if host in {"127.0.0.1", "localhost", "::1"}:
        # Bound to loopback, so no TLS in front: cookies marked Secure would never come back,
        # and a redirect to HTTPS would lead nowhere.
        os.environ.setdefault("SECURE_COOKIES", "0")
        os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    setup_django()
    from django.core.management import call_command
    from django.utils.translation import gettext as _

    if _pending_migrations():
        raise click.ClickException(
            _("The database is not ready (migrations pending): run “cityforum init” first.")
        )
    _collect_static()
    from .server import run_gunicorn

    run_gunicorn(host, port, workers or int(os.environ.get("WEB_CONCURRENCY", "2")))


def _collect_static() -> None:
    """``collectstatic`` when the static sources changed since the last collection only.

    Compressing and hashing every file (WhiteNoise's manifest storage) takes seconds to a
    minute on a small machine; restarting the server should not pay for it each time.
    """
    import hashlib

    from django.conf import settings
    from django.contrib.staticfiles.finders import get_finders
    from django.core.management import call_command

    digest = hashlib.sha256()
    for finder in get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    stamp = Path(settings.STATIC_ROOT) / ".sources.sha256"
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if stamp.exists() and manifest.exists() and stamp.read_text() == digest.hexdigest():
        return
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.write_text(digest.hexdigest())


def _pending_migrations() -> bool:
    """Serving an unmigrated database would answer every page with a server error."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


@cli.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage(args: tuple[str, ...]) -> None:
    """Run any Django management command, e.g. ``cityforum manage createsuperuser``."""
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["cityforum manage", *args])


@cli.group()
def users() -> None:
    """Create people and API tokens."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True, help="At least 8 characters, not a common one.")
@click.option(
    "--role",
    type=click.Choice(["participant", "moderator", "organiser"]),
    default="participant",
    show_default=True,
)
@click.option(
    "--region",
    "regions",
    multiple=True,
    help="For a moderator: a region code they moderate (repeatable).",
)
@reports_errors
def users_create(email: str, password: str, role: str, regions: tuple[str, ...]) -> None:
    """Create a user with a role."""
    setup_django()
    from django.utils.translation import gettext as _

    from cityforum.people.services import create_user

    user = create_user(email, password, role, regions)
    click.echo(
        _("Created %(email)s (%(role)s).") % {"email": user.email, "role": user.get_role_display()}
    )


@users.command("token")
@click.option("--email", required=True)
@reports_errors
def users_token(email: str) -> None:
    """Issue an API token; it is printed on the last line, once."""
    setup_django()
    from django.utils.translation import gettext as _

    from cityforum.people.services import issue_token

    token = issue_token(email)
    click.echo(_("Keep this token secret; it is shown only once:"), err=True)
    click.echo(token)


from .cities import cities  # noqa: E402

cli.add_command(cities)


from .analyse import analyse  # noqa: E402

cli.add_command(analyse)


from .imports import import_  # noqa: E402

cli.add_command(import_)


from .polis import import_polis, import_statements  # noqa: E402

import_.add_command(import_polis)
import_.add_command(import_statements)  # noqa: E702


from .opendata import export, import_opendata  # noqa: E402

cli.add_command(export)
import_.add_command(import_opendata)


from .synthesize import synthesize  # noqa: E402

cli.add_command(synthesize)


from .report import report  # noqa: E402

cli.add_command(report)


from .backup import backup, restore  # noqa: E402
from .demo import demo  # noqa: E402

cli.add_command(demo)

cli.add_command(backup)
cli.add_command(restore)


def main() -> None:  # pragma: no cover - console entry
    cli(prog_name="cityforum")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
