"""Fixtures of the drafting tests: the seeded Code of Conduct, one person per role, and
organisations in two regions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from cityforum.cities.models import Country
from cityforum.drafting.models import Amendment, Article, Document
from cityforum.drafting.seed import load_code_of_conduct
from cityforum.people.models import Organisation, User
from cityforum.programme.models import Region

PASSWORD = "a-long-pass-phrase"
ROLES = ["public", "participant", "moderator", "organiser"]


def make_person(role: str) -> Any:
    if role == "public":
        return AnonymousUser()
    return User.objects.create_user(f"{role}@example.org", PASSWORD, role=role)


@pytest.fixture
def document(programme: None) -> Document:
    """The starting draft, its consultation open."""
    doc = load_code_of_conduct()
    doc.consultation.status = "open"
    doc.consultation.save(update_fields=["status"])
    return doc


@pytest.fixture
def article(document: Document) -> Article:
    return document.articles.get(number=2)


@pytest.fixture
def organiser(programme: None) -> User:
    return make_person("organiser")


@pytest.fixture
def participant(programme: None) -> User:
    return make_person("participant")


@pytest.fixture
def amendment(document: Document, article: Article, participant: User) -> Amendment:
    from cityforum.drafting import services

    return services.propose_amendment(
        document,
        article,
        by=participant,
        kind="modify",
        text=article.text_fr + " Les jeunes y prennent part.",
        rationale="Nommer la jeunesse.",
        language="fr",
    )


@pytest.fixture
def organisations(programme: None) -> dict[str, Organisation]:
    """A verified Senegalese local government, a verified Brazilian NGO, a verified
    Senegalese partner and an unverified Brazilian network (Africa and Latam)."""
    africa = Region.objects.get(code="africa")
    latam = Region.objects.get(code="latam")
    sn = Country.objects.create(iso2="SN", name="Senegal", section=africa)
    br = Country.objects.create(iso2="BR", name="Brazil", section=latam)
    return {
        "city": Organisation.objects.create(
            name="Ville de Thiès", kind="local_government", country=sn, verified=True
        ),
        "ngo": Organisation.objects.create(
            name="Rede Cidadã", kind="civil_society", country=br, verified=True
        ),
        "partner": Organisation.objects.create(
            name="Agence Sahel", kind="partner", country=sn, verified=True
        ),
        "unverified": Organisation.objects.create(
            name="Rede Nova", kind="network", country=br, verified=False
        ),
    }


@pytest.fixture
def member(organisations: dict[str, Organisation]) -> Callable[[str, str], User]:
    """``member("city", "a@x.org")``: a participant of one of the organisations."""

    def make(key: str, email: str) -> User:
        return User.objects.create_user(
            email, PASSWORD, role="participant", organisation=organisations[key]
        )

    return make
