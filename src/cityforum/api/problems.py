"""One error shape for the whole API: RFC 9457 problem details (``application/problem+json``).

Every failure — validation, not found, forbidden, rate-limited, a bug — answers with
``{"type", "title", "status", "detail"}`` (plus ``errors`` for field problems), in the
language of the request, so that clients handle one shape.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "/api/v1/problems/"


def problem(
    status: int, title: str, detail: str = "", kind: str = "", **extra: Any
) -> HttpResponse:
    body = {
        "type": PROBLEM_TYPE_BASE + (kind or str(status)),
        "title": title,
        "status": status,
        "detail": detail or title,
        **extra,
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=PROBLEM_CONTENT_TYPE
    )


def _field_errors(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    out = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", []) if part not in ("body", "query", "path")]
        out.append({"field": ".".join(loc), "message": str(error.get("msg", ""))})
    return out


def install(api: NinjaAPI) -> None:
    """Register the problem+json handlers on ``api``."""

    @api.exception_handler(NinjaValidationError)
    def invalid_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = _field_errors(exc.errors)
        detail = "; ".join(
            f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors
        )
        return problem(422, _("The request is not valid."), detail, "invalid-input", errors=errors)

    @api.exception_handler(ValidationError)
    def invalid_value(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return problem(422, _("The request is not valid."), " ".join(exc.messages), "invalid-input")

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return problem(
            404, _("Not found."), str(exc) or _("Nothing exists at this address."), "not-found"
        )

    @api.exception_handler(ObjectDoesNotExist)
    def no_object(request: HttpRequest, exc: Exception) -> HttpResponse:
        return problem(404, _("Not found."), _("Nothing exists at this address."), "not-found")

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
        return problem(
            401, _("Authentication required."), _("Send a valid API token."), "unauthenticated"
        )

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
        return problem(403, _("Forbidden."), str(exc) or _("You may not do this."), "forbidden")

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return problem(exc.status_code, str(exc), str(exc))

    @api.exception_handler(Exception)
    def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        import logging

        logging.getLogger("cityforum.api").exception("Unhandled API error", exc_info=exc)
        return problem(
            500, _("Server error."), _("Something went wrong on our side."), "server-error"
        )
