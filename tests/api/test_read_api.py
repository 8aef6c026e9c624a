"""The read API: shapes clients rely on, and one error shape (problem+json)."""

from __future__ import annotations

import pytest
from django.test import Client

PROBLEM = "application/problem+json"


@pytest.fixture
def api(programme: None) -> Client:
    return Client()


def test_health_is_a_no_op_that_answers_ok(client: Client) -> None:
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.parametrize(
    ("language", "name"),
    [("fr", "Capital humain"), ("en", "Human capital"), ("es", "Capital humano")],
)
def test_capitals_have_a_code_and_a_translated_name(api: Client, language: str, name: str) -> None:
    capitals = api.get("/api/v1/capitals", headers={"accept-language": language}).json()
    assert [c["code"] for c in capitals] == [
        "human",
        "social",
        "economic",
        "cultural",
        "environmental",
    ]
    assert capitals[0]["name"] == name


def test_consultations_are_paginated_with_their_texts_in_three_languages(api: Client) -> None:
    body = api.get("/api/v1/consultations").json()
    assert body["count"] == 10 and len(body["items"]) == 10
    first = body["items"][0]
    assert first["kind"] == "thematic"
    assert first["date"] == "2021-04-30"
    assert first["capitals"] == ["human"]
    assert first["region"] is None
    assert first["status"] == "planned"
    assert set(first["title"]) == {"fr", "en", "es"}
    assert first["objective"]["en"] == "A global code of conduct for resilience"
    ecological = next(i for i in body["items"] if i["slug"] == "ecological-transition")
    assert sorted(ecological["capitals"]) == ["cultural", "environmental"]
    africa = next(i for i in body["items"] if i["slug"] == "regional-africa")
    assert africa["region"] == "africa" and africa["date"] is None
    page = api.get("/api/v1/consultations?limit=3&offset=3").json()
    assert page["count"] == 10 and [i["id"] for i in page["items"]] == [
        i["id"] for i in body["items"][3:6]
    ]


def test_consultations_can_be_filtered(api: Client) -> None:
    regional = api.get("/api/v1/consultations?kind=regional").json()
    assert regional["count"] == 6
    social = api.get("/api/v1/consultations?capital=social&kind=thematic").json()
    assert [i["slug"] for i in social["items"]] == ["inequalities"]


def test_one_consultation_by_id(api: Client) -> None:
    first = api.get("/api/v1/consultations").json()["items"][2]
    one = api.get(f"/api/v1/consultations/{first['id']}").json()
    assert one == first


def test_regions(api: Client) -> None:
    regions = api.get("/api/v1/regions", headers={"accept-language": "es"}).json()
    assert {r["code"] for r in regions} >= {"africa", "mewa", "latam", "noram", "aspac", "eurasia"}
    assert next(r for r in regions if r["code"] == "latam")["name"] == "América Latina"


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/v1/consultations/999999", 404),
        ("/api/v1/consultations/abc", 422),
        ("/api/v1/consultations?kind=online", 422),
        ("/api/v1/consultations?limit=-1", 422),
        ("/api/v1/cities", 422),
        ("/api/v1/cities?q=" + "x" * 101, 422),
        ("/api/v1/cities?q=paris&country=France", 422),
        ("/api/v1/no-such-thing", 404),
    ],
)
def test_every_error_is_problem_json(api: Client, url: str, status: int) -> None:
    response = api.get(url)
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    problem = response.json()
    assert problem["status"] == status
    assert (
        problem["title"] and problem["detail"] and problem["type"].startswith("/api/v1/problems/")
    )


def test_errors_speak_the_language_of_the_request(api: Client) -> None:
    problem = api.get("/api/v1/consultations/999999", headers={"accept-language": "es"}).json()
    assert problem["title"] == "No encontrado."


def test_city_search(registry: None, client: Client) -> None:
    body = client.get("/api/v1/cities?q=chefchaouen").json()
    assert body["count"] == 1
    city = body["items"][0]
    assert city["name"] == "Chefchaouen" and city["country"] == "MA" and city["section"] == "africa"
    spanish = client.get("/api/v1/cities?q=chefchaouen", headers={"accept-language": "es"}).json()
    assert spanish["items"][0]["country_name"] == "Marruecos"
    many = client.get("/api/v1/cities?q=san&limit=5").json()
    assert len(many["items"]) == 5 and many["count"] > 500


def test_openapi_schema_lists_every_endpoint(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    for path in (
        "/api/v1/health",
        "/api/v1/capitals",
        "/api/v1/consultations",
        "/api/v1/consultations/{consultation_id}",
        "/api/v1/regions",
        "/api/v1/cities",
    ):
        assert path in schema["paths"], path
    assert client.get("/api/v1/docs").status_code == 200
