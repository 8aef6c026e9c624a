"""People in every role, and a consultation in the status a test needs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache

from cityforum.cities.models import Country
from cityforum.participation import services
from cityforum.people.models import Organisation, User
from cityforum.programme.models import Consultation, Region, Status

ROLES = ["public", "participant", "moderator of the region", "moderator elsewhere", "organiser"]
STATUSES = [s.value for s in Status]


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def person(programme: None) -> Callable[..., Any]:
    """``person(role)``: a user in one of ROLES (regional moderators moderate Africa)."""

    def make(role: str, email: str | None = None, organisation: Any = None) -> Any:
        if role == "public":
            return AnonymousUser()
        base = role.split()[0]
        user = User.objects.create_user(
            email or f"{role.replace(' ', '-')}@example.org",
            "a-long-pass-phrase",
            role=base,
            display_name=role.title(),
            organisation=organisation,
        )
        if role == "moderator of the region":
            user.moderated_regions.add(Region.objects.get(code="africa"))
        elif role == "moderator elsewhere":
            user.moderated_regions.add(Region.objects.get(code="latam"))
        return user

    return make


def set_status(consultation: Consultation, status: str) -> Consultation:
    Consultation.objects.filter(pk=consultation.pk).update(status=status)
    consultation.refresh_from_db()
    return consultation


@pytest.fixture
def regional(programme: None) -> Consultation:
    """The Africa consultation, open."""
    return set_status(Consultation.objects.get(slug="regional-africa"), Status.OPEN)


@pytest.fixture
def thematic(programme: None) -> Consultation:
    """A thematic consultation, open."""
    return set_status(Consultation.objects.get(slug="inequalities"), Status.OPEN)


@pytest.fixture
def author(person: Callable[..., Any]) -> Any:
    return person("participant", "author@example.org")


@pytest.fixture
def contribution(regional: Consultation, author: Any) -> Any:
    return services.contribute(
        regional,
        author,
        type="proposal",
        title="Water for every neighbourhood",
        body="The city should bring *clean water* to every neighbourhood before 2030.",
        language="en",
        capitals=["environmental", "social"],
    )


@pytest.fixture
def organisations(programme: None) -> dict[str, Organisation]:
    """A Senegalese local government and a Brazilian NGO (Africa and Latam)."""
    africa = Region.objects.get(code="africa")
    latam = Region.objects.get(code="latam")
    sn = Country.objects.create(iso2="SN", name="Senegal", section=africa)
    br = Country.objects.create(iso2="BR", name="Brazil", section=latam)
    return {
        "city": Organisation.objects.create(
            name="Ville de Thiès", kind="local_government", country=sn
        ),
        "ngo": Organisation.objects.create(name="Rede Cidadã", kind="civil_society", country=br),
    }
