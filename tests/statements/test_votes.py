"""Statements and votes through the services: last vote wins, history kept, bad input refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cityforum.core.models import AuditEvent
from cityforum.programme.models import Consultation
from cityforum.statements import services
from cityforum.statements.models import Statement, Vote, VoteEvent, Voter, VotingSettings


def test_an_organisers_statement_is_accepted_at_once(consultation, organiser) -> None:
    statement = services.add_statement(consultation, "  Cities   need budgets. ", by=organiser)
    assert statement.status == "accepted" and statement.text == "Cities need budgets."


def test_a_participants_statement_waits_for_moderation(consultation, participant) -> None:
    statement = services.add_statement(consultation, "Water first.", by=participant, language="en")
    assert statement.status == "pending"
    assert list(services.accepted_statements(consultation)) == []


def test_moderation_accepts_or_rejects_with_a_reason_and_is_audited(
    consultation, participant, organiser
) -> None:
    statement = services.add_statement(consultation, "Water first.", by=participant)
    with pytest.raises(ValidationError, match="reason"):
        services.moderate_statement(statement, by=organiser, accept=False)
    services.moderate_statement(statement, by=organiser, accept=False, reason="Off topic")
    statement.refresh_from_db()
    assert (statement.status, statement.reason, statement.moderated_by) == (
        "rejected",
        "Off topic",
        organiser,
    )
    assert AuditEvent.objects.filter(verb="statement.reject", reason="Off topic").exists()
    with pytest.raises(PermissionDenied):
        services.moderate_statement(statement, by=participant, accept=True)


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "empty"), ("   \n\t ", "empty"), ("x" * 281, "at most 280")],
)
def test_empty_whitespace_and_over_long_statements_are_refused(
    consultation, organiser, text, message
) -> None:
    with pytest.raises(ValidationError, match=message):
        services.add_statement(consultation, text, by=organiser)
    assert not Statement.objects.exists()


def test_an_unknown_language_is_refused(consultation, organiser) -> None:
    with pytest.raises(ValidationError, match="Unknown language"):
        services.add_statement(consultation, "Fine text.", by=organiser, language="xx")
    assert not Statement.objects.exists()


def test_the_last_vote_wins_and_the_history_is_kept(consultation, statement, participant) -> None:
    first = services.cast_vote(consultation, statement.pk, 1, user=participant)
    second = services.cast_vote(consultation, statement.pk, -1, user=participant)
    third = services.cast_vote(consultation, statement.pk, 0, user=participant)
    assert (first.created, second.created, third.created) == (True, False, False)
    vote = Vote.objects.get()
    assert (vote.value, vote.revision) == (0, 3)
    assert list(VoteEvent.objects.values_list("value", "revision")) == [(1, 1), (-1, 2), (0, 3)]


@pytest.mark.parametrize("value", [2, -2, "agree", None, 0.5, True])
def test_a_vote_value_other_than_minus_one_zero_one_is_refused(
    consultation, statement, participant, value
) -> None:
    with pytest.raises(ValidationError, match="1 \\(agree\\)"):
        services.cast_vote(consultation, statement.pk, value, user=participant)
    assert not Vote.objects.exists() and not VoteEvent.objects.exists()


def test_a_vote_on_a_closed_consultation_is_refused(consultation, statement, participant) -> None:
    consultation.status = "closed"
    consultation.save()
    with pytest.raises(services.ConsultationNotOpen, match="closed"):
        services.cast_vote(consultation, statement.pk, 1, user=participant)
    assert not Vote.objects.exists()


def test_a_vote_on_an_unknown_statement_is_refused(consultation, statement, participant) -> None:
    with pytest.raises(ValidationError, match="no statement 999999"):
        services.cast_vote(consultation, 999999, 1, user=participant)
    assert not Vote.objects.exists()


def test_a_vote_on_another_consultations_statement_is_refused(
    consultation, statement, participant
) -> None:
    other = Consultation.objects.get(slug="regional-latam")
    other.status = "open"
    other.save()
    with pytest.raises(ValidationError, match="no statement"):
        services.cast_vote(other, statement.pk, 1, user=participant)
    assert not Vote.objects.exists()


@pytest.mark.parametrize("accept", [None, False])
def test_a_vote_on_a_pending_or_rejected_statement_is_refused(
    consultation, participant, organiser, accept
) -> None:
    proposed = services.add_statement(consultation, "Proposed text.", by=participant)
    if accept is False:
        services.moderate_statement(proposed, by=organiser, accept=False, reason="Duplicate")
    with pytest.raises(ValidationError, match="no statement"):
        services.cast_vote(consultation, proposed.pk, 1, user=participant)
    assert not Vote.objects.exists()


def test_anonymous_votes_need_the_organisers_permission(consultation, statement) -> None:
    with pytest.raises(PermissionDenied):
        services.cast_vote(consultation, statement.pk, 1, session_key="abc")
    VotingSettings.objects.create(consultation=consultation, allow_anonymous=True)
    services.cast_vote(consultation, statement.pk, 1, session_key="abc")
    services.cast_vote(consultation, statement.pk, -1, session_key="abc")
    voter = Voter.objects.get()
    assert voter.user is None and Vote.objects.get().value == -1


def test_a_voters_public_id_is_random_stable_and_not_the_user_id(
    consultation, statement, participant
) -> None:
    services.cast_vote(consultation, statement.pk, 1, user=participant)
    services.cast_vote(consultation, statement.pk, 0, user=participant)
    voter = Voter.objects.get()
    assert voter.public_id != participant.pk and voter.public_id >= 1_000_000


def test_status_changes_are_for_organisers(consultation, organiser, participant) -> None:
    with pytest.raises(PermissionDenied):
        services.change_consultation_status(consultation, "closed", by=participant)
    services.change_consultation_status(consultation, "closed", by=organiser)
    assert Consultation.objects.get(pk=consultation.pk).status == "closed"
