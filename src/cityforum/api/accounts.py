"""API of accounts: a bearer token in exchange for an e-mail and a password; the caller's data."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from cityforum.people import privacy, services, throttle

from .auth import TokenAuth, session_auth
from .inputs import Input
from .problems import Problem, problem

router = Router(tags=["accounts"])


class Credentials(Input):
    email: str
    password: str


class NewToken(Schema):
    token: str


@router.post(
    "/auth/token",
    response={201: NewToken, 401: Problem},
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


@router.get(
    "/me/data",
    auth=[TokenAuth(), session_auth],
    summary="Everything the forum holds about the caller (JSON download)",
    openapi_extra={
        "responses": {
            200: {
                "description": "The caller's data",
                "content": {"application/json": {"schema": {"type": "object"}}},
            }
        }
    },
)
def my_data(request: HttpRequest) -> HttpResponse:
    user = request.auth  # type: ignore[attr-defined]
    response = JsonResponse(privacy.export_personal_data(user, by=user))
    response["Cache-Control"] = "no-store"
    return response
