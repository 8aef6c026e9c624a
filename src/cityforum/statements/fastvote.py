"""The vote write's own WSGI route, in front of Django, for the one case that is most of
the traffic: a bearer-token client voting again in a consultation where it has voted.

Why: a vote is the platform's hottest write (Pol.is conversations run to millions of
votes), and Django's middleware, URL resolution and django-ninja's parsing cost several
times the vote's own work. This route answers the common case itself and hands
**everything else** to Django, unchanged: any doubt (a body that is not a plain
``{"statement": int, "value": -1|0|1}``, a session cookie instead of a token, a token this
process has not seen yet, a host Django would refuse, plain HTTP where HTTPS is required,
a limit passed by this vote, a database error) means Django answers, with its messages in
the person's language. Nothing is written by this route unless the write is complete:
the vote's single ``INSERT … SELECT … ON CONFLICT`` statement
(:func:`services.cast_vote_fast`) checks the token, the person, the consultation's status,
the statement and the voter, and writes nothing when one of them is wrong — Django then
finds out which and says so.

The same limiter counts the same writes (the per-person and per-address write limits of
:mod:`cityforum.people.throttle`, and the per-person vote limit, :mod:`.limits`): each vote
is counted once, before it is written, whichever route answers it; the response carries the
same security headers as Django's.
"""

from __future__ import annotations

import io
import json
import re
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.http.request import split_domain_port, validate_host

from cityforum.core.limits import count_once
from cityforum.people import tokens
from cityforum.people.models import hash_token

from . import services
from .limits import all_vote_checks

PATH = re.compile(r"/api/v1/consultations/([1-9][0-9]{0,17})/votes")
#: A vote's body is a few dozen bytes; anything larger goes to Django.
MAX_BODY = 512

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def _strict_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_vote(body: bytes) -> tuple[int, int] | None:
    """``(statement, value)`` from a plain vote body, else ``None`` (Django will judge it)."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(payload, dict) or set(payload) != {"statement", "value"}:
        return None
    statement, value = payload["statement"], payload["value"]
    if not (_strict_int(statement) and _strict_int(value)) or value not in services.VOTE_VALUES:
        return None
    return statement, value


def bearer_token(environ: dict[str, Any]) -> str | None:
    scheme, _space, token = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def is_secure(environ: dict[str, Any]) -> bool:
    """``HttpRequest.is_secure`` for a WSGI environ (the proxy header included)."""
    header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if header:
        name, secure_value = header
        if name in environ:
            return environ[name].split(",", 1)[0].strip() == secure_value
    return environ.get("wsgi.url_scheme") == "https"


def host_allowed(environ: dict[str, Any]) -> bool:
    """Whether Django would accept the request's host (else it answers 400 itself)."""
    host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
    domain, _port = split_domain_port(host)
    return bool(domain) and validate_host(domain, settings.ALLOWED_HOSTS)


def security_headers(secure: bool) -> list[tuple[str, str]]:
    """The headers Django's security, clickjacking and CSP middleware put on an API answer."""
    headers = []
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        headers.append(("X-Content-Type-Options", "nosniff"))
    if settings.SECURE_REFERRER_POLICY:
        headers.append(("Referrer-Policy", str(settings.SECURE_REFERRER_POLICY)))
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        headers.append(("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY))
    headers.append(("X-Frame-Options", getattr(settings, "X_FRAME_OPTIONS", "DENY")))
    if secure and settings.SECURE_HSTS_SECONDS:
        value = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
            value += "; includeSubDomains"
        if settings.SECURE_HSTS_PRELOAD:
            value += "; preload"
        headers.append(("Strict-Transport-Security", value))
    if "csp.middleware.CSPMiddleware" in settings.MIDDLEWARE:
        from csp.utils import build_policy

        headers.append(("Content-Security-Policy", build_policy()))
    return headers


def recycle_connection() -> None:
    """Django's per-request ``close_old_connections``, without its health-check query.

    Django checks a persistent connection with a ``SELECT 1`` at the start of each
    request; on PostgreSQL that is a round trip as long as the vote itself. Here a broken
    connection shows instead as an error of the vote's own statement, which wrote nothing:
    the connection is closed and Django answers, on a new one.
    """
    if connection.connection is None or connection.in_atomic_block:
        return
    obsolete = connection.close_at is not None and time.monotonic() >= connection.close_at
    if (
        obsolete
        or connection.errors_occurred
        or connection.get_autocommit() != connection.settings_dict["AUTOCOMMIT"]
    ):
        connection.close()


class FastVotes:
    """WSGI middleware: the common vote answered here, every other request by ``app``."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app
        self._headers: dict[bool, list[tuple[str, str]]] = {}

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "POST":
            match = PATH.fullmatch(environ.get("PATH_INFO", ""))
            if match is not None:
                answer = self._vote(environ, int(match[1]))
                if answer is not None:
                    status, body, secure = answer
                    start_response(status, self._response_headers(body, secure))
                    return [body]
        return self.app(environ, start_response)

    def _response_headers(self, body: bytes, secure: bool) -> list[tuple[str, str]]:
        if secure not in self._headers:
            self._headers[secure] = security_headers(secure)
        return [
            ("Content-Type", "application/json; charset=utf-8"),
            ("Content-Length", str(len(body))),
            *self._headers[secure],
        ]

    def _vote(self, environ: dict[str, Any], consultation: int) -> tuple[str, bytes, bool] | None:
        """The answer ``(status, body, secure)``, or ``None`` to let Django answer."""
        token = bearer_token(environ)
        if token is None or not environ.get("CONTENT_TYPE", "").startswith("application/json"):
            return None
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None
        if not 0 < length <= MAX_BODY:
            return None
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)  # Django reads it again if it answers
        environ["CONTENT_LENGTH"] = str(len(body))
        vote = parse_vote(body)
        secure = is_secure(environ)
        if vote is None or (settings.SECURE_SSL_REDIRECT and not secure):
            return None
        if not host_allowed(environ):
            return None
        key_hash = hash_token(token)
        owner = tokens.owner_of(key_hash)
        if owner is None:
            return None
        # Counted before the write, once per request: Django reuses these counts if it answers.
        if any(wait is not None for wait in count_once(environ, all_vote_checks(environ, owner))):
            return None  # Django refuses it, in the person's language
        recycle_connection()
        try:
            cast = services.cast_vote_fast(
                consultation, vote[0], vote[1], user_id=owner, token_hash=key_hash
            )
            if cast is None:
                return None
        except DatabaseError:
            connection.close()  # Django's own attempt starts on a fresh connection
            return None
        # The vote is written: from here on, nothing may hand it to Django again.
        try:
            tokens.touch_if_due(key_hash)  # best effort: when the token was last used
        except DatabaseError:
            connection.close()
        body = json.dumps(
            {
                "statement": cast.statement_id,
                "value": cast.value,
                "revision": cast.revision,
                "replaced": not cast.created,
            }
        ).encode()
        return ("201 Created" if cast.created else "200 OK"), body, secure
