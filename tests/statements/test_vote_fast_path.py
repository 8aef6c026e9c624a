"""The vote write's fast path (one statement checks the token, the person, the
consultation, the statement and the voter, and writes) refuses exactly what the full path
refuses: every refusal below comes after an accepted vote, so the fast path is the one
asked first."""

from __future__ import annotations

import pytest
from django.test import Client

from cityforum.people.models import ApiToken, User
from cityforum.programme.models import Consultation
from cityforum.statements import services
from cityforum.statements.models import Statement, Vote, VoteEvent

from .conftest import bearer

PROBLEM = "application/problem+json"


def _vote(api: Client, consultation: Consultation, headers: dict, statement: int, value=1):
    return api.post(
        f"/api/v1/consultations/{consultation.pk}/votes",
        {"statement": statement, "value": value},
        content_type="application/json",
        headers=headers,
    )


@pytest.fixture
def voted(api: Client, consultation: Consultation, statement: Statement, participant: User):
    """The participant's first vote (the full path: it creates the voter)."""
    headers = bearer(participant)
    assert _vote(api, consultation, headers, statement.pk, 1).status_code == 201
    return headers


def test_later_votes_replace_the_first_and_keep_the_history(
    api: Client, consultation, statement, participant, voted
) -> None:
    answers = [_vote(api, consultation, voted, statement.pk, v) for v in (-1, 0, 1, -1)]
    assert [a.status_code for a in answers] == [200, 200, 200, 200]
    assert [a.json()["revision"] for a in answers] == [2, 3, 4, 5]
    vote = Vote.objects.get()
    assert (vote.value, vote.revision) == (-1, 5)
    history = VoteEvent.objects.order_by("revision").values_list("value", "revision")
    assert list(history) == [(1, 1), (-1, 2), (0, 3), (1, 4), (-1, 5)]


def test_a_revoked_token_stops_at_once(api: Client, consultation, statement, voted) -> None:
    ApiToken.objects.all().delete()
    answer = _vote(api, consultation, voted, statement.pk, -1)
    assert answer.status_code == 401 and answer["Content-Type"] == PROBLEM
    assert Vote.objects.get().value == 1 and VoteEvent.objects.count() == 1


def test_a_deactivated_person_stops_at_once(
    api: Client, consultation, statement, participant, voted
) -> None:
    User.objects.filter(pk=participant.pk).update(is_active=False)
    assert _vote(api, consultation, voted, statement.pk, -1).status_code == 401
    assert Vote.objects.get().value == 1


def test_a_closed_consultation_is_explained(
    api: Client, consultation, statement, organiser, voted
) -> None:
    services.change_consultation_status(consultation, "closed", by=organiser)
    answer = _vote(api, consultation, {**voted, "Accept-Language": "fr"}, statement.pk, -1)
    assert answer.status_code == 409 and "clôturée" in answer.json()["detail"]
    assert Vote.objects.get().value == 1


def test_a_rejected_statement_is_explained(
    api: Client, consultation, statement, organiser, voted
) -> None:
    Statement.objects.filter(pk=statement.pk).update(status=Statement.Status.REJECTED)
    answer = _vote(api, consultation, voted, statement.pk, -1)
    assert answer.status_code == 422 and str(statement.pk) in answer.json()["detail"]
    assert Vote.objects.get().value == 1


def test_another_consultations_statement_is_refused(
    api: Client, consultation, statement, organiser, voted
) -> None:
    other = Consultation.objects.exclude(pk=consultation.pk).filter(status="planned").first()
    services.change_consultation_status(other, "open", by=organiser)
    answer = _vote(api, other, voted, statement.pk, -1)
    assert answer.status_code == 422
    assert Vote.objects.get().value == 1 and VoteEvent.objects.count() == 1


@pytest.mark.parametrize("value", [2, -2, "yes", None, True])
def test_a_bad_value_is_refused_on_the_fast_path_too(
    api: Client, consultation, statement, voted, value
) -> None:
    answer = _vote(api, consultation, voted, statement.pk, value)
    assert answer.status_code == 422 and answer["Content-Type"] == PROBLEM
    assert Vote.objects.get().value == 1 and VoteEvent.objects.count() == 1


def test_one_persons_token_never_votes_as_another(
    api: Client, consultation, statement, participant, voted
) -> None:
    other = User.objects.create_user("another-voter@example.org", "a-long-pass-phrase")
    headers = bearer(other)
    assert _vote(api, consultation, headers, statement.pk, -1).status_code == 201
    values = dict(Vote.objects.values_list("voter__user_id", "value"))
    assert values == {participant.pk: 1, other.pk: -1}


@pytest.mark.postgres_only
def test_on_postgresql_the_vote_is_one_prepared_statement(
    api: Client, consultation, statement, voted
) -> None:
    """Planning the vote's five-table statement cost PostgreSQL more than running it."""
    from django.db import connection

    for value in (-1, 0, 1):
        assert _vote(api, consultation, voted, statement.pk, value).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%WITH cast_vote AS%"],
        )
        assert cursor.fetchone() == (1,)
    assert Vote.objects.get(statement=statement).revision == 4
