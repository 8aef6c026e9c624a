"""A cityforum site served for real — ``cityforum serve`` (gunicorn) on a throw-away database.

For the tests and benchmarks that need the whole stack: processes, sockets, a server
killed and started again (``tests/core/test_faults.py``, ``bench/bench_faults.py``).
:class:`ServedSite` prepares the database the way an operator does (``cityforum init
--skip-cities``), runs Python against it through ``cityforum manage shell`` (the services,
as the site would), starts ``cityforum serve`` in a process group of its own — so that a
SIGKILL reaches the gunicorn master and its workers together, as a crash or the kernel's
out-of-memory killer would — and starts it again on the same database.

The site runs the production settings, with two changes written into a small settings
module of its own: the write limits are raised (a few dozen simulated people on one
address write far faster than people do; the limiters still count every write), and, with
``plain_static``, static files are collected without WhiteNoise's compression (3 s instead
of half a minute on a small machine: the tests do not measure static files).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .postgres import free_port

CITYFORUM = Path(sys.executable).with_name("cityforum")
SETTINGS_MODULE = "cityforum_served_settings"
HIGH_RATE = "100000000/m"
#: Lines of Python run by :meth:`ServedSite.shell` print their result after this marker.
MARKER = "SERVED-JSON "


class ServerStopped(RuntimeError):
    """``cityforum serve`` exited, or did not answer in time; the message holds its log."""


@dataclass
class ServedSite:
    """A database at ``database_url`` and the ``cityforum serve`` process serving it."""

    database_url: str
    workdir: Path
    workers: int = 2
    plain_static: bool = False
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    #: More environment (``REDIS_URL``, a lower ``CITYFORUM_VOTE_RATE``…): several sites on
    #: one database and one Redis are several app servers of one forum.
    extra_env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / "var").mkdir(exist_ok=True)
        overrides = [f"CITYFORUM_WRITE_RATE = {HIGH_RATE!r}"]
        if self.plain_static:
            overrides.append(
                "STORAGES = {**STORAGES, 'staticfiles': "
                "{'BACKEND': 'django.contrib.staticfiles.storage.StaticFilesStorage'}}"
            )
        (self.workdir / f"{SETTINGS_MODULE}.py").write_text(
            '"""Production settings of a served site (cityforum.testing.served)."""\n'
            "from cityforum.settings.prod import *  # noqa: F403\n"
            "from cityforum.settings.prod import STORAGES  # noqa: F401\n\n"
            + "\n".join(overrides)
            + "\n",
            encoding="utf-8",
        )

    @property
    def log_path(self) -> Path:
        return self.workdir / "serve.log"

    @property
    def env(self) -> dict[str, str]:
        path = os.pathsep.join(p for p in (str(self.workdir), os.environ.get("PYTHONPATH")) if p)
        return {
            **os.environ,
            "PYTHONPATH": path,
            "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
            "DATABASE_URL": self.database_url,
            "SECRET_KEY": "served-site-only-not-a-secret",
            "CITYFORUM_VAR_DIR": str(self.workdir / "var"),
            "CITYFORUM_WRITE_RATE_PER_PERSON": HIGH_RATE,
            "CITYFORUM_WRITE_RATE_PER_ADDRESS": HIGH_RATE,
            "CITYFORUM_VOTE_RATE": HIGH_RATE,
            "LOG_LEVEL": "ERROR",
            "LANG": "en_GB.UTF-8",
            "LANGUAGE": "en",
            **self.extra_env,
        }

    # --- the command line -------------------------------------------------------------------

    def run(self, *args: str, timeout: float = 600) -> str:
        """``cityforum ARGS…``; its output, or RuntimeError with it when it fails."""
        result = subprocess.run(  # noqa: S603 - our own command line
            [str(CITYFORUM), *args], env=self.env, capture_output=True, text=True, timeout=timeout
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"cityforum {' '.join(args[:2])} failed:\n{result.stdout}\n{result.stderr}"
            )
        return result.stdout

    def popen(self, *args: str) -> subprocess.Popen[bytes]:
        """``cityforum ARGS…`` started in its own process group (see :func:`kill_group`)."""
        return subprocess.Popen(  # noqa: S603 - our own command line
            [str(CITYFORUM), *args],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def shell(self, code: str) -> Any:
        """Run ``code`` in ``cityforum manage shell``; it prints ``MARKER + json`` once."""
        out = self.run("manage", "shell", "-c", code)
        line = next((line for line in out.splitlines() if line.startswith(MARKER)), None)
        if line is None:
            raise RuntimeError(f"the shell printed no result:\n{out}")
        return json.loads(line.removeprefix(MARKER))

    def init(self) -> None:
        """Migrate and load the programme (``cityforum init --skip-cities``)."""
        self.run("init", "--skip-cities")

    # --- the server -------------------------------------------------------------------------

    def start(self, timeout: float = 300) -> float:
        """Start ``cityforum serve``; the seconds until ``/api/v1/health`` answered 200."""
        started = time.monotonic()
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own command line
                [str(CITYFORUM), "serve", "--port", str(self.port), "--workers", str(self.workers)],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = started + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerStopped(f"cityforum serve stopped while starting:\n{self._log_tail()}")
            if self.healthy():
                return time.monotonic() - started
            time.sleep(0.05)
        self.kill()
        raise ServerStopped(
            f"cityforum serve did not answer in {timeout:.0f} s:\n{self._log_tail()}"
        )

    def healthy(self) -> bool:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
        try:
            conn.request("GET", "/api/v1/health")
            return conn.getresponse().status == 200
        except (OSError, http.client.HTTPException):
            return False
        finally:
            conn.close()

    def kill(self) -> None:
        """SIGKILL the server's whole process group: master and workers die at once."""
        if self.process is not None:
            kill_group(self.process)
            self.process = None

    def stop(self) -> None:
        """Stop the server gracefully (SIGTERM to the master), or kill it after 20 s."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        kill_group(self.process)
        self.process = None

    def _log_tail(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    def __enter__(self) -> ServedSite:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def kill_group(process: subprocess.Popen[Any]) -> None:
    """SIGKILL every process of ``process``'s group (it was started with a session of its
    own), then reap it and close its output pipe."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=20)
    if process.stdout is not None:
        process.stdout.close()


