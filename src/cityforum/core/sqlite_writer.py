"""One SQLite writer at a time, queued by the operating system rather than by SQLite.

SQLite lets one connection write at a time; the others wait in its busy handler, which
sleeps 1 ms, then 2, 5, 10, … 100 ms between tries. Under a steady stream of short writes
(votes) those sleeps, not the writes, made most of the latency. Here writers queue on a
thread lock within a process and on an ``flock`` of a file beside the database across the
server's processes: both wake the next writer the moment the lock is released.

Only the hot write paths use it; every other write still relies on SQLite's own lock,
which stays the guarantee of correctness (this only changes who waits, and how).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Iterator
from typing import Any

_thread_locks: dict[str, threading.Lock] = {}
_files: dict[str, int] = {}
_guard = threading.Lock()


def _lock_for(path: str) -> tuple[threading.Lock, int]:
    with _guard:
        if path not in _thread_locks:
            _thread_locks[path] = threading.Lock()
            _files[path] = os.open(path + ".writer-lock", os.O_RDWR | os.O_CREAT, 0o600)
        return _thread_locks[path], _files[path]


@contextlib.contextmanager
def _held(path: str) -> Iterator[None]:
    lock, fd = _lock_for(path)
    with lock:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)


def one_writer(connection: Any) -> contextlib.AbstractContextManager[Any]:
    """The write lock of ``connection``'s SQLite file; nothing for other databases, for
    in-memory ones, or inside a transaction already open (it may hold SQLite's own lock:
    waiting here could then deadlock with a writer waiting for it)."""
    name = str(connection.settings_dict.get("NAME") or "")
    if (
        connection.vendor != "sqlite"
        or connection.in_atomic_block
        or not name
        or name == ":memory:"
        or name.startswith("file:")
        or not os.path.isdir(os.path.dirname(os.path.abspath(name)))
    ):
        return contextlib.nullcontext()
    return _held(os.path.abspath(name))
