"""Proposing, voting, endorsing, accepting and rejecting amendments."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cityforum.core.models import AuditEvent
from cityforum.drafting import services
from cityforum.drafting.models import (
    Amendment,
    AmendmentEndorsement,
    AmendmentVote,
    Article,
    Document,
    Version,
)
from cityforum.drafting.seed import load_code_of_conduct
from cityforum.people.models import User

from .conftest import make_person


def propose(document: Document, article: object, by: object, **changes: object) -> Amendment:
    fields = {"kind": "modify", "text": "Un texte nouveau.", "rationale": "Parce que."}
    fields.update(changes)
    return services.propose_amendment(document, article, by=by, **fields)


def test_accepting_an_amendment_makes_a_version_and_outdates_the_translations(
    document: Document, amendment: Amendment, organiser: User
) -> None:
    article = amendment.article
    assert article.translation_status("en") == "current"
    versions = Version.objects.count()
    version = services.accept_amendment(amendment, by=organiser)
    article.refresh_from_db()
    assert article.text_fr == amendment.text
    assert article.source_revision == 2
    assert article.translation_status("fr") == "source"
    assert article.translation_status("en") == "outdated"
    assert article.translation_status("es") == "outdated"
    assert Version.objects.count() == versions + 1
    assert version.number == 2
    assert amendment.text in [a["text_fr"] for a in version.snapshot["articles"]]
    assert amendment.status == "accepted"
    assert AuditEvent.objects.filter(verb="amendment.accept").count() == 1


def test_an_amendment_made_against_an_older_text_is_stale(
    document: Document, article: Article, amendment: Amendment, organiser: User
) -> None:
    other = propose(document, article, make_person("moderator"))
    assert not other.is_stale
    services.accept_amendment(amendment, by=organiser)
    other.refresh_from_db()
    assert other.is_stale


def test_adding_and_deleting_articles_renumbers_them(
    document: Document, article: Article, participant: User, organiser: User
) -> None:
    added = propose(document, article, participant, kind="add_after", text="Article neuf.")
    services.accept_amendment(added, by=organiser)
    numbers = [(a.number, a.text_fr) for a in document.articles.filter(deleted=False)]
    assert numbers[2] == (3, "Article neuf.")
    assert len(numbers) == 10
    deleted = propose(document, document.articles.get(number=1), participant, kind="delete")
    services.accept_amendment(deleted, by=organiser)
    numbers = list(document.articles.filter(deleted=False).values_list("number", flat=True))
    assert numbers == list(range(1, 10))


def test_rejecting_needs_a_public_reason(amendment: Amendment, organiser: User) -> None:
    with pytest.raises(ValidationError, match="reason"):
        services.reject_amendment(amendment, by=organiser, reason=" ")
    services.reject_amendment(amendment, by=organiser, reason="Déjà couvert par l'article 1.")
    assert amendment.status == "rejected"
    assert amendment.reason == "Déjà couvert par l'article 1."
    with pytest.raises(ValidationError, match="already been decided") as refused:
        services.accept_amendment(amendment, by=organiser)
    assert refused.value.code == "not_pending"


def test_participants_may_not_accept(amendment: Amendment, participant: User) -> None:
    with pytest.raises(PermissionDenied, match="Only organisers"):
        services.accept_amendment(amendment, by=participant)
    amendment.refresh_from_db()
    assert amendment.status == "pending"


def test_a_person_votes_and_endorses_once(amendment: Amendment, participant: User) -> None:
    services.vote(amendment, "agree", by=participant)
    with pytest.raises(ValidationError, match="already voted"):
        services.vote(amendment, "disagree", by=participant)
    services.endorse(amendment, by=participant)
    with pytest.raises(ValidationError, match="already endorsed"):
        services.endorse(amendment, by=participant)
    assert AmendmentVote.objects.get().value == "agree"
    assert AmendmentEndorsement.objects.count() == 1


def test_an_unknown_vote_is_refused(amendment: Amendment, participant: User) -> None:
    with pytest.raises(ValidationError, match="agree"):
        services.vote(amendment, "maybe", by=participant)
    assert not AmendmentVote.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"rationale": "  "}, "Explain why"),
        ({"text": "x" * 3001}, "at most 3000 characters"),
        ({"text": ""}, "empty"),
        ({"kind": "rewrite"}, "Choose what"),
        ({"language": "de"}, "Unknown language"),
    ],
)
def test_bad_proposals_are_refused_and_nothing_is_written(
    document: Document, article: Article, participant: User, changes: dict, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        propose(document, article, participant, **changes)
    assert not Amendment.objects.exists()


def test_an_unknown_article_is_refused(document: Document, participant: User) -> None:
    with pytest.raises(ValidationError, match="no article 99999"):
        propose(document, 99999, participant)
    assert not Amendment.objects.exists()


def test_nothing_is_proposed_on_a_closed_consultation(
    document: Document, article: Article, participant: User
) -> None:
    document.consultation.status = "closed"
    document.consultation.save(update_fields=["status"])
    with pytest.raises(PermissionDenied, match="only be proposed while the consultation is open"):
        propose(document, article, participant)
    assert not Amendment.objects.exists()


def test_a_frozen_document_takes_no_amendment(
    document: Document, article: Article, participant: User, organiser: User
) -> None:
    services.freeze_document(document, by=organiser)
    with pytest.raises(ValidationError, match="frozen") as refused:
        propose(document, article, participant)
    assert refused.value.code == "frozen"
    assert not Amendment.objects.exists()
    assert AuditEvent.objects.filter(verb="document.freeze").count() == 1


def test_the_seed_loads_twice_without_changes(document: Document) -> None:
    counts = (Document.objects.count(), Article.objects.count(), Version.objects.count())
    assert load_code_of_conduct().pk == document.pk
    assert counts == (1, 9, 1)
    assert (Document.objects.count(), Article.objects.count(), Version.objects.count()) == counts
    assert document.starting_draft
    assert document.consultation.slug == "local-democracy"


def test_the_word_diff_marks_inserted_and_deleted_words() -> None:
    segments = services.word_diff("the city cares", "the town cares for all")
    assert [(s.kind, s.text) for s in segments] == [
        ("equal", "the"),
        ("delete", "city"),
        ("insert", "town"),
        ("equal", "cares"),
        ("insert", "for all"),
    ]
