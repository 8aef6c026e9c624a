"""API authentication: bearer tokens issued by ``cityforum users token``, or the session."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from cityforum.people.models import ApiToken, hash_token


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        record = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=hash_token(token), user__is_active=True)
            .first()
        )
        if record is None:
            return None
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=timezone.now())
        request.user = record.user
        return record.user


class SessionAuth(NinjaSessionAuth):
    """The site's session, with its CSRF token, for requests that carry a session cookie.

    django-ninja checks the CSRF token before it looks for the session: a client that sends
    no session cookie at all — no credentials, or a bearer token that is wrong or revoked —
    would be told that a CSRF token is missing (403) rather than that it must authenticate
    (401). Without a session cookie there is no session to forge a request with, so there
    is nothing to check: the next authentication, or the 401, answers.
    """

    def _get_key(self, request: HttpRequest) -> str | None:
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)


#: The session (with its CSRF token), after a bearer token, on every authenticated endpoint.
session_auth = SessionAuth()
