"""Fuzzing the API with schemathesis: every operation of ``/api/v1/openapi.json``, called with
generated data as each role, answers without a server error, with a status the schema
declares, in the content type it declares, with a body that matches its schema.

The schema is loaded from the WSGI application gunicorn serves (``cityforum.wsgi``), so that
the vote's fast route in front of Django (``statements.fastvote.FastVotes``) is fuzzed too.
Generated ids mostly point at the seeded forum's objects (a contribution, a hidden one, an
amendment…), so that the operations do their work rather than answer 404.
"""

from __future__ import annotations

import csv
import importlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from ninja import Schema
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import Failure, FailureGroup

from .conftest import Forum

#: The roles the API is fuzzed as (the public sends no credentials).
FUZZ_ROLES = ["public", "participant", "moderator of the region", "organiser"]
#: The PostgreSQL pass fuzzes as the public (every read) and as an organiser (every operation
#: reaches the database): what PostgreSQL adds (types, 64-bit bounds, constraints) is the same
#: for every role. The SQLite pass fuzzes as every role.
BETWEEN_ROLES = {"participant", "moderator of the region"}
FUZZ_PARAMS = [
    pytest.param(role, marks=pytest.mark.sqlite_only) if role in BETWEEN_ROLES else role
    for role in FUZZ_ROLES
]

#: Generated examples per operation, role and mode (positive, then negative data).
EXAMPLES = {GenerationMode.POSITIVE: 12, GenerationMode.NEGATIVE: 4}

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

#: What every WSGI server gives Django (gunicorn included): the client's address.
SERVER = {"REMOTE_ADDR": "127.0.0.1"}

#: Operations that change the state others depend on run last (closing the consultation
#: would turn every later write into a refusal).
LAST = {("PATCH", "/api/v1/consultations/{consultation_id}")}


