"""How many votes a person may write per window, whichever route the vote takes.

Both routes count against the same limiter: the API's vote endpoint
(``api/statements.py``) and the fast path in front of Django (``statements/fastvote.py``).
It lives with the votes rather than in the API so that the fast path, part of this app,
never imports the API.
"""

from __future__ import annotations

from django.conf import settings

from cityforum.core.limits import FixedWindowLimiter

#: Vote writes per voter; generous: a person voting by hand never meets it.
VOTE_RATE = getattr(settings, "CITYFORUM_VOTE_RATE", "600/m")
VOTE_LIMITER = FixedWindowLimiter()


def vote_rate_exceeded(person: int) -> bool:
    """Count one vote of ``person`` in the current window (:data:`VOTE_RATE`, counted in this
    process); whether it is one too many."""
    return VOTE_LIMITER.exceeded(str(person), VOTE_RATE)
