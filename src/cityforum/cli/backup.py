"""``cityforum backup --out FILE`` and ``cityforum restore FILE``: the database in one file.

SQLite is copied with SQLite's online backup (``sqlite3.Connection.backup``): one read
transaction, so the copy is consistent while the forum goes on writing (WAL lets writers
proceed beside a reader). PostgreSQL is dumped with ``pg_dump -Fc``, which reads one
snapshot, and restored with ``pg_restore --clean --if-exists --single-transaction``: all
or nothing. The binaries come from Debian's ``postgresql`` package (the newest under
``/usr/lib/postgresql/*/bin``), ``$PG_BINDIR``, or ``PATH``.

A backup file is a header line, a JSON manifest line (engine, creation time, version,
size and SHA-256 of the payload) and the payload: restore refuses a file of the other
engine, a truncated or damaged one, and a database that already holds data unless
``--force``. Files are written to a temporary name and renamed, so a failed run leaves
nothing half-written. Bad input ends with one readable line and exit status 2.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import click

from .django_setup import setup_django

MAGIC = b"CITYFORUM-BACKUP/1\n"
#: A manifest line longer than this is not ours (and is not read into memory).
MAX_MANIFEST = 64 * 1024
CHUNK = 1024 * 1024
ENGINES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


class BackupError(click.ClickException):
    """An expected failure: one line for the person, exit status 2, nothing written."""

    exit_code = 2


def _(message: str) -> str:
    from django.utils.translation import gettext

    return gettext(message)


# --- The database in use -----------------------------------------------------------------


def _database() -> dict[str, Any]:
    from django.conf import settings

    return dict(settings.DATABASES["default"])


def _engine(database: dict[str, Any]) -> str:
    engine = str(database.get("ENGINE", ""))
    if engine.endswith("sqlite3"):
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise BackupError(_("Only SQLite and PostgreSQL databases can be backed up."))


def pg_bindir() -> Path:
    """Where ``pg_dump`` and ``pg_restore`` are: $PG_BINDIR, Debian's newest, or PATH."""
    if os.environ.get("PG_BINDIR"):
        return Path(os.environ["PG_BINDIR"])
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_dump"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if found:
        return found[-1].parent
    on_path = shutil.which("pg_dump")
    if on_path:
        return Path(on_path).resolve().parent
    raise BackupError(
        _("pg_dump is not installed: install the “postgresql” package (make install does).")
    )


def _pg_env(database: dict[str, Any]) -> dict[str, str]:
    """libpq's variables, so that no password appears on a command line."""
    env = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        if database.get(key):
            env[variable] = str(database[key])
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    # The command is built here from the binaries' directory and our own paths.
    result = subprocess.run(  # noqa: S603
        command, env=env, capture_output=True, text=True, check=False, timeout=3600
    )
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(
            _("%(program)s failed: %(error)s")
            % {"program": Path(command[0]).name, "error": lines[-1] if lines else "?"}
        )


# --- Files -------------------------------------------------------------------------------


@contextlib.contextmanager
def _scratch(near: Path) -> Iterator[Path]:
    """A private temporary directory beside ``near`` (same filesystem: renames are atomic)."""
    near.mkdir(parents=True, exist_ok=True)
    directory = Path(tempfile.mkdtemp(prefix=".cityforum-backup-", dir=near))
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _write_backup(out: Path, engine: str, payload: Path, scratch: Path) -> dict[str, Any]:
    from cityforum import __version__

    manifest = {
        "engine": engine,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "cityforum_version": __version__,
        "payload_bytes": payload.stat().st_size,
        "payload_sha256": _sha256(payload),
    }
    staged = scratch / "backup"
    with staged.open("wb") as handle:
        handle.write(MAGIC)
        handle.write(json.dumps(manifest, sort_keys=True).encode() + b"\n")
        with payload.open("rb") as source:
            shutil.copyfileobj(source, handle, CHUNK)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(staged, out)
    return manifest


def read_manifest(handle: BinaryIO, name: str) -> dict[str, Any]:
    """The manifest of an open backup file, positioned at its payload; refuses other files."""
    if handle.read(len(MAGIC)) != MAGIC:
        raise BackupError(_("%(file)s is not a cityforum backup.") % {"file": name})
    damaged = BackupError(_("%(file)s is damaged: its manifest cannot be read.") % {"file": name})
    try:
        manifest = json.loads(handle.readline(MAX_MANIFEST))
    except ValueError:
        raise damaged from None
    if not (
        isinstance(manifest, dict)
        and manifest.get("engine") in ENGINES
        and isinstance(manifest.get("payload_bytes"), int)
        and isinstance(manifest.get("payload_sha256"), str)
    ):
        raise damaged
    return manifest


