"""The statements API: status changes, statements, votes, moderation, Pol.is exports."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from cityforum.statements import services
from cityforum.statements.models import Statement, Vote

from .conftest import bearer, make_person

PROBLEM = "application/problem+json"


def test_an_organiser_opens_and_closes_a_consultation(api: Client, programme, organiser) -> None:
    from cityforum.programme.models import Consultation

    c = Consultation.objects.get(slug="regional-mewa")
    url = f"/api/v1/consultations/{c.pk}"
    r = api.patch(
        url, {"status": "open"}, content_type="application/json", headers=bearer(organiser)
    )
    assert r.status_code == 200 and r.json()["status"] == "open"
    r = api.patch(
        url,
        {"status": "published"},
        content_type="application/json",
        headers={**bearer(organiser), "Accept-Language": "en"},
    )
    assert r.status_code == 409 and r["Content-Type"] == PROBLEM
    assert r.json()["allowed"] == ["closed"] and "closed" in r.json()["detail"]
    assert Consultation.objects.get(pk=c.pk).status == "open"


@pytest.mark.parametrize(
    ("language", "word"), [("fr", "clôturée"), ("es", "cerrada"), ("en", "closed")]
)
def test_a_conflict_is_explained_in_the_requests_language(
    api: Client, consultation, organiser, language, word
) -> None:
    r = api.patch(
        f"/api/v1/consultations/{consultation.pk}",
        {"status": "planned"},
        content_type="application/json",
        headers={**bearer(organiser), "Accept-Language": language},
    )
    assert r.status_code == 409 and word in r.json()["detail"]


def test_status_changes_need_an_organiser(api: Client, consultation, participant) -> None:
    url = f"/api/v1/consultations/{consultation.pk}"
    assert api.patch(url, {"status": "closed"}, content_type="application/json").status_code == 401
    r = api.patch(
        url, {"status": "closed"}, content_type="application/json", headers=bearer(participant)
    )
    assert r.status_code == 403 and r["Content-Type"] == PROBLEM
    r = api.patch(
        url, {"status": "done"}, content_type="application/json", headers=bearer(participant)
    )
    assert r.status_code == 422


def test_a_participants_statement_is_pending_and_not_listed(
    api: Client, consultation, participant, organiser
) -> None:
    url = f"/api/v1/consultations/{consultation.pk}/statements"
    r = api.post(
        url, {"text": "Mayors first."}, content_type="application/json", headers=bearer(participant)
    )
    assert r.status_code == 201 and r.json()["status"] == "pending" and r.json()["id"]
    assert api.get(url).json() == {"items": [], "count": 0}
    r = api.post(
        f"/api/v1/statements/{r.json()['id']}/moderation",
        {"decision": "accept"},
        content_type="application/json",
        headers=bearer(organiser),
    )
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    assert [s["text"] for s in api.get(url).json()["items"]] == ["Mayors first."]


def test_a_bad_statement_is_a_422_and_nothing_is_written(
    api: Client, consultation, organiser
) -> None:
    url = f"/api/v1/consultations/{consultation.pk}/statements"
    for text in ["", "   ", "y" * 281]:
        r = api.post(
            url, {"text": text}, content_type="application/json", headers=bearer(organiser)
        )
        assert r.status_code == 422 and r["Content-Type"] == PROBLEM
    assert not Statement.objects.exists()


def test_moderation_by_a_participant_is_forbidden(api: Client, consultation, participant) -> None:
    s = services.add_statement(consultation, "Anything.", by=participant)
    r = api.post(
        f"/api/v1/statements/{s.pk}/moderation",
        {"decision": "reject", "reason": "no"},
        content_type="application/json",
        headers=bearer(participant),
    )
    assert r.status_code == 403
    assert (
        api.post(
            "/api/v1/statements/999999/moderation",
            {"decision": "accept"},
            content_type="application/json",
            headers=bearer(participant),
        ).status_code
        == 404
    )


def test_a_first_vote_is_201_a_replacement_200(
    api: Client, consultation, statement, participant
) -> None:
    url = f"/api/v1/consultations/{consultation.pk}/votes"
    headers = bearer(participant)
    r = api.post(
        url,
        {"statement": statement.pk, "value": 1},
        content_type="application/json",
        headers=headers,
    )
    assert r.status_code == 201 and r.json()["replaced"] is False
    r = api.post(
        url,
        {"statement": statement.pk, "value": -1},
        content_type="application/json",
        headers=headers,
    )
    assert r.status_code == 200 and r.json() == {
        "statement": statement.pk,
        "value": -1,
        "revision": 2,
        "replaced": True,
    }
    assert Vote.objects.get().value == -1


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"statement": "S", "value": 1}, 422),
        ({"value": 1}, 422),
        ({"statement": "STATEMENT", "value": 2}, 422),
        ({"statement": "STATEMENT", "value": "yes"}, 422),
        ({"statement": 999999, "value": 1}, 422),
    ],
)
def test_bad_votes_are_refused_with_a_problem(
    api: Client, consultation, statement, participant, body, status
) -> None:
    body = {k: statement.pk if v == "STATEMENT" else v for k, v in body.items()}
    r = api.post(
        f"/api/v1/consultations/{consultation.pk}/votes",
        body,
        content_type="application/json",
        headers=bearer(participant),
    )
    assert r.status_code == status and r["Content-Type"] == PROBLEM
    assert not Vote.objects.exists()


def test_votes_need_credentials_and_an_open_consultation(
    api: Client, consultation, statement, participant
) -> None:
    url = f"/api/v1/consultations/{consultation.pk}/votes"
    body = {"statement": statement.pk, "value": 1}
    assert api.post(url, body, content_type="application/json").status_code == 401
    assert (
        api.post(
            "/api/v1/consultations/999999/votes",
            body,
            content_type="application/json",
            headers=bearer(participant),
        ).status_code
        == 404
    )
    consultation.status = "closed"
    consultation.save()
    r = api.post(url, body, content_type="application/json", headers=bearer(participant))
    assert r.status_code == 409 and r["Content-Type"] == PROBLEM
    assert not Vote.objects.exists()


def test_vote_writes_are_rate_limited_per_voter(
    api: Client, consultation, statement, participant, settings, one_rate_window
) -> None:
    settings.CITYFORUM_VOTE_RATE = "3/m"
    url = f"/api/v1/consultations/{consultation.pk}/votes"
    headers = bearer(participant)
    codes = [
        api.post(
            url,
            {"statement": statement.pk, "value": 1},
            content_type="application/json",
            headers=headers,
        ).status_code
        for _ in range(4)
    ]
    assert codes == [201, 200, 200, 429]


@pytest.mark.parametrize("name", ["votes.csv", "participants-votes.csv", "comments.csv"])
def test_exports_are_for_organisers_and_never_name_people(
    api: Client, consultation, statement, participant, organiser, name
) -> None:
    services.cast_vote(consultation, statement.pk, 1, user=participant)
    services.add_statement(consultation, "Proposed by a participant.", by=participant)
    url = f"/api/v1/consultations/{consultation.pk}/{name}"
    assert api.get(url).status_code == 401
    assert api.get(url, headers=bearer(participant)).status_code == 403
    r = api.get(url, headers=bearer(organiser))
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    text = r.content.decode()
    assert "@" not in text and "example.org" not in text
    rows = list(csv.DictReader(io.StringIO(text)))
    ids = {str(participant.pk), str(organiser.pk)}
    for column in ("voter-id", "participant", "author-id"):
        assert not ids & {row[column] for row in rows if column in row}


def test_votes_csv_has_the_polis_columns_and_one_row_per_current_vote(
    api: Client, consultation, statement, participant, organiser
) -> None:
    services.cast_vote(consultation, statement.pk, 1, user=participant)
    services.cast_vote(consultation, statement.pk, -1, user=participant)
    services.cast_vote(consultation, statement.pk, 0, user=make_person("moderator of its region"))
    text = api.get(
        f"/api/v1/consultations/{consultation.pk}/votes.csv", headers=bearer(organiser)
    ).content.decode()
    lines = text.splitlines()
    assert lines[0] == "timestamp,datetime,comment-id,voter-id,vote"
    assert sorted(line.split(",")[-1] for line in lines[1:]) == ["-1", "0"]


def test_a_token_of_a_disabled_account_or_a_wrong_token_is_refused(
    api: Client, consultation, statement, participant
) -> None:
    url = f"/api/v1/consultations/{consultation.pk}/votes"
    body = {"statement": statement.pk, "value": 1}
    headers = bearer(participant)
    participant.is_active = False
    participant.save()
    for h in (headers, {"Authorization": "Bearer cf_not-a-token"}):
        r = api.post(url, body, content_type="application/json", headers=h)
        assert r.status_code == 401 and r["Content-Type"] == PROBLEM
    assert not Vote.objects.exists()


def test_a_token_records_when_it_was_last_used_at_most_once_a_minute(
    api: Client, consultation, statement, participant
) -> None:
    from cityforum.people.models import ApiToken

    url = f"/api/v1/consultations/{consultation.pk}/votes"
    headers = bearer(participant)
    api.post(
        url,
        {"statement": statement.pk, "value": 1},
        content_type="application/json",
        headers=headers,
    )
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    api.post(
        url,
        {"statement": statement.pk, "value": 0},
        content_type="application/json",
        headers=headers,
    )
    assert ApiToken.objects.get().last_used_at == first


def test_the_session_also_authenticates(client: Client, consultation, statement, participant):
    from .conftest import PASSWORD

    client.login(email=participant.email, password=PASSWORD)
    r = client.post(
        f"/api/v1/consultations/{consultation.pk}/votes",
        {"statement": statement.pk, "value": 1},
        content_type="application/json",
    )
    assert r.status_code == 201
