"""Limits on signing in and on writing, so that nobody can guess passwords or flood the forum.

Sign-in: failed attempts are counted per client address and per e-mail address; once either
reaches :data:`LOGIN_RATE` in the current window, every attempt is refused, even with the
right password, until the window ends. Only failures count, because a workshop room of
mayors behind one address signs in legitimately many times a minute.

Writes: :class:`WriteThrottleMiddleware` counts every POST, PUT, PATCH and DELETE — form
posts and API calls alike — per person (the session's, or the bearer token's) and per
client address, and answers 429 beyond ``CITYFORUM_WRITE_RATE_PER_PERSON`` or
``CITYFORUM_WRITE_RATE_PER_ADDRESS`` in the current minute: a page in the visitor's
language, or a problem+json document under ``/api/``. Endpoints keep their own, tighter
limits on top (contributions, votes).

Sign-in counters live in Django's default cache (``django-ratelimit``); write counters in
:class:`~cityforum.core.limits.FixedWindowLimiter` (cheaper: they run on every write).
With ``REDIS_URL`` set both are in Redis, shared by every server process and host; without
it, both are counted per process (``cityforum manage check --deploy`` warns when several
processes serve without shared limits).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage

from cityforum.core.limits import Check, FixedWindowLimiter, count_once

from . import tokens

#: At most this many failed sign-ins per address and per e-mail in one window.
LOGIN_RATE = "10/m"
GROUP = "cityforum.people.login"
WRITE_GROUP = "cityforum.write"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: How long the owner of a bearer token is remembered for counting its writes.
TOKEN_OWNER_SECONDS = 300


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


# --- Writes ---------------------------------------------------------------------------


def person_key(request: HttpRequest) -> str | None:
    """Who writes: the signed-in person, or the owner of a valid bearer token; else nobody.

    A token's owner is looked up (then remembered a few minutes, so that the hot write
    paths do not pay a query each time) so that a person who spreads writes over several
    tokens, or over a token and the session, is counted once. It only names whom to
    count: the endpoint still authenticates the token itself.
    """
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        from .models import ApiToken, hash_token

        key_hash = hash_token(token.strip())
        owner = tokens.owner_of(key_hash)
        if owner is None:
            owner = (
                ApiToken.objects.filter(key_hash=key_hash).values_list("user_id", flat=True).first()
            )
            if owner is not None:
                tokens.remember(key_hash, owner)
        if owner:
            return f"user:{owner}"
    return None


#: The write counters (the semantics of django-ratelimit's, at a fraction of its cost:
#: this runs on every write, votes included); shared through Redis when it is configured.
PER_PERSON = FixedWindowLimiter("write.person")
PER_ADDRESS = FixedWindowLimiter("write.address")


def write_checks(person: str | None, address: str) -> list[Check]:
    """The write limits a write by ``person`` (``"user:<id>"``) from ``address`` counts
    against; the vote's own route asks the same (``statements.limits``)."""
    checks: list[Check] = []
    person_rate = getattr(settings, "CITYFORUM_WRITE_RATE_PER_PERSON", None)
    if person is not None and person_rate:
        checks.append((PER_PERSON, person, person_rate))
    address_rate = getattr(settings, "CITYFORUM_WRITE_RATE_PER_ADDRESS", None)
    if address_rate:
        checks.append((PER_ADDRESS, address, address_rate))
    return checks


def write_refused(request: HttpRequest) -> int | None:
    """Count this write (once, even when the vote's route counted it already); the seconds
    to wait when it goes beyond a limit, else ``None``."""
    checks = write_checks(person_key(request), request.META.get("REMOTE_ADDR", ""))
    refused = [wait for wait in count_once(request.META, checks) if wait is not None]
    return max(refused) if refused else None


def too_many_writes(request: HttpRequest, retry_after: int) -> HttpResponse:
    """The 429 answer, in the request's language: problem+json for the API, else a page."""
    title, detail = _("Too many requests."), _("Too many requests: wait a minute and try again.")
    if request.path.startswith("/api/"):
        from cityforum.core.problems import problem

        response = problem(429, title, detail, "rate-limited")
    else:
        context = {"title": title, "detail": detail}
        response = render(request, "people/throttled.html", context, status=429)
    response["Retry-After"] = str(retry_after)
    return response


class WriteThrottleMiddleware:
    """Refuse writes beyond the per-person and per-address rates, before any view runs."""

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        if request.method in WRITE_METHODS:
            retry_after = write_refused(request)
            if retry_after is not None:
                return too_many_writes(request, retry_after)
        return self.get_response(request)
