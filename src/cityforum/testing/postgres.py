"""A real, throw-away PostgreSQL server started from the system binaries.

The test suite runs against it (``pytest --postgres``). PostgreSQL refuses to run as
root, and these machines and CI run as root, so when we are root the server is
initialised and started as the unprivileged ``postgres`` user (``runuser``) in a
temporary data directory it owns, listening only on a free loopback port.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    """The server binaries are missing or the server would not start; the message says which."""


def find_bindir() -> Path:
    """The directory holding ``initdb`` and ``pg_ctl``: $PG_BINDIR, PATH, or Debian's layout."""
    if os.environ.get("PG_BINDIR"):
        return Path(os.environ["PG_BINDIR"])
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    for directory in reversed(candidates):
        if Path(directory, "initdb").exists():
            return Path(directory)
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    raise PostgresUnavailable(
        "PostgreSQL server binaries not found: "
        "install the 'postgresql' package (make install does)."
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresServer:
    """Start with :meth:`start`, stop with :meth:`stop`; ``url`` is the DATABASE_URL to use."""

    port: int = field(default_factory=free_port)
    user: str = "postgres"
    datadir: Path | None = None
    bindir: Path = field(default_factory=find_bindir)

    @property
    def url(self) -> str:
        return f"postgres://{self.user}@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = list(args)
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        # Our own command line, built from the server binaries' directory: no untrusted input.
        return subprocess.run(  # noqa: S603
            command, capture_output=True, text=True, timeout=120, check=False
        )

    def start(self) -> PostgresServer:
        root = Path(tempfile.mkdtemp(prefix="cityforum-pg-"))
        self.datadir = root / "data"
        if os.geteuid() == 0:
            shutil.chown(root, "postgres", "postgres")
        result = self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.datadir),
            "-U",
            self.user,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        if result.returncode != 0:
            raise PostgresUnavailable(f"initdb failed: {result.stderr.strip()}")
        self._start_server()
        return self

    def _start_server(self) -> None:
        """``pg_ctl start`` on the existing data directory, then wait for connections."""
        assert self.datadir is not None
        root = self.datadir.parent
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
        )
        result = self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.datadir),
            "-o",
            options,
            "-l",
            str(root / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        )
        if result.returncode != 0:
            log = (root / "server.log").read_text() if (root / "server.log").exists() else ""
            raise PostgresUnavailable(f"pg_ctl start failed: {result.stderr.strip()} {log[-2000:]}")
        self._wait_until_accepting()

    def pause(self, mode: str = "fast") -> None:
        """Shut the server down but keep its data: :meth:`resume` brings it back on the same
        data directory and port. ``fast`` is what an administrator's restart does (open
        transactions rolled back, clients disconnected); the fault tests take the database
        away under load with it and check that the site answers 503, then recovers."""
        if self.datadir is None:
            raise PostgresUnavailable("The server was never started.")
        result = self._run(
            str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", mode, "-w", "stop"
        )
        if result.returncode != 0:
            raise PostgresUnavailable(f"pg_ctl stop failed: {result.stderr.strip()}")

    def resume(self) -> None:
        """Start the server again after :meth:`pause`, on the same data and port."""
        if self.datadir is None:
            raise PostgresUnavailable("The server was never started.")
        self._start_server()

    def restart(self, down_for: float = 0.0, mode: str = "fast") -> None:
        """:meth:`pause`, wait ``down_for`` seconds, :meth:`resume`."""
        self.pause(mode)
        time.sleep(down_for)
        self.resume()

    def _wait_until_accepting(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise PostgresUnavailable(f"PostgreSQL did not accept connections on port {self.port}.")

    def stop(self) -> None:
        if self.datadir is None:
            return
        self._run(
            str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "immediate", "-w", "stop"
        )
        shutil.rmtree(self.datadir.parent, ignore_errors=True)
        self.datadir = None
