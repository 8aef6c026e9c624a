"""A fixed-window request counter for the hottest writes (votes).

``django-ratelimit`` serves the forms and the sign-in, where its cost does not matter; a
vote is cheap enough that the limiter's cache round trips were a tenth of its cost. This
counter keeps the same semantics as ``django-ratelimit`` with the local-memory cache
(per process, fixed windows aligned on the clock) in a dictionary under a lock.
"""

from __future__ import annotations

import re
import threading
import time
import weakref
from functools import lru_cache

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")


@lru_cache(maxsize=64)
def parse_rate(rate: str) -> tuple[int, int]:
    """``"600/m"`` → ``(600, 60)``; ``"10/5m"`` → ``(10, 300)`` (django-ratelimit's syntax)."""
    match = _RATE.match(rate)
    if match is None:
        raise ValueError(f"not a rate: {rate!r} (expected e.g. '600/m')")
    count, multiplier, unit = match.groups()
    return int(count), int(multiplier or 1) * _UNITS[unit]


class FixedWindowLimiter:
    """How many events each key had in the current window; refuses beyond the limit."""

    #: Forget finished windows once this many keys are held.
    MAX_KEYS = 100_000

    _instances: weakref.WeakSet[FixedWindowLimiter] = weakref.WeakSet()

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[int, int]] = {}
        FixedWindowLimiter._instances.add(self)

    def exceeded(self, key: str, rate: str) -> bool:
        """Count one event for ``key``; ``True`` when it goes beyond ``rate``."""
        return self.wait(key, rate) is not None

    def allows(self, key: str, rate: str) -> bool:
        """Whether one more event for ``key`` would stay within ``rate`` (counts nothing)."""
        limit, period = parse_rate(rate)
        window = int(time.time() // period)
        start, count = self._windows.get(key, (window, 0))
        return (count if start == window else 0) < limit

    def wait(self, key: str, rate: str) -> int | None:
        """Count one event for ``key``; beyond ``rate``, the whole seconds until the
        window ends (for ``Retry-After``), else ``None``."""
        limit, period = parse_rate(rate)
        now = time.time()
        window = int(now // period)
        with self._lock:
            start, count = self._windows.get(key, (window, 0))
            count = count + 1 if start == window else 1
            self._windows[key] = (window, count)
            if len(self._windows) > self.MAX_KEYS:
                self._windows = {k: v for k, v in self._windows.items() if v[0] == window}
        if count <= limit:
            return None
        return max(1, int((window + 1) * period - now + 0.999))

    def reset(self) -> None:
        with self._lock:
            self._windows.clear()

    @classmethod
    def reset_all(cls) -> None:
        """Forget every count (tests start from a clean slate, as with a cleared cache)."""
        for limiter in list(cls._instances):
            limiter.reset()
