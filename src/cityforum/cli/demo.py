"""``cityforum demo``: build a demonstration forum from real public consultations into its own
database (``var/demo.sqlite3`` by default, rebuilt from scratch every time), then serve it.

The demo's accounts have public passwords, so it listens on this machine only unless
``--allow-public`` says otherwise. It never touches the forum's own database: the database
is chosen here, before Django starts, and the real one is refused as ``--out``.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import click

from .django_setup import setup_django

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


def _(message: str) -> str:
    from django.utils.translation import gettext

    return str(gettext(message))


def _default_out() -> Path:
    from cityforum.settings.paths import VAR_DIR

    return VAR_DIR / "demo.sqlite3"


def _check_out(out: Path, forum_database: str) -> None:
    """Refuse the forum's own database (the default file, or the one DATABASE_URL names)."""
    from cityforum.settings.paths import VAR_DIR

    real = {(VAR_DIR / "cityforum.sqlite3").resolve()}
    if forum_database.startswith("sqlite:///"):
        real.add(Path(forum_database.removeprefix("sqlite://")).resolve())
    if out in real:
        raise click.UsageError(
            _("%(path)s is the forum's own database: give the demo another file.") % {"path": out}
        )
    if out.is_dir():
        raise click.UsageError(
            _("%(path)s is a folder: give the demo's database a file name.") % {"path": out}
        )


def _remove_previous(out: Path) -> None:
    """Rebuilt from scratch: the database (with its WAL files) and what was made beside it."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{out}{suffix}").unlink(missing_ok=True)


@click.command()
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="The demo's SQLite database (default: var/demo.sqlite3); replaced every time.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=None,
    help="Port to listen on (default: $PORT or 8000).",
)
@click.option(
    "--allow-public",
    is_flag=True,
    help="Listen on an address other than this machine's, although the accounts are public.",
)
@click.option("--small", is_flag=True, help="A small slice of the data (the tests build this).")
@click.option("--no-serve", is_flag=True, help="Build the demo database, then stop.")
def demo(
    out: Path | None,
    host: str,
    port: int | None,
    allow_public: bool,
    small: bool,
    no_serve: bool,
) -> None:
    """Build a demonstration forum from public consultations and serve it."""
    forum_database = os.environ.get("DATABASE_URL", "")
    out = (out or _default_out()).expanduser().resolve()
    os.environ["DATABASE_URL"] = f"sqlite:///{out}"
    os.environ["CITYFORUM_DEMO"] = "1"
    if host in LOOPBACK:
        os.environ.setdefault("SECURE_COOKIES", "0")
        os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    setup_django()  # connects to nothing yet: the checks below run before any write
    if host not in LOOPBACK and not allow_public and not no_serve:
        raise click.UsageError(
            _(
                "The demo's accounts have public passwords, so it listens on this machine only "
                "(--host 127.0.0.1). To listen on %(host)s anyway, add --allow-public."
            )
            % {"host": host}
        )
    _check_out(out, forum_database)
    out.parent.mkdir(parents=True, exist_ok=True)
    _remove_previous(out)
    from django.conf import settings

    from cityforum.demo.accounts import DEMO_ACCOUNTS
    from cityforum.demo.builder import DemoBuild, build
    from cityforum.demo.outcome_report import report_folder
    from cityforum.demo.sources import SHARED

    for folder in (Path(settings.CITYFORUM_OPENDATA_DIR), report_folder()):
        shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    click.echo(_("Building the demonstration forum into %(path)s…") % {"path": out})
    build(DemoBuild(small=small, shared=SHARED if SHARED.is_dir() else None, echo=click.echo))
    click.echo(_("Demo built in %(s).0f s.") % {"s": time.perf_counter() - started})
    click.echo("")
    click.echo(_("Demo accounts (public passwords; see the About page):"))
    for account in DEMO_ACCOUNTS:
        click.echo(f"  {account.role:<12} {account.email:<38} {account.password}")
    if no_serve:
        return
    port = port or int(os.environ.get("PORT", "8000"))
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    click.echo("")
    click.echo(
        _("The demo is serving on http://%(host)s:%(port)d/ (Ctrl-C to stop).")
        % {"host": shown, "port": port}
    )
    click.echo(f"{_('About this demo')}: http://{shown}:{port}/en/demo/about/")
    from .main import _collect_static
    from .server import run_gunicorn

    _collect_static()
    run_gunicorn(host.strip("[]"), port, int(os.environ.get("WEB_CONCURRENCY", "2")))
