"""``GET /api/v1/consultations/{id}/opinion``: the stored opinion map, as stored."""

from __future__ import annotations

import json

from django.test import Client
from django.utils.html import escape

from cityforum.programme.models import Consultation
from cityforum.statements.models import Statement
from cityforum.synthesis.opinion.services import run_opinion_map


def test_the_api_returns_the_stored_result_of_an_imported_pol_is_conversation(
    imported: Consultation,
) -> None:
    run = run_opinion_map(imported)
    response = Client().get(f"/api/v1/consultations/{imported.pk}/opinion")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    body = response.json()
    run.refresh_from_db()
    assert {k: v for k, v in body.items() if k != "run"} == run.result
    assert body["run"]["id"] == run.pk and body["run"]["input_sha256"] == run.input_sha256
    assert body["run"]["seed"] == 0 and body["run"]["n_votes"] == run.n_votes
    assert set(body) >= {
        "participants",
        "groups",
        "consensus",
        "group_informed_consensus",
        "divisive",
        "parameters",
        "input_sha256",
        "timings",
    }

    # The page of the same imported consultation, in Spanish.
    html = Client().get(f"/es/synthesis/{imported.slug}/opinion/").content.decode()
    assert html.count("<circle") == len(body["participants"])
    first = body["groups"][0]["representative"][0]["statement"]
    assert escape(Statement.objects.get(pk=first).text) in html


def test_no_opinion_map_is_a_404_problem(consultation: Consultation) -> None:
    response = Client().get(f"/api/v1/consultations/{consultation.pk}/opinion")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    problem = json.loads(response.content)
    assert problem["type"].endswith("not-found")
    assert "No opinion map has been computed" in problem["detail"]
    assert Client().get("/api/v1/consultations/999999/opinion").status_code == 404
