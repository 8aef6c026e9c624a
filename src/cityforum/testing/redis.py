"""A real, throw-away Redis server started from Debian's ``redis-server`` binary.

The tests run against it (``pytest --redis``, the PostgreSQL pass of ``make test``), as
they do against PostgreSQL (:mod:`cityforum.testing.postgres`): on a free loopback port,
in a temporary directory, with no persistence (no RDB snapshot, no append-only file) —
the tests want a shared store, not a durable one. :meth:`RedisServer.pause` and
:meth:`RedisServer.resume` take it away and bring it back on the same port, for the fault
tests.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .postgres import free_port


class RedisUnavailable(RuntimeError):
    """``redis-server`` is missing or would not start; the message says which."""


def find_redis_server() -> str:
    binary = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None
    )
    if binary is None:
        raise RedisUnavailable(
            "redis-server not found: install the 'redis-server' package (make install does)."
        )
    return binary


@dataclass
class RedisServer:
    """Start with :meth:`start`, stop with :meth:`stop`; ``url`` is the REDIS_URL to use."""

    port: int = field(default_factory=free_port)
    binary: str = field(default_factory=find_redis_server)
    workdir: Path | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.workdir = Path(tempfile.mkdtemp(prefix="cityforum-redis-"))
        self._start_server()
        return self

    def _start_server(self) -> None:
        assert self.workdir is not None
        log = (self.workdir / "redis.log").open("ab")
        # Our own command line: the binary found above and fixed options.
        self.process = subprocess.Popen(  # noqa: S603
            [
                self.binary,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--dir",
                str(self.workdir),
                "--save",
                "",
                "--appendonly",
                "no",
                "--protected-mode",
                "yes",
                "--daemonize",
                "no",
                "--loglevel",
                "warning",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RedisUnavailable(f"redis-server stopped while starting: {self._log_tail()}")
            if self.ping():
                return
            time.sleep(0.05)
        self.stop()
        raise RedisUnavailable(f"redis-server did not answer on port {self.port}.")

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def pause(self) -> None:
        """Stop the server (its data goes: it keeps none); :meth:`resume` starts it again."""
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def resume(self) -> None:
        """Start the server again after :meth:`pause`, on the same port."""
        self._start_server()

    def _log_tail(self) -> str:
        try:
            return (self.workdir / "redis.log").read_text(errors="replace")[-2000:]  # type: ignore[operator]
        except OSError:
            return ""

    def stop(self) -> None:
        self.pause()
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
