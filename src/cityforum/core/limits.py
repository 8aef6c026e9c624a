"""Fixed-window request counters for the hottest writes (votes, every write's backstop).

``django-ratelimit`` serves the forms and the sign-in, where its cost does not matter; a
vote is cheap enough that the limiter's cache round trips were a tenth of its cost. These
counters keep ``django-ratelimit``'s semantics (fixed windows aligned on the clock, one
count per event) with two stores:

- :class:`MemoryStore`, a dictionary under a lock: one process, one machine (the default);
- :class:`RedisStore`, when ``REDIS_URL`` is set: one Lua script increments every counter
  a request touches, atomically and in one round trip, so that every process on every host
  counts the same writes. While Redis cannot be reached the counts fall back to this
  process's :class:`MemoryStore` (limits stay, per process) and Redis is tried again a few
  seconds later: no request fails because the limiter's store did (``docs/deploy.md``).

**Count first, then act.** A limiter is asked once per request and counts in the same
step (:meth:`FixedWindowLimiter.wait`); there is no "would it allow?" question followed by
a later count, because two requests asking at once would both be allowed (the gap the
vote route had). A request may be looked at by two routes (the vote's WSGI route, then
Django): :func:`count_once` remembers in the request's environ what each limiter said, so
that the write is counted once whichever route answers.

**The clock is injectable.** Windows are computed from :data:`CLOCK` (``time.time`` unless
a test puts its own): a test decides in which window each of its writes falls instead of
depending on the minute hand (``tests/conftest.py``'s ``limit_clock``).
"""

from __future__ import annotations

import logging
import re
import threading
import time
import weakref
from collections.abc import Callable, Iterable, MutableMapping
from functools import lru_cache
from typing import Any, Protocol

logger = logging.getLogger(__name__)

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")

#: Seconds since the epoch; windows are ``int(CLOCK() // period)``. Tests replace it.
CLOCK: Callable[[], float] = time.time

#: Where a request's counts are remembered (see :func:`count_once`).
ENVIRON_KEY = "cityforum.limits"


@lru_cache(maxsize=64)
def parse_rate(rate: str) -> tuple[int, int]:
    """``"600/m"`` → ``(600, 60)``; ``"10/5m"`` → ``(10, 300)`` (django-ratelimit's syntax)."""
    match = _RATE.match(rate)
    if match is None:
        raise ValueError(f"not a rate: {rate!r} (expected e.g. '600/m')")
    count, multiplier, unit = match.groups()
    return int(count), int(multiplier or 1) * _UNITS[unit]


class Store(Protocol):
    """Where counts live: ``incr`` adds one to each key and returns the new counts."""

    def incr(self, keys: list[tuple[str, int]]) -> list[int]:
        """``keys``: ``(key, seconds to keep it)``; the counts after this event."""

    def reset(self) -> None:
        """Forget every count."""


class MemoryStore:
    """Counts in this process (the semantics of django-ratelimit's local-memory cache)."""

    #: Forget expired windows once this many keys are held.
    MAX_KEYS = 100_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[float, int]] = {}

    def incr(self, keys: list[tuple[str, int]]) -> list[int]:
        now = time.monotonic()
        counts = []
        with self._lock:
            for key, ttl in keys:
                expires, count = self._counts.get(key, (0.0, 0))
                if expires <= now:
                    expires, count = now + ttl, 0
                self._counts[key] = (expires, count + 1)
                counts.append(count + 1)
            if len(self._counts) > self.MAX_KEYS:
                self._counts = {k: v for k, v in self._counts.items() if v[0] > now}
        return counts

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()


#: INCR every key; a key's first count sets its expiry. Atomic: Redis runs a script alone.
_INCR_SCRIPT = """
local counts = {}
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  if count == 1 then redis.call('EXPIRE', key, ARGV[i]) end
  counts[i] = count
end
return counts
"""


