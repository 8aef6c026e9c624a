"""``cityforum backup`` and ``cityforum restore``, run as an operator would run them.

Each test runs the commands in fresh processes on a database of its own (the production
settings, ``DATABASE_URL`` naming a SQLite file or a database on the test PostgreSQL
server), while another process keeps writing contributions and votes: every row
committed before the backup began comes back after a restore, and the restored database
passes SQLite's integrity check. Bad input ends with one readable line, exit status 2,
and the database as it was.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

WRITER = """
import os, sys, django
django.setup()
from cityforum.participation import services as participation
from cityforum.people.models import User
from cityforum.programme.models import Consultation
from cityforum.statements import services as statements

log_path, stop_path, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
Consultation.objects.filter(slug="regional-africa").update(status="open")
consultation = Consultation.objects.get(slug="regional-africa")
organiser = User.objects.create_user(f"writer-{os.getpid()}@example.org", None, role="organiser")
statement = statements.add_statement(consultation, "Markets need shade.", by=organiser)
with open(log_path, "a") as log:
    for i in range(limit):
        if os.path.exists(stop_path):
            break
        person = User.objects.create_user(f"writer-{os.getpid()}-{i}@example.org", None)
        contribution = participation.contribute(
            consultation, person, type="proposal", title=f"Idea {i}", body="Shade.",
            language="en", capitals=["environmental"],
        )
        vote = statements.cast_vote(consultation, statement.pk, 1, user=person)
        log.write(f"{contribution.pk} {vote.vote_id}\\n")
        log.flush()
"""


def _env(tmp: Path, database_url: str) -> dict[str, str]:
    tmp.mkdir(parents=True, exist_ok=True)  # var/: the job queue's file is made there
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DEBUG"}}
    env.update(
        DJANGO_SETTINGS_MODULE="cityforum.settings.prod",
        SECRET_KEY=secrets.token_urlsafe(50),
        CITYFORUM_VAR_DIR=str(tmp),
        DATABASE_URL=database_url,
        LANG="en_GB.UTF-8",
    )
    env.pop("LANGUAGE", None)
    return env


def cityforum(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-W", "ignore", "-m", "cityforum.cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _content(path: Path) -> str:
    """The database's content (its SQL dump), whatever SQLite's log did to the file."""
    connection = sqlite3.connect(path)
    try:
        return hashlib.sha256("\n".join(connection.iterdump()).encode()).hexdigest()
    finally:
        connection.close()


class Writer:
    """Another process writing a contribution and a vote per line of its log, until stopped."""

    def __init__(self, env: dict[str, str], tmp: Path, limit: int = 100_000) -> None:
        self.log, self.stop_file = tmp / "writer.log", tmp / "writer.stop"
        self.log.touch()
        self.process = subprocess.Popen(
            [sys.executable, "-W", "ignore", "-c", WRITER, str(self.log), str(self.stop_file)]
            + [str(limit)],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )

    def committed(self) -> list[tuple[int, int]]:
        lines = self.log.read_text().splitlines()
        return [(int(a), int(b)) for a, b in (line.split() for line in lines if " " in line)]

    def wait_for(self, n: int, timeout: float = 120) -> list[tuple[int, int]]:
        deadline = time.monotonic() + timeout
        while len(self.committed()) < n:
            assert self.process.poll() is None, self.process.stderr.read()  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "the writer wrote too slowly"
            time.sleep(0.05)
        return self.committed()

    def stop(self) -> None:
        self.stop_file.touch()
        _out, err = self.process.communicate(timeout=120)
        assert self.process.returncode == 0, err


@pytest.fixture(scope="module")
def seeded_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A forum initialised once (programme, no city registry), copied by each test."""
    tmp = tmp_path_factory.mktemp("seed")
    path = tmp / "forum.sqlite3"
    result = cityforum(_env(tmp, f"sqlite:///{path}"), "init", "--skip-cities")
    assert result.returncode == 0, result.stderr
    return path


