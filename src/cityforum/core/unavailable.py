"""What the site answers while its database cannot be reached: 503 with ``Retry-After``.

Why: when PostgreSQL restarts (an upgrade, a failover, its host rebooting) every request
fails for a few seconds. Those requests did nothing wrong, and their writes were rolled
back with the transaction that failed; a 500 would say the site is broken, where
"503 Service Unavailable, retry after a few seconds" tells people and API clients to try
again. Under ``/api/`` the answer is a problem+json document; elsewhere a short page in
the visitor's language, rendered without touching the database (no request context: the
session, the signed-in person and the context processors all need it).

Nothing has to be restarted when the database is back: a connection that raised is
closed at the end of its request (Django's ``close_old_connections``), and a persistent
connection is checked before its first query of each request (``CONN_HEALTH_CHECKS``,
set in ``settings/base.py``), so a connection that the restart broke is replaced by a
new one. ``statements.fastvote`` closes its connection on any database error and lets
Django answer, so a vote gets this same 503.

Which errors: ``OperationalError`` (the server refuses or drops the connection, is
shutting down or starting up; on SQLite, a database locked beyond its timeout) and
``InterfaceError`` (a connection already closed). Errors in the SQL itself are
``ProgrammingError`` on PostgreSQL and stay 500s (SQLite reports a missing table as an
``OperationalError`` too: ``cityforum serve`` refuses to start on an unmigrated database).
Every 503 is logged with its cause (``cityforum.unavailable``, and Django's request log),
so an operator sees it.
"""

from __future__ import annotations

import logging

import redis
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext as _

from .problems import problem

#: Errors that mean "the database cannot be used just now", not "this request is wrong".
#: Redis (``REDIS_URL``) counts: a request that needed it (queuing a background job) while
#: it is unreachable gets the same 503. The limits and the cache never raise these: they
#: count per process while Redis is away (``core.limits``, ``core.cache``).
DATABASE_ERRORS: tuple[type[Exception], ...] = (
    OperationalError,
    InterfaceError,
    redis.ConnectionError,
    redis.TimeoutError,
)
#: Seconds a client is asked to wait before trying again: a PostgreSQL restart takes a few.
RETRY_AFTER_SECONDS = 5

logger = logging.getLogger("cityforum.unavailable")


def caused_by_database(error: BaseException | None) -> bool:
    """Whether ``error`` (or the error it was raised from) means the database is away."""
    seen = 0
    while error is not None and seen < 5:
        if isinstance(error, DATABASE_ERRORS):
            return True
        error = error.__cause__
        seen += 1
    return False


def _language(request: HttpRequest) -> str:
    """The page's language: its path prefix (/fr/, /en/, /es/), else the visitor's choice
    (cookie, Accept-Language), neither of which needs the database."""
    language = translation.get_language_from_path(request.path_info)
    return str(language or translation.get_language_from_request(request))


def response(request: HttpRequest, error: BaseException | None = None) -> HttpResponse:
    """The 503 for ``request``: problem+json under ``/api/``, else a page."""
    logger.warning("Database unavailable (%s): %s", request.path, error)
    language = _language(request)
    with translation.override(language):
        if request.path_info.startswith("/api/"):
            answer = problem(
                503,
                _("Service unavailable."),
                _("The database cannot be reached just now; try again in a few seconds."),
                "unavailable",
            )
        else:
            body = loader.render_to_string("503.html", {"LANGUAGE_CODE": language})
            answer = HttpResponse(body, status=503)
    answer["Content-Language"] = language
    answer["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return answer
