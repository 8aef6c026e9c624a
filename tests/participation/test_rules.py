"""One test per rule, every role (public, participant, moderator of the consultation's region,
moderator of another region, organiser) and every consultation status."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cityforum.participation import services
from cityforum.participation.models import Contribution
from cityforum.participation.rules import may

from .conftest import ROLES, STATUSES, set_status

SIGNED_IN = set(ROLES) - {"public"}
MODERATORS_OF_AFRICA = {"moderator of the region", "organiser"}


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("role", ROLES)
def test_add_contribution(person, regional, role: str, status: str) -> None:
    user = person(role)
    set_status(regional, status)
    expected = role in SIGNED_IN and status == "open"
    assert may(user, "participation.add_contribution", regional) is expected


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("role", ROLES)
def test_enter_workshop_minutes(person, regional, role: str, status: str) -> None:
    user = person(role)
    set_status(regional, status)
    expected = role in MODERATORS_OF_AFRICA and status == "open"
    assert may(user, "participation.enter_workshop_minutes", regional) is expected


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("role", ROLES)
def test_moderate_a_regional_consultation(
    person, contribution, regional, role: str, status: str
) -> None:
    user = person(role)
    set_status(regional, status)
    contribution.refresh_from_db()
    expected = role in MODERATORS_OF_AFRICA
    assert may(user, "participation.moderate", regional) is expected
    assert may(user, "participation.moderate", contribution) is expected


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("role", ROLES)
def test_moderate_a_thematic_consultation(person, thematic, role: str, status: str) -> None:
    user = person(role)
    set_status(thematic, status)
    expected = role in {"moderator of the region", "moderator elsewhere", "organiser"}
    assert may(user, "participation.moderate", thematic) is expected


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("role", ROLES)
def test_change_contribution(person, regional, role: str, status: str) -> None:
    """Only its author, while the consultation is open, within 30 minutes, before moderation."""
    user = person(role)
    writer = user if role in SIGNED_IN else person("participant", "writer@example.org")
    contribution = services.contribute(
        regional, writer, type="challenge", title="Title", body="A text in English about roads.",
        language="en", capitals=["human"],
    )  # fmt: skip
    other = person("participant", "other@example.org")
    set_status(regional, status)
    contribution = Contribution.objects.get(pk=contribution.pk)
    expected = role in SIGNED_IN and status == "open"
    assert may(user, "participation.change_contribution", contribution) is expected
    assert may(other, "participation.change_contribution", contribution) is False
    Contribution.objects.filter(pk=contribution.pk).update(
        created_at=timezone.now() - timedelta(minutes=31)
    )
    late = Contribution.objects.get(pk=contribution.pk)
    assert may(user, "participation.change_contribution", late) is False
    Contribution.objects.filter(pk=contribution.pk).update(
        created_at=timezone.now(), moderated_at=timezone.now()
    )
    moderated = Contribution.objects.get(pk=contribution.pk)
    assert may(user, "participation.change_contribution", moderated) is False


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("role", ROLES)
def test_endorse_contribution(person, contribution, author, regional, role, status) -> None:
    user = person(role)
    set_status(regional, status)
    contribution = Contribution.objects.get(pk=contribution.pk)
    expected = role in SIGNED_IN and status == "open"
    assert may(user, "participation.endorse_contribution", contribution) is expected
    assert may(author, "participation.endorse_contribution", contribution) is False
    contribution.status = "hidden"
    assert may(user, "participation.endorse_contribution", contribution) is False


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("role", ROLES)
def test_comment_contribution(person, contribution, author, regional, role, status) -> None:
    user = person(role)
    set_status(regional, status)
    contribution = Contribution.objects.get(pk=contribution.pk)
    expected = role in SIGNED_IN and status == "open"
    assert may(user, "participation.comment_contribution", contribution) is expected
    assert may(author, "participation.comment_contribution", contribution) is (status == "open")
    contribution.status = "hidden"
    assert may(user, "participation.comment_contribution", contribution) is False


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("role", ROLES)
def test_report_content(person, contribution, author, regional, role, status) -> None:
    """Anyone signed in reports others' visible content, whatever the status."""
    user = person(role)
    set_status(regional, status)
    contribution = Contribution.objects.get(pk=contribution.pk)
    assert may(user, "participation.report_content", contribution) is (role in SIGNED_IN)
    assert may(author, "participation.report_content", contribution) is False


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("role", ROLES)
def test_view_content(person, contribution, author, regional, role, status) -> None:
    """Visible content is public; hidden content only for its author and its moderators."""
    user = person(role)
    set_status(regional, status)
    contribution = Contribution.objects.get(pk=contribution.pk)
    assert may(user, "participation.view_content", contribution) is True
    contribution.status = "hidden"
    assert may(user, "participation.view_content", contribution) is (role in MODERATORS_OF_AFRICA)
    assert may(author, "participation.view_content", contribution) is True
