"""Limits on signing in, so that passwords cannot be guessed at speed.

Failed attempts are counted per client address and per e-mail address; once either
reaches :data:`LOGIN_RATE` in the current window, every attempt is refused, even with the
right password, until the window ends. Only failures count, because a workshop room of
mayors behind one address signs in legitimately many times a minute. The counters live
in Django's default cache (``django-ratelimit``), so they are per process unless the
cache is shared (Redis, Memcached).
"""

from __future__ import annotations

from django.http import HttpRequest
from django_ratelimit.core import get_usage

#: At most this many failed sign-ins per address and per e-mail in one window.
LOGIN_RATE = "10/m"
GROUP = "cityforum.people.login"


def _normalised(email: str) -> str:
    return (email or "").strip().lower()


def _usages(request: HttpRequest, email: str, *, increment: bool) -> list[dict]:
    by_ip = get_usage(request, group=GROUP + ".ip", key="ip", rate=LOGIN_RATE, increment=increment)
    by_email = get_usage(
        request,
        group=GROUP + ".email",
        key=lambda _group, _request: _normalised(email),
        rate=LOGIN_RATE,
        increment=increment,
    )
    return [usage for usage in (by_ip, by_email) if usage is not None]


def login_refused(request: HttpRequest, email: str) -> bool:
    """Whether this attempt must be refused before the password is even checked."""
    return any(
        usage["count"] >= usage["limit"] for usage in _usages(request, email, increment=False)
    )


def count_failed_login(request: HttpRequest, email: str) -> None:
    _usages(request, email, increment=True)
