"""Whose is a bearer token, remembered per process.

A token never changes owner, so once its owner is known it can be remembered: the write
throttle and the vote write use this to know whom to count without a query. Whether the
token still exists, and its owner is still active, is never taken from here: every write
checks that against the database itself.
"""

from __future__ import annotations

import threading
import time

_owners: dict[str, int] = {}
_lock = threading.Lock()
#: Forget everything beyond this many tokens (a process rarely sees so many).
MAX_TOKENS = 100_000


def owner_of(key_hash: str) -> int | None:
    """The id of the token's owner when this process has seen it, else ``None``."""
    return _owners.get(key_hash)


def remember(key_hash: str, user_id: int) -> None:
    with _lock:
        if len(_owners) >= MAX_TOKENS:
            _owners.clear()
        _owners[key_hash] = user_id


def forget(key_hash: str) -> None:
    with _lock:
        _owners.pop(key_hash, None)


_touched: dict[str, float] = {}
#: A token's ``last_used_at`` is written at most this often (seconds) per process: a write
#: on every request would serialise SQLite on the token table.
TOUCH_INTERVAL = 60.0


def touch_if_due(key_hash: str) -> None:
    """Record that the token was just used, unless this process did so less than a minute
    ago."""
    now = time.monotonic()
    if now - _touched.get(key_hash, -TOUCH_INTERVAL - 1) <= TOUCH_INTERVAL:
        return
    with _lock:
        if len(_touched) >= MAX_TOKENS:
            _touched.clear()
        _touched[key_hash] = now
    from django.utils import timezone

    from .models import ApiToken

    ApiToken.objects.filter(key_hash=key_hash).update(last_used_at=timezone.now())


def touched(key_hash: str) -> None:
    """Note that ``last_used_at`` was just brought up to date by someone else."""
    with _lock:
        _touched[key_hash] = time.monotonic()
