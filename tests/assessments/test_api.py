"""The API: a city with its role measures; assessments listed and recorded (problem+json)."""

from __future__ import annotations

import pytest
from django.test import Client

from cityforum.assessments.models import Assessment, SelfAssessment
from cityforum.cities.roles import compute_roles
from cityforum.people.services import issue_token

from .conftest import profile, raw_value

CHEFCHAOUEN = 2553455


def _auth(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user.email)}"}


def _post(body: dict, **headers):
    return Client().post("/api/v1/assessments", body, content_type="application/json", **headers)


def _city_body(scores=(70, 65, 60, 55, 50)) -> dict:
    from cityforum.assessments.models import Indicator

    wanted = profile(*scores)
    return {
        "kind": "city",
        "city": CHEFCHAOUEN,
        "year": 2024,
        "values": [
            {"indicator": i.code, "value": raw_value(i, wanted[i.capital]), "source": "survey"}
            for i in Indicator.objects.all()
        ],
    }


def test_a_city_comes_with_its_role_measures(towns) -> None:
    compute_roles()
    body = Client().get(f"/api/v1/cities/{CHEFCHAOUEN}").json()
    assert body["name"] == "Chefchaouen" and body["section"] == "africa"
    role = body["role"]
    assert role["role"] in {"intermediary", "small_town", "satellite", "metropolis"}
    for key in ("d_larger_km", "d_metropolis_km", "dominance_25km", "hinterland_n", "confidence"):
        assert key in role
    fes = Client().get("/api/v1/cities/2548885").json()["role"]
    assert fes["role"] == "metropolis" and fes["d_larger_km"] is None


def test_an_unknown_city_is_a_404_problem(towns) -> None:
    response = Client().get("/api/v1/cities/1")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("role", ["organiser", "moderator"])
def test_organisers_and_moderators_record_a_city_assessment(
    indicators, towns, organiser, moderator, role
) -> None:
    person = organiser if role == "organiser" else moderator
    response = _post(_city_body(), **_auth(person))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["version"] == 1 and round(body["bri"], 1) == 59.6 and body["band"] == "balanced"
    assert body["steering"] == "environmental" and len(body["values"]) == 41
    again = _post(_city_body((60, 60, 60, 60, 60)), **_auth(person)).json()
    assert again["version"] == 2
    listed = Client().get(f"/api/v1/assessments?city={CHEFCHAOUEN}&year=2024").json()
    assert listed["count"] == 2 and [a["version"] for a in listed["items"]] == [2, 1]


def test_a_project_is_recorded_through_the_api(indicators, organiser) -> None:
    agenda = _post({"kind": "agenda", "year": 2024, "title": "Plan"}, **_auth(organiser)).json()
    capitals = {c: {"score": 2} for c in profile(1, 2, 3, 4, 5)}
    capitals["human"] = {"score": 4, "evidence": "survey", "confidence": "high"}
    body = {"kind": "project", "year": 2024, "title": "Kiosks", "agenda": agenda["id"]}
    response = _post({**body, "capitals": capitals, "budget": 1000}, **_auth(organiser))
    assert response.status_code == 201
    assert response.json()["scores"]["human"] == 80
    assert Assessment.objects.get(pk=agenda["id"]).scores["human"] == 80


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (
            {
                "kind": "city",
                "city": CHEFCHAOUEN,
                "year": 2024,
                "values": [{"indicator": "H3", "value": 140, "source": "x"}],
            },
            "outside its plausible range",
        ),
        (
            {
                "kind": "city",
                "city": CHEFCHAOUEN,
                "year": 2024,
                "values": [{"indicator": "H3", "value": 40, "unit": "‰", "source": "x"}],
            },
            "measured in “%”",
        ),
        ({"kind": "city", "year": 2024, "values": []}, "needs a city"),
        (
            {
                "kind": "project",
                "year": 2024,
                "title": "P",
                "capitals": {
                    "human": {"score": 4},
                    "social": {"score": 1},
                    "economic": {"score": 1},
                    "cultural": {"score": 1},
                },
            },
            "missing: environmental",
        ),
        ({"kind": "project", "year": 2024, "title": "P", "capitals": {}}, "missing"),
        ({"kind": "planet", "year": 2024}, "kind"),
    ],
)
def test_bad_input_is_a_422_problem_and_nothing_is_written(
    indicators, towns, organiser, body, detail
) -> None:
    response = _post(body, **_auth(organiser))
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert detail in response.json()["detail"]
    assert not Assessment.objects.exists() and not SelfAssessment.objects.exists()


def test_a_4_without_evidence_is_refused_by_the_api(indicators, organiser) -> None:
    capitals = {c: {"score": 1} for c in profile(1, 2, 3, 4, 5)}
    capitals["social"] = {"score": 4}
    response = _post(
        {"kind": "project", "year": 2024, "title": "P", "capitals": capitals}, **_auth(organiser)
    )
    assert response.status_code == 422
    assert "social: a score of 4 needs evidence" in response.json()["detail"]


def test_participants_get_403_and_anonymous_people_401(indicators, towns, participant) -> None:
    assert _post(_city_body(), **_auth(participant)).status_code == 403
    assert _post(_city_body()).status_code == 401
    assert not Assessment.objects.exists()