class RedisStore:
    """Counts in Redis, shared by every process and host that uses the same server.

    While Redis cannot be reached, counts go to a per-process :class:`MemoryStore` and
    Redis is tried again after :attr:`RETRY_SECONDS`: the limits degrade to what one
    process sees rather than failing the request (open) or refusing every write (closed).
    """

    RETRY_SECONDS = 2.0
    PREFIX = "cityforum:limit:"

    def __init__(self, url: str) -> None:
        import redis

        self.url = url
        self._client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._script = self._client.register_script(_INCR_SCRIPT)
        self.fallback = MemoryStore()
        self._down_until = 0.0
        self._errors: tuple[type[BaseException], ...] = (redis.RedisError, OSError)

    @property
    def degraded(self) -> bool:
        """Whether counts currently go to this process's fallback store."""
        return time.monotonic() < self._down_until

    def incr(self, keys: list[tuple[str, int]]) -> list[int]:
        if not self.degraded:
            try:
                counts = self._script(
                    keys=[self.PREFIX + key for key, _ttl in keys],
                    args=[ttl for _key, ttl in keys],
                )
                return [int(count) for count in counts]
            except self._errors as error:
                self._down_until = time.monotonic() + self.RETRY_SECONDS
                logger.warning("rate limits: Redis unreachable (%s), counting per process", error)
        return self.fallback.incr(keys)

    def reset(self) -> None:
        self.fallback.reset()
        self._down_until = 0.0
        try:
            keys = list(self._client.scan_iter(match=self.PREFIX + "*", count=1000))
            if keys:
                self._client.delete(*keys)
        except self._errors:
            pass


_store: Store | None = None
_store_lock = threading.Lock()


def store() -> Store:
    """The store every limiter counts in: Redis when ``REDIS_URL`` is set, else memory."""
    global _store
    if _store is None:
        with _store_lock:
            if _store is None:
                from django.conf import settings

                url = getattr(settings, "REDIS_URL", "")
                _store = RedisStore(url) if url else MemoryStore()
    return _store


def use_store(new: Store | None) -> None:
    """Count in ``new`` from now on (``None``: choose again from the settings)."""
    global _store
    with _store_lock:
        _store = new


def shared() -> bool:
    """Whether the counts are shared by every process (a Redis store)."""
    return isinstance(store(), RedisStore)


class FixedWindowLimiter:
    """How many events each key had in the current window; refuses beyond the limit.

    ``name`` keeps limiters apart in the shared store (two limiters with the same name
    count together, in every process).
    """

    _instances: weakref.WeakSet[FixedWindowLimiter] = weakref.WeakSet()

    def __init__(self, name: str = "") -> None:
        self.name = name or f"anonymous-{id(self)}"
        FixedWindowLimiter._instances.add(self)

    def key(self, key: str, rate: str, now: float) -> tuple[str, int, int, int]:
        """``(store key, window number, limit, period)`` for ``key`` at ``now``."""
        limit, period = parse_rate(rate)
        window = int(now // period)
        return f"{self.name}:{period}:{window}:{key}", window, limit, period

    def exceeded(self, key: str, rate: str) -> bool:
        """Count one event for ``key``; ``True`` when it goes beyond ``rate``."""
        return self.wait(key, rate) is not None

    def wait(self, key: str, rate: str) -> int | None:
        """Count one event for ``key``; beyond ``rate``, the whole seconds until the
        window ends (for ``Retry-After``), else ``None``."""
        return count_all([(self, key, rate)])[0]

    def reset(self) -> None:
        """Forget every count of every limiter (the store is shared by all of them)."""
        store().reset()

    @classmethod
    def reset_all(cls) -> None:
        """Forget every count (tests start from a clean slate, as with a cleared cache)."""
        store().reset()


Check = tuple[FixedWindowLimiter, str, str]


def count_all(checks: Iterable[Check]) -> list[int | None]:
    """Count one event against each ``(limiter, key, rate)``, all in one store call; for
    each, ``None`` within the rate, else the seconds until its window ends."""
    checks = list(checks)
    now = CLOCK()
    planned = []
    for limiter, key, rate in checks:
        store_key, window, limit, period = limiter.key(key, rate, now)
        planned.append((store_key, window, limit, period))
    counts = store().incr([(store_key, period + 1) for store_key, _w, _l, period in planned])
    waits: list[int | None] = []
    for count, (_key, window, limit, period) in zip(counts, planned, strict=True):
        if count <= limit:
            waits.append(None)
        else:
            waits.append(max(1, int((window + 1) * period - now + 0.999)))
    return waits


def count_once(environ: MutableMapping[str, Any], checks: Iterable[Check]) -> list[int | None]:
    """:func:`count_all`, but each ``(limiter, key)`` counted at most once per request.

    ``environ`` is the WSGI environ (Django's ``request.META`` is the same dictionary): the
    vote's own route counts the vote's limits, and when it hands the request to Django,
    Django's middleware and endpoint find the counts already made and reuse them.
    """
    checks = list(checks)
    memo: dict[tuple[str, str], int | None] = environ.setdefault(ENVIRON_KEY, {})
    todo = [check for check in checks if (check[0].name, check[1]) not in memo]
    for (limiter, key, _rate), wait in zip(todo, count_all(todo), strict=True):
        memo[(limiter.name, key)] = wait
    return [memo[(limiter.name, key)] for limiter, key, _rate in checks]
