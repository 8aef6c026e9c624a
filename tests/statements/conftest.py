"""Fixtures of the statements tests: a regional consultation and one person per role."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from cityforum.people.models import ApiToken, User
from cityforum.programme.models import Consultation, Region
from cityforum.statements.models import Statement

PASSWORD = "a-long-pass-phrase"

#: Every role a rule must be tested with.
ROLES = [
    "public",
    "participant",
    "moderator of its region",
    "moderator of another region",
    "organiser",
]


def make_person(role: str) -> Any:
    if role == "public":
        return AnonymousUser()
    kind = role.split()[0]
    slug = role.replace(" ", "-")
    user = User.objects.create_user(f"{slug}@example.org", PASSWORD, role=kind)
    if role == "moderator of its region":
        user.moderated_regions.add(Region.objects.get(code="africa"))
    elif role == "moderator of another region":
        user.moderated_regions.add(Region.objects.get(code="latam"))
    return user


@pytest.fixture
def consultation(programme: None) -> Consultation:
    """The African regional consultation, open."""
    c = Consultation.objects.get(slug="regional-africa")
    c.status = "open"
    c.save(update_fields=["status"])
    return c


@pytest.fixture
def organiser(programme: None) -> User:
    return make_person("organiser")


@pytest.fixture
def participant(programme: None) -> User:
    return make_person("participant")


@pytest.fixture
def statement(consultation: Consultation, organiser: User) -> Statement:
    from cityforum.statements.services import add_statement

    return add_statement(consultation, "Intermediary cities need their own budget.", by=organiser)


def bearer(user: User) -> dict[str, str]:
    _record, token = ApiToken.issue(user)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def api() -> Client:
    return Client()
