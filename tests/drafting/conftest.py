"""Fixtures of the drafting tests: the seeded Code of Conduct and one person per role."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from cityforum.drafting.models import Amendment, Article, Document
from cityforum.drafting.seed import load_code_of_conduct
from cityforum.people.models import User

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
