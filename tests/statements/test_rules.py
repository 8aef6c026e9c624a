"""One test per rule of the statements app, every role and every consultation status."""

from __future__ import annotations

import pytest
import rules

from cityforum.programme.models import Consultation, Status
from cityforum.statements.models import VotingSettings

from .conftest import ROLES, make_person

STATUSES = list(Status.values)
MODERATORS = {"organiser", "moderator of its region"}


def _case(programme: None, role: str, status: str) -> tuple[object, Consultation]:
    consultation = Consultation.objects.get(slug="regional-africa")
    consultation.status = status
    consultation.save(update_fields=["status"])
    return make_person(role), consultation


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("role", ROLES)
def test_who_may_add_a_statement(programme: None, role: str, status: str) -> None:
    person, consultation = _case(programme, role, status)
    expected = (role in MODERATORS and status in ("planned", "open")) or (
        role != "public" and status == "open"
    )
    assert rules.test_rule("statements.add", person, consultation) is expected


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("role", ROLES)
def test_whose_statements_are_accepted_at_once(programme: None, role: str, status: str) -> None:
    person, consultation = _case(programme, role, status)
    expected = role in MODERATORS
    assert rules.test_rule("statements.accepted_at_once", person, consultation) is expected


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("role", ROLES)
def test_who_may_moderate(programme: None, role: str, status: str) -> None:
    person, consultation = _case(programme, role, status)
    expected = role in MODERATORS and status in ("planned", "open", "closed")
    assert rules.test_rule("statements.moderate", person, consultation) is expected


def test_thematic_consultations_are_moderated_by_moderators_of_the_world(programme: None) -> None:
    from cityforum.programme.models import Region

    thematic = Consultation.objects.get(slug="local-democracy")
    africa = make_person("moderator of its region")
    assert not rules.test_rule("statements.moderate", africa, thematic)
    africa.moderated_regions.add(Region.objects.get(code="world"))
    assert rules.test_rule("statements.moderate", africa, thematic)


@pytest.mark.parametrize("anonymous_allowed", [False, True])
@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("role", ROLES)
def test_who_may_vote(programme: None, role: str, status: str, anonymous_allowed: bool) -> None:
    person, consultation = _case(programme, role, status)
    VotingSettings.objects.create(consultation=consultation, allow_anonymous=anonymous_allowed)
    expected = status == "open" and (role != "public" or anonymous_allowed)
    assert rules.test_rule("statements.vote", person, consultation) is expected


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("role", ROLES)
def test_who_may_run_a_consultation(programme: None, role: str, status: str) -> None:
    person, consultation = _case(programme, role, status)
    assert rules.test_rule("statements.run", person, consultation) is (role == "organiser")
