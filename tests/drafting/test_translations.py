"""Bringing one language of an article up to date with its current source text."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cityforum.core.models import AuditEvent
from cityforum.drafting import services
from cityforum.drafting.models import Amendment, Article, Document, Version
from cityforum.people.models import User


@pytest.fixture
def changed(amendment: Amendment, organiser: User) -> Article:
    """Article 2 after an accepted amendment: its English and Spanish are outdated."""
    services.accept_amendment(amendment, by=organiser)
    article = amendment.article
    article.refresh_from_db()
    return article


def test_an_organiser_brings_a_translation_up_to_date(changed: Article, organiser: User) -> None:
    assert changed.translation_status("en") == "outdated"
    versions = Version.objects.count()
    services.update_translation(changed, "en", "  Young people take part.  ", by=organiser)
    changed.refresh_from_db()
    assert changed.text_en == "Young people take part."
    assert changed.revision_en == changed.source_revision == 2
    assert changed.translation_status("en") == "current"
    assert changed.translation_status("es") == "outdated"
    assert Version.objects.count() == versions + 1
    assert AuditEvent.objects.filter(verb="article.translate").get().data == {"language": "en"}


def test_the_source_text_is_not_translated(changed: Article, organiser: User) -> None:
    with pytest.raises(ValidationError, match="source text") as refused:
        services.update_translation(changed, "fr", "Autre chose.", by=organiser)
    assert refused.value.code == "source"
    changed.refresh_from_db()
    assert changed.text_fr != "Autre chose."


@pytest.mark.parametrize(
    ("language", "text", "message"),
    [("de", "Text.", "Unknown language"), ("en", "   ", "empty"), ("en", "x" * 3001, "3000")],
)
def test_bad_translations_are_refused(
    changed: Article, organiser: User, language: str, text: str, message: str
) -> None:
    before = changed.text_en
    with pytest.raises(ValidationError, match=message):
        services.update_translation(changed, language, text, by=organiser)
    changed.refresh_from_db()
    assert changed.text_en == before and changed.revision_en == 1


def test_participants_do_not_update_translations(changed: Article, participant: User) -> None:
    with pytest.raises(PermissionDenied, match="Only organisers"):
        services.update_translation(changed, "en", "Young people.", by=participant)
    changed.refresh_from_db()
    assert changed.translation_status("en") == "outdated"


def test_translations_of_a_frozen_document_are_refused(
    document: Document, changed: Article, organiser: User
) -> None:
    services.freeze_document(document, by=organiser)
    with pytest.raises(ValidationError, match="frozen") as refused:
        services.update_translation(changed, "en", "Young people.", by=organiser)
    assert refused.value.code == "frozen"
    changed.refresh_from_db()
    assert changed.translation_status("en") == "outdated"


def test_the_source_text_a_translation_was_made_from_is_found_in_the_versions(
    changed: Article, amendment: Amendment
) -> None:
    assert services.source_text_at(changed, 1) == amendment.base_text
    assert services.source_text_at(changed, 2) == amendment.text
    assert services.source_text_at(changed, 7) is None