class WriteProgress:
    """How far an uncommitted write (an import) has got, seen from outside its transaction.

    On PostgreSQL: how far a table's id sequence has moved (``nextval`` is not
    transactional, so every row inserted shows, committed or not). On SQLite: the size of
    the write-ahead log, emptied first (a transaction's pages spill into it once they
    outgrow the page cache, 2 MiB by default; committed or not).
    """

    def __init__(self, database_url: str, sequence: str = "participation_contribution_id_seq"):
        self.sqlite = database_url.startswith("sqlite:")
        self.sequence = sequence
        self._conn: Any = None
        if self.sqlite:
            import sqlite3

            import dj_database_url

            self.path = Path(str(dj_database_url.parse(database_url)["NAME"]))

            with contextlib.closing(sqlite3.connect(self.path)) as db:
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self.start = 0
        else:
            import psycopg

            self._conn = psycopg.connect(database_url, autocommit=True)
            self.start = self._sequence()

    def _sequence(self) -> int:
        row = self._conn.execute(
            "SELECT last_value FROM pg_sequences WHERE sequencename = %s", [self.sequence]
        ).fetchone()
        return int(row[0] or 0) if row else 0

    def rows(self) -> int:
        """PostgreSQL: rows inserted since this watch began."""
        return self._sequence() - self.start

    def wal_bytes(self) -> int:
        """SQLite: bytes in the write-ahead log."""
        wal = self.path.with_name(self.path.name + "-wal")
        try:
            return wal.stat().st_size
        except FileNotFoundError:
            return 0

    def settle(self, timeout: float = 30) -> None:
        """PostgreSQL: wait until no other client is inside a transaction or a statement (a
        killed client's backend notices, rolls back and ends). Idle connections, such as the
        served site's persistent ones, hold nothing uncommitted and are not waited for."""
        if self._conn is None:
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            row = self._conn.execute(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
                " AND pid <> pg_backend_pid() AND state <> 'idle'"
            ).fetchone()
            if row is not None and row[0] == 0:
                return
            time.sleep(0.05)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
