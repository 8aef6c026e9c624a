"""API of accounts: a bearer token in exchange for an e-mail and a password."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from cityforum.people import services, throttle

from .problems import problem

router = Router(tags=["accounts"])


class Credentials(Schema):
    email: str
    password: str


class NewToken(Schema):
    token: str


@router.post(
    "/auth/token",
    response={201: NewToken},
    summary="A new API token for an e-mail and password (shown once)",
)
def create_token(request: HttpRequest, credentials: Credentials) -> Status | HttpResponse:
    email = credentials.email.strip().lower()
    if throttle.login_refused(request, email):
        return problem(
            429,
            _("Too many attempts."),
            _("Too many failed attempts to sign in. Wait a minute, then try again."),
            "rate-limited",
        )
    user = authenticate(request, username=email, password=credentials.password)
    if user is None:
        throttle.count_failed_login(request, email)
        return problem(
            401,
            _("Authentication required."),
            _("The e-mail address or the password is wrong."),
            "unauthenticated",
        )
    _record, token = services.issue_api_token(user)
    return Status(201, NewToken(token=token))
