"""One error shape for the whole API: RFC 9457 problem details (``application/problem+json``).

Every failure — validation, not found, forbidden, rate-limited, a bug — answers with
``{"type", "title", "status", "detail"}`` (plus ``errors`` for field problems), in the
language of the request, so that clients handle one shape.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from cityforum.core import unavailable
from cityforum.core.numbers import out_of_range
from cityforum.core.problems import PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_BASE, problem

from . import field_messages

__all__ = ["PROBLEM_CONTENT_TYPE", "PROBLEM_TYPE_BASE", "Problem", "install", "problem"]

WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})


class FieldProblem(Schema):
    field: str
    message: str


class Problem(Schema):
    """RFC 9457 problem details; some problems add members of their own (``errors`` for
    invalid input, ``current`` and ``allowed`` for a refused change of status)."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] | None = None


def _field_errors(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    out = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", []) if part not in ("body", "query", "path")]
        out.append({"field": ".".join(loc), "message": field_messages.message(error)})
    return out


def expected_problems(method: str, operation: dict[str, Any]) -> set[int]:
    """The problems any operation of this shape may answer, whatever it does: an unreadable
    body (400), input that does not validate (422), nothing at the address (404), no or
    wrong credentials (401, 403), too many writes (429, ``people.throttle``), and the database
    out of reach (503 with ``Retry-After``, ``core.unavailable``) — any operation can meet it."""
    parameters = operation.get("parameters") or []
    statuses = {503}
    if parameters or "requestBody" in operation:
        statuses.add(422)
    if "requestBody" in operation:
        statuses.add(400)
    if any(p.get("in") == "path" for p in parameters):
        statuses.add(404)
    if operation.get("security"):
        statuses |= {401, 403}
    if method in WRITE_METHODS:
        statuses.add(429)
    return statuses


def declare_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Declare in the OpenAPI ``schema`` the problems each operation answers, as
    ``application/problem+json``: those of :func:`expected_problems`, and those an operation
    declares itself (``response={…, 409: Problem}``)."""
    from ninja.openapi.schema import REF_TEMPLATE

    definition = Problem.model_json_schema(ref_template=REF_TEMPLATE)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.update(definition.pop("$defs", {}))
    components["Problem"] = definition
    content = {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": REF_TEMPLATE.format(model="Problem")}}}
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            # django-ninja keys responses by int; JSON keys are strings.
            responses = {str(k): v for k, v in operation.get("responses", {}).items()}
            for status in expected_problems(method, operation):
                responses.setdefault(str(status), {})
            for status, response in responses.items():
                if status.isdigit() and int(status) >= 400:
                    response["description"] = HTTPStatus(int(status)).phrase
                    response["content"] = content
            operation["responses"] = dict(sorted(responses.items()))
    return schema


def install(api: NinjaAPI) -> None:
    """Register the problem+json handlers on ``api``, and declare them in its schema."""
    openapi_schema = api.get_openapi_schema

    def get_openapi_schema(**kwargs: Any) -> Any:
        return declare_problems(openapi_schema(**kwargs))

    api.get_openapi_schema = get_openapi_schema  # type: ignore[method-assign]

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
        if exc.status_code == 400:  # django-ninja's own: a body that is not JSON
            return problem(
                400,
                _("The request is not valid."),
                _("The request body cannot be read: send a JSON document."),
                "invalid-body",
            )
        if exc.status_code == 403:  # django-ninja's CSRF check of a session
            return problem(
                403,
                _("Forbidden."),
                _("The CSRF token is missing or wrong: send it with the session, or a token."),
                "forbidden",
            )
        kind = "rate-limited" if exc.status_code == 429 else ""
        return problem(exc.status_code, str(exc), str(exc), kind)

    @api.exception_handler(Exception)
    def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        if unavailable.caused_by_database(exc):  # the database is away: 503, Retry-After
            return unavailable.response(request, exc)
        if out_of_range(exc):  # a number no schema bounded: the input's fault, not ours
            return problem(
                422, _("The request is not valid."), _("The number is too large."), "invalid-input"
            )

        logging.getLogger("cityforum.api").exception("Unhandled API error", exc_info=exc)
        return problem(
            500, _("Server error."), _("Something went wrong on our side."), "server-error"
        )