@pytest.fixture
def wsgi_requests() -> Iterator[None]:
    """As Django's test client does: the test's transaction outlives each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def schema(wsgi_requests: None) -> Any:
    """The live schema, as the application serves it."""
    from cityforum.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


def known_ids(forum: Forum) -> dict[str, list[Any]]:
    """Ids of the seeded objects, by the name of the parameter or body field that takes them."""
    articles = list(forum.document.articles.values_list("pk", flat=True)[:3])
    return {
        "consultation_id": [forum.consultation.pk],
        "contribution_id": [forum.contribution.pk, forum.hidden_contribution.pk],
        "statement_id": [forum.statement.pk, forum.pending_statement.pk],
        "document_id": [forum.document.pk],
        "amendment_id": [forum.amendment.pk, forum.hidden_amendment.pk],
        "synthesis_id": [forum.theme_run.pk],
        "recommendation_id": [forum.extra["recommendation"].pk],
        "evidence_id": [forum.extra["evidence"].pk],
        "geonameid": [forum.city.geonameid],
        # body fields
        "statement": [forum.statement.pk, forum.pending_statement.pk],
        "article": articles,
        "parent": [forum.comment.pk, forum.hidden_comment.pk],
        "comment": [forum.comment.pk, forum.hidden_comment.pk],
        "city": [forum.city.geonameid],
        "agenda": [forum.assessment.pk],
        "contribution": [forum.contribution.pk, forum.hidden_contribution.pk],
        "consultations": [[forum.consultation.pk]],
        "source": [forum.contribution.pk],
    }


@st.composite
def cases(draw: Any, operation: Any, mode: GenerationMode, ids: dict[str, list[Any]]) -> Any:
    """A generated case whose ids point, four times in five, at seeded objects."""
    case = draw(operation.as_strategy(generation_mode=mode))
    for name in list(case.path_parameters or {}):
        if name in ids and draw(st.integers(0, 4)):
            case.path_parameters[name] = draw(st.sampled_from(ids[name]))
    if isinstance(case.body, dict):
        for name in list(case.body):
            if name in ids and draw(st.integers(0, 4)):
                case.body[name] = draw(st.sampled_from(ids[name]))
    return case


@dataclass
class Tally:
    """What one role's run saw: examples sent, answers by status, the first failure of each
    operation and mode."""

    examples: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)


def fuzz(
    operation: Any, mode: GenerationMode, headers: dict[str, str], ids: Any, tally: Tally
) -> None:
    """Send ``operation`` its examples; failures are recorded in ``tally``, not raised, so
    that one run reports every operation (and Hypothesis does not spend minutes shrinking)."""

    @given(case=cases(operation, mode, ids))
    @settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate],
    )
    def run(case: Any) -> None:
        tally.examples += 1
        response = case.call(headers=headers, environ_base=SERVER)
        tally.statuses[response.status_code] = tally.statuses.get(response.status_code, 0) + 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (FailureGroup, Failure) as failure:  # recorded, not shrunk: one per operation
            key = f"{operation.label} [{mode.value}]"
            tally.failures.setdefault(key, f"{failure}"[:3000])

    try:
        run()
    except Unsatisfiable:
        # Nothing to make invalid (an operation without parameters): positive data only.
        assert mode is GenerationMode.NEGATIVE, operation.label


def operations(schema: Any) -> list[Any]:
    """Every operation of the schema: reads first, then writes, then :data:`LAST`."""
    ops = [result.ok() for result in schema.get_all_operations()]
    return sorted(ops, key=lambda op: ((op.method.upper(), op.path) in LAST, op.method != "get"))


@pytest.mark.parametrize("role", FUZZ_PARAMS)
def test_every_operation_answers_as_its_schema_says(role: str, forum: Forum, schema: Any) -> None:
    headers = {"Authorization": f"Bearer {forum.tokens[role]}"} if role != "public" else {}
    ids = known_ids(forum)
    tally = Tally()
    ops = operations(schema)
    for operation in ops:
        for mode in EXAMPLES:
            fuzz(operation, mode, headers, ids, tally)
    print(f"\n{role}: {len(ops)} operations, {tally.examples} examples, {tally.statuses}")
    # The run did real work: writes were made, or (the public) refused for want of a token.
    assert tally.statuses.get(401 if role == "public" else 201, 0) > 0, tally.statuses
    assert not tally.failures, "\n\n".join(f"{k}: {v}" for k, v in tally.failures.items())


# --- what the fuzzing found, kept as regression tests -----------------------------------------

PROBLEM = "application/problem+json"
API_MODULES = [
    "accounts",
    "assessments",
    "cities",
    "drafting",
    "inputs",
    "participation",
    "problems",
    "programme",
    "recommendations",
    "statements",
    "urls",
]


def _send(forum: Forum, method: str, path: str, body: Any, role: str = "organiser") -> Any:
    from django.test import Client

    path = path.format(
        c=forum.consultation.pk,
        d=forum.document.pk,
        m=forum.amendment.pk,
        s=forum.pending_statement.pk,
        k=forum.contribution.pk,
    )
    if method == "get":
        return Client().get(path, **forum.auth(role))
    return Client().generic(
        method.upper(), path, json.dumps(body), content_type="application/json", **forum.auth(role)
    )


def footprint(forum: Forum) -> tuple[Any, ...]:
    """What a write would change: rows of every kind written here, and the status."""
    from cityforum.assessments.models import Assessment
    from cityforum.core.models import AuditEvent
    from cityforum.drafting.models import Amendment
    from cityforum.participation.models import Comment, Contribution
    from cityforum.people.models import ApiToken
    from cityforum.programme.models import Consultation
    from cityforum.statements.models import Statement

    counts = [m.objects.count() for m in (Assessment, AuditEvent, Amendment, Comment)]
    counts += [m.objects.count() for m in (Contribution, ApiToken, Statement)]
    return (*counts, Consultation.objects.get(pk=forum.consultation.pk).status)


#: Text with a NUL character, where the API used to pass it to the database: PostgreSQL
#: cannot store or compare it and answered 500 (SQLite stored it).
NUL_INPUTS = [
    ("get", "/api/v1/consultations/{c}/contributions?region=a%00b", None),
    ("get", "/api/v1/consultations/{c}/contributions?language=a%00b", None),
    ("get", "/api/v1/consultations?region=a%00b", None),
    ("post", "/api/v1/auth/token", {"email": "a\x00b@example.org", "password": "x"}),
    ("post", "/api/v1/consultations/{c}/statements", {"text": "Trains\x00 for towns"}),
    ("patch", "/api/v1/consultations/{c}", {"status": "closed", "note": "a\x00b"}),
    (
        "post",
        "/api/v1/consultations/{c}/contributions",
        {"type": "proposal", "title": "t", "body": "b", "capitals": ["soc\x00ial"]},
    ),
    ("post", "/api/v1/contributions/{k}/comments", {"body": "a\x00b"}),
    ("post", "/api/v1/assessments", {"kind": "agenda", "year": 2025, "title": "a\x00b"}),
    (
        "post",
        "/api/v1/documents/{d}/amendments",
        {"article": 0, "kind": "delete", "rationale": "r\x00"},
    ),
    ("post", "/api/v1/amendments/{m}/reject", {"reason": "r\x00"}),
    ("post", "/api/v1/statements/{s}/moderation", {"decision": "reject", "reason": "r\x00"}),
    (
        "post",
        "/api/v1/recommendations",
        {
            "text": "a\x00b",
            "language": "fr",
            "consultations": [],
            "capitals": ["social"],
            "line": "financing",
            "addressee": "global",
            "pact_component": "people",
        },
    ),
]


@pytest.mark.parametrize(("method", "path", "body"), NUL_INPUTS)
def test_text_with_a_nul_character_is_invalid_input(
    forum: Forum, method: str, path: str, body: Any
) -> None:
    before = footprint(forum)
    response = _send(forum, method, path, body)
    assert response.status_code == 422 and response["Content-Type"] == PROBLEM
    assert "NUL" in response.json()["detail"]
    assert footprint(forum) == before


def test_a_body_that_is_not_json_is_a_400_problem(forum: Forum) -> None:
    from django.test import Client

    response = Client().post(
        f"/api/v1/contributions/{forum.contribution.pk}/comments",
        b"\xf5 not json",
        content_type="application/json",
        **forum.auth("participant"),
    )
    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    assert response.json()["type"].endswith("/invalid-body")


def test_a_hidden_contribution_is_not_found_by_those_who_cannot_moderate_it(
    forum: Forum,
) -> None:
    """Its moderation answered 403, telling that the hidden contribution exists."""
    path = f"/api/v1/contributions/{forum.hidden_contribution.pk}/moderation"
    body = {"action": "restore", "reason": "Not spam."}
    assert _send(forum, "post", path, body, role="participant").status_code == 404
    assert _send(forum, "post", path, body, role="organiser").status_code == 200


def test_the_schema_declares_every_problem_an_operation_answers() -> None:
    """Every operation declares its errors as problem+json (``problems.declare_problems``),
    and no two schemas share a name: OpenAPI names components by class, and two classes of
    one name made one operation's schema describe another's (``ModerationOut`` of the
    statements described a contribution's moderation; ``VoteIn`` of the drafting…)."""
    from cityforum.api.urls import api

    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            errors = {s: r for s, r in operation["responses"].items() if int(s) >= 400}
            if operation.get("parameters") or "requestBody" in operation:
                assert "422" in errors, f"{method} {path}"
            for response in errors.values():
                assert list(response["content"]) == [PROBLEM], f"{method} {path}"
            if operation.get("security"):
                assert {"401", "403"} <= set(errors), f"{method} {path}"
            assert "503" in errors, f"{method} {path}"  # the database out of reach
    names: dict[str, set[str]] = {}
    for module in API_MODULES:
        for obj in vars(importlib.import_module(f"cityforum.api.{module}")).values():
            if isinstance(obj, type) and issubclass(obj, Schema) and obj is not Schema:
                names.setdefault(obj.__name__, set()).add(obj.__module__)
    assert {name: m for name, m in names.items() if len(m) > 1} == {}


# --- operations the fuzzing cannot judge: files --------------------------------------------
# Schemathesis checks their status and content type; what is in a PDF, a Markdown file or a
# CSV file it cannot read, so these tests do.


@pytest.mark.parametrize(
    ("fmt", "content_type", "starts"),
    [("pdf", "application/pdf", b"%PDF-"), ("md", "text/markdown", b"# "), ("json", None, b"{")],
)
def test_the_document_exports_are_the_files_they_say(
    forum: Forum, fmt: str, content_type: str | None, starts: bytes
) -> None:
    from django.test import Client

    response = Client().get(f"/api/v1/documents/{forum.document.pk}/export?format={fmt}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type or "application/json")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response.content.startswith(starts)
    if fmt == "json":
        assert response.json()["schema"] == "cityforum.drafting.document/1"
    text = response.content.decode("latin-1")
    assert not [e for e in forum.emails if e in text]


@pytest.mark.parametrize("name", ["votes", "participants-votes", "comments"])
def test_the_polis_exports_are_csv_for_organisers_only(forum: Forum, name: str) -> None:
    from django.test import Client

    path = f"/api/v1/consultations/{forum.consultation.pk}/{name}.csv"
    response = Client().get(path, **forum.auth("organiser"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert len(rows) >= 2 and len({len(row) for row in rows}) == 1
    assert not [e for e in forum.emails if e in response.content.decode()]
    assert Client().get(path, **forum.auth("participant")).status_code == 403
    assert Client().get(path, **forum.auth("moderator of the region")).status_code == 403
    assert Client().get(path).status_code == 401
