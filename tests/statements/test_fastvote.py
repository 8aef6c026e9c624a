"""The vote's own WSGI route (``statements.fastvote.FastVotes``) answers a token client's
later votes exactly as Django would, and hands every other request to Django."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory

from cityforum.people.models import ApiToken, User
from cityforum.statements import services
from cityforum.statements.fastvote import FastVotes, parse_vote
from cityforum.statements.models import Statement, Vote, VoteEvent

from .conftest import bearer

SECURITY = (
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "X-Frame-Options",
    "Content-Security-Policy",
    "Strict-Transport-Security",
)


class Django:
    """Django's WSGI handler, counting the requests it answers."""

    def __init__(self) -> None:
        self.handler: WSGIHandler | None = None
        self.calls = 0

    def __call__(self, environ: dict, start_response: Any) -> Any:
        self.calls += 1
        if self.handler is None:  # built on first use: after the test changed settings
            self.handler = WSGIHandler()
        return self.handler(environ, start_response)


@pytest.fixture
def django_app() -> Iterator[Django]:
    # As Django's test client does: the test's transaction must outlive each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield Django()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def app(django_app: Django) -> FastVotes:
    return FastVotes(django_app)


def send(
    app: FastVotes, path: str, body: Any, token: dict | None = None, **headers: str
) -> tuple[int, dict, Any]:
    """POST through ``app``; ``headers`` named as in HTTP with ``_`` for ``-``."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    named = {name.replace("_", "-"): value for name, value in headers.items()}
    request = RequestFactory().generic(
        "POST", path, raw, content_type="application/json", headers={**(token or {}), **named}
    )
    answer: dict[str, Any] = {}

    def start_response(status: str, response_headers: list, exc_info: Any = None) -> None:
        answer["status"] = int(status.split()[0])
        answer["headers"] = dict(response_headers)

    content = b"".join(app(request.environ, start_response))
    data = json.loads(content) if content.strip().startswith(b"{") else content
    return answer["status"], answer["headers"], data


@pytest.fixture
def url(consultation) -> str:
    return f"/api/v1/consultations/{consultation.pk}/votes"


@pytest.fixture
def token(participant: User) -> dict[str, str]:
    return bearer(participant)


@pytest.fixture
def first(app: FastVotes, django_app: Django, url: str, statement, token) -> None:
    """The first vote: Django answers it (the voter does not exist yet)."""
    status, _headers, data = send(app, url, {"statement": statement.pk, "value": 1}, token)
    assert (status, data["revision"], django_app.calls) == (201, 1, 1)


def test_a_later_vote_is_answered_in_front_of_django_like_django_would(
    app, django_app, url, statement, token, first
) -> None:
    status, headers, data = send(app, url, {"statement": statement.pk, "value": -1}, token)
    assert django_app.calls == 1  # not asked
    assert status == 200
    assert data == {"statement": statement.pk, "value": -1, "revision": 2, "replaced": True}
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    vote = Vote.objects.get()
    assert (vote.value, vote.revision) == (-1, 2)
    assert list(VoteEvent.objects.order_by("revision").values_list("value", flat=True)) == [1, -1]


def test_a_first_vote_on_another_statement_is_a_201_from_the_fast_route(
    app, django_app, url, consultation, organiser, statement, token, first
) -> None:
    other = services.add_statement(consultation, "Another statement to vote on.", by=organiser)
    status, _headers, data = send(app, url, {"statement": other.pk, "value": 0}, token)
    assert django_app.calls == 1
    assert status == 201 and data == {
        "statement": other.pk,
        "value": 0,
        "revision": 1,
        "replaced": False,
    }


def test_its_security_headers_are_djangos(app, url, statement, token, first, settings) -> None:
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 3600
    django_status, django_headers, _ = send(
        FastVotes(lambda environ, start: WSGIHandler()(environ, start)),  # a Django answer…
        url,
        {"statement": statement.pk, "value": 1, "note": "goes to Django"},
        token,
        X_Forwarded_Proto="https",
    )
    fast_status, fast_headers, _ = send(
        app, url, {"statement": statement.pk, "value": 0}, token, X_Forwarded_Proto="https"
    )
    assert (django_status, fast_status) == (200, 200)
    assert "Strict-Transport-Security" in fast_headers
    for name in SECURITY:
        assert fast_headers.get(name) == django_headers.get(name), name


def test_a_revoked_token_is_refused_by_django(app, django_app, url, statement, token, first):
    ApiToken.objects.all().delete()
    status, headers, data = send(app, url, {"statement": statement.pk, "value": -1}, token)
    assert django_app.calls == 2
    assert status == 401 and headers["Content-Type"] == "application/problem+json"
    assert Vote.objects.get().value == 1


def test_a_closed_consultation_is_explained_by_django_in_the_persons_language(
    app, django_app, url, consultation, organiser, statement, token, first
) -> None:
    services.change_consultation_status(consultation, "closed", by=organiser)
    status, _headers, data = send(
        app, url, {"statement": statement.pk, "value": -1}, token, Accept_Language="es"
    )
    assert django_app.calls == 2
    assert status == 409 and "cerrada" in data["detail"]
    assert Vote.objects.get().value == 1 and VoteEvent.objects.count() == 1


def test_a_rejected_statement_is_explained_by_django(
    app, django_app, url, statement, token, first
) -> None:
    Statement.objects.filter(pk=statement.pk).update(status=Statement.Status.REJECTED)
    status, _headers, _data = send(app, url, {"statement": statement.pk, "value": -1}, token)
    assert django_app.calls == 2 and status == 422
    assert Vote.objects.get().value == 1


@pytest.mark.parametrize(
    "body",
    [
        b'{"statement": STATEMENT, "value": 2}',
        b'{"statement": STATEMENT, "value": true}',
        b'{"statement": STATEMENT, "value": "1"}',
        b'{"statement": STATEMENT}',
        b'{"statement": STATEMENT, "value": 1',
        b"\xff\xfe not utf-8",
        b"[1, 2]",
    ],
)
def test_anything_but_a_plain_vote_goes_to_django_and_writes_nothing(
    app, django_app, url, statement, token, first, body: bytes
) -> None:
    status, headers, _data = send(
        app, url, body.replace(b"STATEMENT", str(statement.pk).encode()), token
    )
    assert django_app.calls == 2
    assert status in (400, 422) and headers["Content-Type"] == "application/problem+json"
    assert Vote.objects.get().value == 1 and VoteEvent.objects.count() == 1


def test_plain_votes_are_recognised_strictly() -> None:
    assert parse_vote(b'{"statement": 5, "value": -1}') == (5, -1)
    assert parse_vote(b'{"value": 0, "statement": 7}') == (7, 0)
    for body in (b'{"statement": 5.0, "value": 1}', b'{"statement": 5, "value": 1, "x": 1}'):
        assert parse_vote(body) is None


def test_a_request_without_a_token_goes_to_django(app, django_app, url, statement, first):
    status, headers, _data = send(app, url, {"statement": statement.pk, "value": -1})
    assert django_app.calls == 2 and status in (401, 403)  # no credentials (no CSRF token)
    assert headers["Content-Type"] == "application/problem+json"


def test_a_host_django_would_refuse_goes_to_django(app, django_app, url, statement, token, first):
    status, _headers, _data = send(
        app, url, {"statement": statement.pk, "value": -1}, token, Host="evil.example"
    )
    assert django_app.calls == 2 and status == 400
    assert Vote.objects.get().value == 1


def test_plain_http_where_https_is_required_goes_to_django(
    app, django_app, url, statement, token, first, settings
) -> None:
    settings.SECURE_SSL_REDIRECT = True
    django_now = Django()  # its middleware reads the setting when built
    status, _headers, _data = send(
        FastVotes(django_now), url, {"statement": statement.pk, "value": -1}, token
    )
    assert django_now.calls == 1 and status == 301
    assert Vote.objects.get().value == 1


def test_the_vote_limit_counts_both_routes_and_django_refuses_beyond_it(
    app, django_app, url, statement, token, first, settings, one_rate_window
) -> None:
    settings.CITYFORUM_VOTE_RATE = "3/m"
    codes = [send(app, url, {"statement": statement.pk, "value": v}, token)[0] for v in (0, -1, 1)]
    assert codes == [200, 200, 429]  # the first vote (Django) counted too
    assert django_app.calls == 2  # the refusal is Django's, in the person's language
    assert Vote.objects.get().revision == 3


def test_the_write_limit_per_address_counts_the_fast_route(
    app, django_app, url, statement, token, first, settings, one_rate_window
) -> None:
    settings.CITYFORUM_WRITE_RATE_PER_ADDRESS = "3/m"
    codes = [send(app, url, {"statement": statement.pk, "value": v}, token)[0] for v in (0, -1, 1)]
    assert codes == [200, 200, 429]
    assert Vote.objects.get().revision == 3


def test_the_served_application_has_the_fast_route() -> None:
    from cityforum.wsgi import application

    assert isinstance(application, FastVotes)


def test_a_vote_handed_to_django_is_counted_once_not_twice(
    app, django_app, url, statement, token, first, settings
) -> None:
    """The fast route counts a vote before it knows whether it will answer it; a vote it
    hands over (here: a body with a field it does not know) is not counted again."""
    settings.CITYFORUM_VOTE_RATE = "3/m"
    settings.CITYFORUM_WRITE_RATE_PER_PERSON = "3/m"
    odd = {"statement": statement.pk, "value": 0, "note": "Django answers"}
    codes = [send(app, url, odd, token)[0]]
    codes += [send(app, url, {"statement": statement.pk, "value": v}, token)[0] for v in (1, -1)]
    assert codes == [200, 200, 429]  # the first vote, then two: the third over the limit
    assert django_app.calls == 3  # the first vote, the odd one, the refusal


def test_the_vote_limit_starts_afresh_in_the_next_window_the_test_decides(
    app, django_app, url, statement, token, first, settings, limit_clock
) -> None:
    settings.CITYFORUM_VOTE_RATE = "2/m"
    assert send(app, url, {"statement": statement.pk, "value": 0}, token)[0] == 200
    refused = send(app, url, {"statement": statement.pk, "value": -1}, token)
    assert refused[0] == 429 and refused[1]["Retry-After"] == "59"
    limit_clock.advance(59)
    assert send(app, url, {"statement": statement.pk, "value": -1}, token)[0] == 200
    assert django_app.calls == 2 and Vote.objects.get().revision == 3