def _extract_payload(path: Path, engine: str, scratch: Path) -> Path:
    """The payload of the backup at ``path``, checked (engine, size, SHA-256), in ``scratch``."""
    name = str(path)
    if not path.is_file():
        raise BackupError(_("No backup file at %(file)s.") % {"file": name})
    payload = scratch / "payload"
    with path.open("rb") as handle:
        manifest = read_manifest(handle, name)
        if manifest["engine"] != engine:
            raise BackupError(
                _(
                    "%(file)s is a backup of a %(theirs)s database; this forum runs on "
                    "%(ours)s: restore it into a forum on %(theirs)s."
                )
                % {"file": name, "theirs": ENGINES[manifest["engine"]], "ours": ENGINES[engine]}
            )
        digest = hashlib.sha256()
        size = 0
        with payload.open("wb") as out:
            while block := handle.read(CHUNK):
                digest.update(block)
                size += len(block)
                out.write(block)
    if size != int(manifest["payload_bytes"]) or digest.hexdigest() != manifest["payload_sha256"]:
        raise BackupError(
            _(
                "%(file)s is incomplete or damaged (%(size)d of %(expected)d bytes, checksum "
                "%(match)s): nothing was restored."
            )
            % {
                "file": name,
                "size": size,
                "expected": int(manifest["payload_bytes"]),
                "match": _("matches")
                if digest.hexdigest() == manifest["payload_sha256"]
                else _("differs"),
            }
        )
    return payload


# --- SQLite ------------------------------------------------------------------------------


def _sqlite_integrity(path: Path) -> str:
    connection = sqlite3.connect(path)
    try:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        connection.close()


def _sqlite_backup(database: dict[str, Any], scratch: Path) -> Path:
    source_path = Path(str(database["NAME"]))
    if not source_path.is_file():
        raise BackupError(_("There is no database at %(path)s yet.") % {"path": source_path})
    copy = scratch / "database.sqlite3"
    source = sqlite3.connect(source_path, timeout=20)
    target = sqlite3.connect(copy)
    try:
        # All pages in one step: one read transaction, so one consistent state of the data.
        source.backup(target)
        # A stand-alone file, with no write-ahead log beside it.
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()
        source.close()
    if _sqlite_integrity(copy) != "ok":
        raise BackupError(_("The copy of the database failed its integrity check."))
    return copy


def _sqlite_has_data(path: Path) -> bool:
    if not path.is_file() or path.stat().st_size == 0:
        return False
    connection = sqlite3.connect(path, timeout=20)
    try:
        return bool(connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0])
    finally:
        connection.close()


def _sqlite_restore(database: dict[str, Any], payload: Path) -> None:
    if _sqlite_integrity(payload) != "ok":
        raise BackupError(_("The backup's database failed its integrity check."))
    target_path = Path(str(database["NAME"]))
    target_path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(payload)
    target = sqlite3.connect(target_path, timeout=20)
    try:
        # SQLite's backup into the live file: one write transaction, all pages or none,
        # and correct beside the write-ahead log other connections may hold open.
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
    finally:
        target.close()
        source.close()


# --- PostgreSQL --------------------------------------------------------------------------


def _pg_backup(database: dict[str, Any], scratch: Path) -> Path:
    bindir = pg_bindir()
    dump = scratch / "database.pgdump"
    env = _pg_env(database)
    _run([str(bindir / "pg_dump"), "-Fc", "--no-owner", "--no-privileges", "-f", str(dump)], env)
    _run([str(bindir / "pg_restore"), "--list", str(dump)], env)  # readable back
    return dump


def _pg_has_data(database: dict[str, Any]) -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()")
        return bool(cursor.fetchone()[0])


def _pg_restore(database: dict[str, Any], payload: Path) -> None:
    from django.db import connections

    connections.close_all()
    bindir = pg_bindir()
    _run(
        [
            str(bindir / "pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "-d",
            str(database["NAME"]),
            str(payload),
        ],
        _pg_env(database),
    )


# --- Commands ----------------------------------------------------------------------------


@click.command()
@click.option(
    "--out", "out", required=True, type=click.Path(dir_okay=False), help="The backup file."
)
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
def backup(out: str, force: bool) -> None:
    """Back the database up into one file, while the forum keeps running."""
    setup_django()
    database = _database()
    engine = _engine(database)
    target = Path(out).resolve()
    if target.exists() and not force:
        raise BackupError(
            _("%(file)s already exists: choose another name, or add --force to replace it.")
            % {"file": out}
        )
    if not target.parent.is_dir():
        raise BackupError(_("There is no folder %(dir)s.") % {"dir": target.parent})
    with _scratch(target.parent) as scratch:
        payload = (_sqlite_backup if engine == "sqlite" else _pg_backup)(database, scratch)
        manifest = _write_backup(target, engine, payload, scratch)
    click.echo(
        _(
            "Backup of the %(engine)s database written to %(file)s "
            "(%(size)d bytes, SHA-256 %(sha)s)."
        )
        % {
            "engine": ENGINES[engine],
            "file": out,
            "size": target.stat().st_size,
            "sha": manifest["payload_sha256"][:12],
        }
    )


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
def restore(file: str, force: bool) -> None:
    """Restore the database from a file made by ``cityforum backup``."""
    setup_django()
    database = _database()
    engine = _engine(database)
    path = Path(file)
    near = Path(str(database["NAME"])).parent if engine == "sqlite" else Path(tempfile.gettempdir())
    with _scratch(near) as scratch:
        payload = _extract_payload(path, engine, scratch)
        has_data = (
            _sqlite_has_data(Path(str(database["NAME"])))
            if engine == "sqlite"
            else _pg_has_data(database)
        )
        if has_data and not force:
            raise BackupError(
                _(
                    "The database already holds data: add --force to replace it with the "
                    "backup (make a backup of it first)."
                )
            )
        (_sqlite_restore if engine == "sqlite" else _pg_restore)(database, payload)
    click.echo(
        _("The %(engine)s database is restored from %(file)s.")
        % {"engine": ENGINES[engine], "file": file}
    )