@pytest.fixture(scope="module")
def seeded_backup(seeded_sqlite: Path) -> Path:
    """A backup of that forum, made once for the tests that spoil or refuse it."""
    out = seeded_sqlite.parent / "seed.backup"
    result = cityforum(
        _env(seeded_sqlite.parent, f"sqlite:///{seeded_sqlite}"), "backup", "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture
def forum(tmp_path: Path, seeded_sqlite: Path) -> dict[str, Any]:
    path = tmp_path / "forum.sqlite3"
    shutil.copyfile(seeded_sqlite, path)
    return {"path": path, "env": _env(tmp_path, f"sqlite:///{path}"), "tmp": tmp_path}


def _rows(path: Path, sql: str) -> set[Any]:
    connection = sqlite3.connect(path)
    try:
        return {row[0] for row in connection.execute(sql)}
    finally:
        connection.close()


# --- SQLite ---------------------------------------------------------------------------------


def test_a_sqlite_backup_taken_under_write_load_restores_every_committed_row(
    forum: dict[str, Any], tmp_path: Path
) -> None:
    writer = Writer(forum["env"], tmp_path)
    try:
        before = writer.wait_for(20)
        result = cityforum(forum["env"], "backup", "--out", str(tmp_path / "forum.backup"))
    finally:
        writer.stop()
    assert result.returncode == 0, result.stderr
    assert "Backup of the SQLite database written to" in result.stdout
    assert len(writer.committed()) > len(before)  # writes went on around the backup

    restored = tmp_path / "restored" / "forum.sqlite3"
    env = _env(tmp_path / "restored", f"sqlite:///{restored}")
    result = cityforum(env, "restore", str(tmp_path / "forum.backup"))
    assert result.returncode == 0, result.stderr
    assert "The SQLite database is restored from" in result.stdout
    assert _rows(restored, "PRAGMA integrity_check") == {"ok"}
    contributions = _rows(restored, "SELECT id FROM participation_contribution")
    votes = _rows(restored, "SELECT id FROM statements_vote")
    assert {c for c, _v in before} <= contributions
    assert {v for _c, v in before} <= votes
    # A state the database really had: the writer commits a contribution, then its vote.
    assert len(contributions) - len(votes) in (0, 1)
    # The restored forum works: Django reads it.
    check = cityforum(
        env,
        "manage",
        "shell",
        "-c",
        "from cityforum.participation.models "
        "import Contribution; print(Contribution.objects.count())",
    )
    assert check.returncode == 0, check.stderr
    assert int(check.stdout.strip().splitlines()[-1]) == len(contributions)


def test_restore_refuses_to_replace_data_unless_forced(
    forum: dict[str, Any], seeded_backup: Path
) -> None:
    backup = seeded_backup
    connection = sqlite3.connect(forum["path"])
    connection.execute("DELETE FROM programme_capital WHERE code = 'cultural'")
    connection.commit()
    connection.close()
    changed = _content(forum["path"])
    refused = cityforum(forum["env"], "restore", str(backup))
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        "Error: The database already holds data: add --force to replace it with the backup "
        "(make a backup of it first)."
    )
    assert _content(forum["path"]) == changed
    forced = cityforum(forum["env"], "restore", str(backup), "--force")
    assert forced.returncode == 0, forced.stderr
    assert "cultural" in _rows(forum["path"], "SELECT code FROM programme_capital")


def test_backup_refuses_to_overwrite_a_file_unless_forced(
    forum: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "forum.backup"
    out.write_text("keep me")
    refused = cityforum(forum["env"], "backup", "--out", str(out))
    assert refused.returncode == 2 and "already exists" in refused.stderr
    assert out.read_text() == "keep me"
    assert cityforum(forum["env"], "backup", "--out", str(out), "--force").returncode == 0
    assert out.read_bytes().startswith(b"CITYFORUM-BACKUP/1\n")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no leftovers


def _truncated(backup: Path, folder: Path) -> Path:
    data = backup.read_bytes()
    (folder / "cut.backup").write_bytes(data[: len(data) // 2])
    return folder / "cut.backup"


def _flipped(backup: Path, folder: Path) -> Path:
    data = bytearray(backup.read_bytes())
    data[-100] ^= 0xFF
    (folder / "flipped.backup").write_bytes(bytes(data))
    return folder / "flipped.backup"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda b, t: t / "missing.backup", "No backup file at"),
        (_truncated, "is incomplete or damaged"),
        (_flipped, "is incomplete or damaged"),
        (lambda b, t: (t / "notes.txt", (t / "notes.txt").write_text("hello"))[0], "is not a"),
        (
            lambda b, t: (
                t / "bad.backup",
                (t / "bad.backup").write_bytes(b"CITYFORUM-BACKUP/1\n{not json\n"),
            )[0],
            "is damaged: its manifest cannot be read",
        ),
    ],
    ids=["missing", "truncated", "one byte changed", "not a backup", "bad manifest"],
)
def test_a_bad_file_is_refused_in_one_line_and_the_database_is_untouched(
    forum: dict[str, Any], seeded_backup: Path, tmp_path: Path, make: Any, message: str
) -> None:
    bad = make(seeded_backup, tmp_path)
    before = _content(forum["path"])
    result = cityforum(forum["env"], "restore", str(bad), "--force")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert _content(forum["path"]) == before


