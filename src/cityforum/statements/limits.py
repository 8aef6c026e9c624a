"""The vote limit, one limiter behind both vote routes (the vote's WSGI route and Django's).

Each vote request counts once against the per-person vote limit
(``CITYFORUM_VOTE_RATE``) and the write limits of :mod:`cityforum.people.throttle`,
whichever route answers it, and is counted *before* it is written: two votes arriving
together cannot both be let through by a limit that has room for one (the gap the fast
route had when it asked "would it allow?" and counted after writing). With ``REDIS_URL``
set the counts are shared by every server process and host (:mod:`cityforum.core.limits`).
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from django.conf import settings

from cityforum.core.limits import Check, FixedWindowLimiter, count_once

#: Vote writes per voter; generous: a person voting by hand never meets it.
VOTE_LIMITER = FixedWindowLimiter("vote")


def vote_rate() -> str:
    """``CITYFORUM_VOTE_RATE``, read at each vote (tests and operators may change it)."""
    return getattr(settings, "CITYFORUM_VOTE_RATE", "600/m")


def vote_checks(owner: int) -> list[Check]:
    return [(VOTE_LIMITER, str(owner), vote_rate())]


def vote_refused(environ: MutableMapping[str, Any], owner: int) -> int | None:
    """Count this vote against the per-person vote limit (once per request); the seconds
    to wait beyond it, else ``None``."""
    return count_once(environ, vote_checks(owner))[0]


def all_vote_checks(environ: MutableMapping[str, Any], owner: int) -> list[Check]:
    """Every limit a vote by ``owner`` counts against: the vote limit and the write limits."""
    from cityforum.people import throttle

    return vote_checks(owner) + throttle.write_checks(
        f"user:{owner}", environ.get("REMOTE_ADDR", "")
    )
