"""The recommendations API: public reads, writes with a token, problem+json in the request's
language, 409 naming the newer version on a stale edit, nothing written on bad input."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from cityforum.people.models import ApiToken, User
from cityforum.recommendations import services
from cityforum.recommendations.models import Evidence, Recommendation

pytestmark = pytest.mark.django_db

BASE = "/api/v1/recommendations"


def bearer(user: User, language: str = "en") -> dict[str, str]:
    _record, token = ApiToken.issue(user)
    return {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_ACCEPT_LANGUAGE": language}


def send(method: str, path: str, data: Any = None, **headers: str) -> Any:
    call = getattr(Client(), method)
    if data is None:
        return call(path, **headers)
    return call(path, json.dumps(data), content_type="application/json", **headers)


def body(fields: dict[str, Any]) -> dict[str, Any]:
    return {**fields, "region": None}


def test_an_organiser_creates_and_the_public_reads(organiser, fields):
    created = send("post", BASE, body(fields), **bearer(organiser))
    assert created.status_code == 201, created.content
    rid = created.json()["id"]
    assert created.json()["status"] == "draft" and created.json()["version"] == 1
    listed = send("get", f"{BASE}?line=financing&capital=economic")
    assert listed.status_code == 200 and listed.json()["count"] == 1
    assert send("get", f"{BASE}?line=advocacy").json()["count"] == 0
    one = send("get", f"{BASE}/{rid}").json()
    assert one["text"] == fields["text"] and one["translation_status"]["en"] == "missing"
    assert one["support"]["total"] == 0 and one["evidence"] == []


def test_a_participant_creates_a_proposal_and_the_public_may_not_write(participant, fields):
    created = send("post", BASE, body(fields), **bearer(participant))
    assert created.status_code == 201 and created.json()["status"] == "draft"
    assert send("post", BASE, body(fields)).status_code == 401


def test_bad_input_is_a_422_problem_in_the_request_language_and_nothing_is_written(
    organiser, fields
):
    answer = send(
        "post",
        BASE,
        body({**fields, "capitals": ["human", "social", "cultural"]}),
        **bearer(organiser, "es"),
    )
    assert answer.status_code == 422
    assert answer["Content-Type"] == "application/problem+json"
    assert "capitales" in answer.json()["detail"]
    assert not Recommendation.objects.exists()


def test_a_stale_patch_is_a_409_naming_the_newer_version(organiser, fields):
    rec = services.draft_recommendation(by=organiser, **fields)
    ok = send("patch", f"{BASE}/{rec.pk}", {"version": 1, "line": "advocacy"}, **bearer(organiser))
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = send(
        "patch", f"{BASE}/{rec.pk}", {"version": 1, "line": "implementation"}, **bearer(organiser)
    )
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2 and "version 2" in stale.json()["detail"]
    rec.refresh_from_db()
    assert rec.line == "advocacy"


def test_promote_link_evidence_endorse_and_adopt_through_the_api(
    organiser, proposal, member, contributions_from
):
    contributions_from(["africa", "latam", "aspac"])
    auth = bearer(organiser)
    promoted = send(
        "post",
        f"{BASE}/promote",
        {
            "contribution": proposal.pk,
            "line": "financing",
            "addressee": "global",
            "pact_component": "people",
        },
        **auth,
    )
    assert promoted.status_code == 201, promoted.content
    rid = promoted.json()["id"]
    assert promoted.json()["source_contribution"] == proposal.pk
    refused = send(
        "post", f"{BASE}/{rid}/status", {"status": "consulted", "reason": "Soumise."}, **auth
    )
    assert refused.status_code == 422 and "evidence" in refused.json()["detail"]
    linked = send(
        "post", f"{BASE}/{rid}/evidence", {"kind": "contribution", "source": proposal.pk}, **auth
    )
    assert linked.status_code == 201 and linked.json()["language"] == "es"
    again = send(
        "post", f"{BASE}/{rid}/evidence", {"kind": "contribution", "source": proposal.pk}, **auth
    )
    assert again.status_code == 409
    for section in ("africa", "latam", "aspac"):
        person = member(section, f"{section}-endorser@example.org")
        answer = send("post", f"{BASE}/{rid}/endorsements", **bearer(person))
        assert answer.status_code == 201
    assert send("get", f"{BASE}/{rid}/support").json()["backed_across_regions"] is True
    assert (
        send(
            "post", f"{BASE}/{rid}/status", {"status": "consulted", "reason": "Ok."}, **auth
        ).status_code
        == 200
    )
    adopted = send(
        "post", f"{BASE}/{rid}/status", {"status": "adopted", "reason": "Plénière."}, **auth
    )
    assert adopted.json()["status"] == "adopted"
    assert [c["to_status"] for c in adopted.json()["status_changes"]] == ["consulted", "adopted"]
    matrix = send("get", f"{BASE}/balance").json()
    assert matrix["by_line"]["economic"]["financing"] == 1 and matrix["n_recommendations"] == 1


def test_only_organisers_change_status_and_translations_are_set_by_drafters(
    organiser, moderator, participant, fields
):
    rec = services.draft_recommendation(by=organiser, **fields)
    forbidden = send(
        "post",
        f"{BASE}/{rec.pk}/status",
        {"status": "withdrawn", "reason": "No."},
        **bearer(moderator),
    )
    assert forbidden.status_code == 403
    translated = send(
        "put",
        f"{BASE}/{rec.pk}/translations/en",
        {"text": "States fund cities."},
        **bearer(moderator),
    )
    assert (
        translated.status_code == 200 and translated.json()["translation_status"]["en"] == "current"
    )
    assert (
        send(
            "put",
            f"{BASE}/{rec.pk}/translations/es",
            {"text": "Los Estados."},
            **bearer(participant),
        ).status_code
        == 403
    )


def test_unlinking_evidence(organiser, fields, proposal):
    rec = services.draft_recommendation(by=organiser, **fields)
    evidence = services.link_evidence(rec, "contribution", proposal.pk, by=organiser)
    answer = send("delete", f"{BASE}/{rec.pk}/evidence/{evidence.pk}", **bearer(organiser))
    assert answer.status_code == 204 and not Evidence.objects.exists()