def test_a_postgresql_backup_is_refused_by_a_sqlite_forum(
    forum: dict[str, Any], seeded_backup: Path, tmp_path: Path
) -> None:
    backup = tmp_path / "forum.backup"
    data = seeded_backup.read_bytes().replace(b'"engine": "sqlite"', b'"engine": "postgresql"', 1)
    backup.write_bytes(data)
    before = _content(forum["path"])
    result = cityforum(forum["env"], "restore", str(backup), "--force")
    assert result.returncode == 2
    assert "is a backup of a PostgreSQL database; this forum runs on SQLite" in result.stderr
    assert _content(forum["path"]) == before


def test_a_backup_of_no_database_says_so(tmp_path: Path) -> None:
    env = _env(tmp_path, f"sqlite:///{tmp_path / 'none.sqlite3'}")
    result = cityforum(env, "backup", "--out", str(tmp_path / "x.backup"))
    assert result.returncode == 2 and "There is no database at" in result.stderr
    assert not (tmp_path / "x.backup").exists()


# --- PostgreSQL -----------------------------------------------------------------------------


@pytest.fixture
def pg_forum(
    request: pytest.FixtureRequest, django_db_setup: None, tmp_path: Path
) -> Iterator[Any]:
    """Two fresh databases on the test PostgreSQL server: a forum, and an empty target."""
    import psycopg
    from django.conf import settings

    database = settings.DATABASES["default"]
    assert database["ENGINE"].endswith("postgresql")
    server = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}"
    suffix = secrets.token_hex(4)
    names = [f"forum_{suffix}", f"restored_{suffix}"]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
    env = _env(tmp_path, f"{server}/{names[0]}")
    result = cityforum(env, "init", "--skip-cities")
    assert result.returncode == 0, result.stderr
    yield {
        "env": env,
        "restored_env": _env(tmp_path, f"{server}/{names[1]}"),
        "url": f"{server}/{names[0]}",
        "restored_url": f"{server}/{names[1]}",
    }
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _pg_rows(url: str, sql: str) -> set[int]:
    import psycopg

    with psycopg.connect(url) as connection:
        return {row[0] for row in connection.execute(sql)}


@pytest.mark.postgres_only
def test_a_postgresql_backup_taken_under_write_load_restores_every_committed_row(
    pg_forum: dict[str, Any], tmp_path: Path
) -> None:
    backup = tmp_path / "forum.backup"
    writer = Writer(pg_forum["env"], tmp_path)
    try:
        before = writer.wait_for(20)
        result = cityforum(pg_forum["env"], "backup", "--out", str(backup))
    finally:
        writer.stop()
    assert result.returncode == 0, result.stderr
    assert "Backup of the PostgreSQL database written to" in result.stdout
    assert len(writer.committed()) > len(before)

    result = cityforum(pg_forum["restored_env"], "restore", str(backup))
    assert result.returncode == 0, result.stderr
    contributions = _pg_rows(pg_forum["restored_url"], "SELECT id FROM participation_contribution")
    votes = _pg_rows(pg_forum["restored_url"], "SELECT id FROM statements_vote")
    assert {c for c, _v in before} <= contributions
    assert {v for _c, v in before} <= votes
    assert len(contributions) - len(votes) in (0, 1)

    # Restoring again over the data needs --force, and then replaces it whole.
    refused = cityforum(pg_forum["restored_env"], "restore", str(backup))
    assert refused.returncode == 2 and "--force" in refused.stderr
    forced = cityforum(pg_forum["restored_env"], "restore", str(backup), "--force")
    assert forced.returncode == 0, forced.stderr
    assert _pg_rows(pg_forum["restored_url"], "SELECT id FROM participation_contribution") == (
        contributions
    )


@pytest.mark.postgres_only
def test_a_sqlite_backup_is_refused_by_a_postgresql_forum(
    pg_forum: dict[str, Any], seeded_backup: Path
) -> None:
    backup = seeded_backup
    before = _pg_rows(pg_forum["url"], "SELECT id FROM programme_consultation")
    result = cityforum(pg_forum["env"], "restore", str(backup), "--force")
    assert result.returncode == 2
    assert "is a backup of a SQLite database; this forum runs on PostgreSQL" in result.stderr
    assert _pg_rows(pg_forum["url"], "SELECT id FROM programme_consultation") == before
