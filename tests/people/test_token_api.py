"""POST /api/v1/auth/token: a token for good credentials, problem+json for everything else."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from cityforum.people.models import ApiToken, User

from .conftest import PASSWORD

URL = "/api/v1/auth/token"


def _post(client: Client, body: object, **headers: str) -> object:
    payload = body if isinstance(body, str) else json.dumps(body)
    return client.post(URL, payload, content_type="application/json", **headers)


def test_good_credentials_give_a_token_that_opens_the_api(person: User) -> None:
    response = _post(Client(), {"email": "Ana@Example.org", "password": PASSWORD})
    assert response.status_code == 201
    token = response.json()["token"]
    assert token.startswith("cf_")
    record = ApiToken.objects.get(user=person)
    assert record.prefix == token[:8]
    assert token not in record.key_hash  # only its hash is stored


def test_a_wrong_password_is_401_problem_json(person: User) -> None:
    response = _post(Client(), {"email": person.email, "password": "wrong"})
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith("/unauthenticated")
    assert problem["detail"] == "The e-mail address or the password is wrong."
    assert not ApiToken.objects.exists()


def test_an_unknown_e_mail_is_answered_like_a_wrong_password(db: None) -> None:
    response = _post(Client(), {"email": "nobody@example.org", "password": "x"})
    assert response.status_code == 401


def test_a_disabled_account_gets_no_token(person: User) -> None:
    person.is_active = False
    person.save()
    assert _post(Client(), {"email": person.email, "password": PASSWORD}).status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"email": "ana@example.org"},
        {"password": PASSWORD},
        {"email": 12, "password": ["x"]},
        "[]",
    ],
)
def test_malformed_input_is_422_with_field_errors(person: User, body: object) -> None:
    response = _post(Client(), body)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"].endswith("/invalid-input")
    assert not ApiToken.objects.exists()


def test_a_body_that_is_not_json_is_400_problem_json(person: User) -> None:
    response = _post(Client(), "not json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


def test_too_many_failures_are_429_in_the_request_language(person: User) -> None:
    client = Client()
    for _ in range(10):
        assert _post(client, {"email": person.email, "password": "no"}).status_code == 401
    response = _post(client, {"email": person.email, "password": PASSWORD})
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"].endswith("/rate-limited")
    assert "Wait a minute" in response.json()["detail"]
    assert not ApiToken.objects.exists()


def test_the_api_and_the_sign_in_page_share_the_count(person: User) -> None:
    client = Client()
    for _ in range(10):
        client.post("/en/accounts/login/", {"username": person.email, "password": "no"})
    assert _post(client, {"email": person.email, "password": PASSWORD}).status_code == 429
