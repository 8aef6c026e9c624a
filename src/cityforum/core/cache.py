"""Django's own Redis cache backend, made to survive a Redis outage.

With ``REDIS_URL`` set the default cache is Redis: django-ratelimit's counters (sign-in,
contributions, drafting) are then shared by every server process and host. Django's
``RedisCache`` raises when Redis cannot be reached, and every sign-in would then fail with
a 500. This backend answers from a per-process local-memory cache instead, for a few
seconds at a time, then tries Redis again: during an outage the limits are counted per
process (as without Redis) and the site keeps serving; when Redis is back it is used again
without a restart. The rule is the same as the write limiters' (``core.limits.RedisStore``)
and is documented in ``docs/deploy.md``.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

#: The cache operations that reach Redis; each falls back to the local cache.
_OPERATIONS = (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
)


class FailSoftRedisCache(RedisCache):
    """``RedisCache``, falling back to a local-memory cache while Redis is unreachable."""

    #: After a failure, Redis is left alone this long (no request waits on a dead server).
    RETRY_SECONDS = 2.0

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = params.setdefault("OPTIONS", {})
        options.setdefault("socket_timeout", 0.5)
        options.setdefault("socket_connect_timeout", 0.5)
        super().__init__(server, params)
        self.fallback = LocMemCache(
            f"cityforum-fallback-{id(self)}", {"TIMEOUT": self.default_timeout}
        )
        self._down_until = 0.0

    @property
    def degraded(self) -> bool:
        return time.monotonic() < self._down_until


def _fail_soft(name: str) -> Any:
    def operation(self: FailSoftRedisCache, *args: Any, **kwargs: Any) -> Any:
        import redis

        if not self.degraded:
            try:
                return getattr(RedisCache, name)(self, *args, **kwargs)
            except (redis.RedisError, OSError) as error:
                self._down_until = time.monotonic() + self.RETRY_SECONDS
                logger.warning("cache: Redis unreachable (%s), using this process's memory", error)
        return getattr(self.fallback, name)(*args, **kwargs)

    operation.__name__ = name
    operation.__doc__ = f"``RedisCache.{name}``, or the local cache's while Redis is down."
    return operation


for _name in _OPERATIONS:
    setattr(FailSoftRedisCache, _name, _fail_soft(_name))
