"""Optimistic locking and clear refusals: a stale amendment is refused with a conflict
naming the version that changed its article, and nothing is written; frozen documents,
decided amendments, deleted articles, empty rationales and participants trying to decide
are refused with a code the API maps to 409 or with a permission error."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cityforum.core.models import AuditEvent
from cityforum.drafting import services
from cityforum.drafting.models import Amendment, Article, Document, Version
from cityforum.people.models import User

from .conftest import make_person


def propose(document: Document, article: object, by: object, **changes: object) -> Amendment:
    fields = {"kind": "modify", "text": "Un texte nouveau.", "rationale": "Parce que."}
    fields.update(changes)
    return services.propose_amendment(document, article, by=by, **fields)


def snapshot_of_state(article: Article) -> tuple:
    article.refresh_from_db()
    return (
        article.text_fr,
        article.source_revision,
        article.deleted,
        Version.objects.count(),
        Article.objects.count(),
    )


def test_two_organisers_accepting_conflicting_amendments_the_second_gets_a_conflict(
    document: Document, article: Article, participant: User, organiser: User
) -> None:
    first = propose(document, article, participant, text="Première version.")
    second = propose(document, article, make_person("moderator"), text="Seconde version.")
    other_organiser = User.objects.create_user("o2@example.org", "x" * 12, role="organiser")
    version = services.accept_amendment(first, by=organiser)
    before = snapshot_of_state(article)
    with pytest.raises(ValidationError) as refused:
        services.accept_amendment(second, by=other_organiser, reason="Plus clair.")
    assert refused.value.code == "conflict"
    message = " ".join(refused.value.messages)
    assert f"changed by version {version.number} since this amendment was written" in message
    assert refused.value.params == {"version": version.number}
    assert snapshot_of_state(article) == before
    second.refresh_from_db()
    assert second.status == "pending"
    assert article.text_fr == "Première version."
    assert AuditEvent.objects.filter(verb="amendment.accept").count() == 1


def test_an_amendment_to_an_article_deleted_since_is_a_conflict(
    document: Document, article: Article, participant: User, organiser: User
) -> None:
    deletion = propose(document, article, participant, kind="delete")
    change = propose(document, article, make_person("moderator"))
    version = services.accept_amendment(deletion, by=organiser)
    versions = Version.objects.count()
    with pytest.raises(ValidationError, match=f"deleted by version {version.number}") as refused:
        services.accept_amendment(change, by=organiser)
    assert refused.value.code == "conflict"
    assert Version.objects.count() == versions
    change.refresh_from_db()
    assert change.status == "pending" and change.is_stale


def test_the_conflict_names_the_latest_version_that_changed_the_article(
    document: Document, article: Article, participant: User, organiser: User
) -> None:
    stale = propose(document, article, participant, text="Ancien.")
    services.accept_amendment(propose(document, article, participant, text="A."), by=organiser)
    other = document.articles.get(number=1)
    services.accept_amendment(propose(document, other, participant, text="B."), by=organiser)
    last = services.accept_amendment(
        propose(document, article, participant, text="C."), by=organiser
    )
    assert last.number == 4
    with pytest.raises(ValidationError, match="changed by version 4 since"):
        services.accept_amendment(stale, by=organiser)


def test_an_amendment_to_another_article_is_not_a_conflict(
    document: Document, article: Article, participant: User, organiser: User
) -> None:
    here = propose(document, article, participant)
    there = propose(document, document.articles.get(number=5), participant)
    services.accept_amendment(here, by=organiser)
    version = services.accept_amendment(there, by=organiser)
    assert version.number == 3
    assert version.amendments.get() == there


def test_accepting_on_a_frozen_document_is_refused_as_frozen(
    document: Document, amendment: Amendment, organiser: User
) -> None:
    services.freeze_document(document, by=organiser)
    versions = Version.objects.count()
    with pytest.raises(ValidationError, match="frozen") as refused:
        services.accept_amendment(amendment, by=organiser)
    assert refused.value.code == "frozen"
    with pytest.raises(ValidationError) as rejected:
        services.reject_amendment(amendment, by=organiser, reason="Trop tard.")
    assert rejected.value.code == "frozen"
    amendment.refresh_from_db()
    assert amendment.status == "pending"
    assert Version.objects.count() == versions


def test_freezing_twice_is_refused(document: Document, organiser: User) -> None:
    services.freeze_document(document, by=organiser)
    with pytest.raises(ValidationError) as refused:
        services.freeze_document(document, by=organiser)
    assert refused.value.code == "frozen"
    assert Version.objects.count() == 2


def test_deciding_twice_is_refused_as_not_pending(amendment: Amendment, organiser: User) -> None:
    services.accept_amendment(amendment, by=organiser)
    with pytest.raises(ValidationError, match="already been decided") as refused:
        services.reject_amendment(amendment, by=organiser, reason="Non.")
    assert refused.value.code == "not_pending"
    amendment.refresh_from_db()
    assert amendment.status == "accepted"


def test_proposing_an_amendment_to_a_deleted_article_is_refused(
    document: Document, article: Article, participant: User, organiser: User
) -> None:
    services.accept_amendment(propose(document, article, participant, kind="delete"), by=organiser)
    amendments = Amendment.objects.count()
    with pytest.raises(ValidationError, match="deleted by an accepted amendment") as refused:
        propose(document, article.pk, participant)
    assert refused.value.code == "deleted"
    assert Amendment.objects.count() == amendments


def test_an_empty_rationale_is_refused(
    document: Document, article: Article, participant: User
) -> None:
    with pytest.raises(ValidationError, match="Explain why you propose this amendment"):
        propose(document, article, participant, rationale="\n \t")
    assert not Amendment.objects.exists()


@pytest.mark.parametrize("role", ["public", "participant", "moderator"])
def test_only_organisers_decide(amendment: Amendment, role: str) -> None:
    person = make_person(role) if role != "participant" else amendment.author
    with pytest.raises(PermissionDenied):
        services.accept_amendment(amendment, by=person)
    with pytest.raises(PermissionDenied):
        services.reject_amendment(amendment, by=person, reason="Non.")
    amendment.refresh_from_db()
    assert amendment.status == "pending"
    assert not AuditEvent.objects.filter(verb__startswith="amendment.").exists()


def test_an_accepted_amendment_points_to_the_version_it_made(
    amendment: Amendment, organiser: User
) -> None:
    version = services.accept_amendment(amendment, by=organiser, reason="Merci.")
    amendment.refresh_from_db()
    assert amendment.version == version
    assert amendment.reason == "Merci."
    event = AuditEvent.objects.get(verb="amendment.accept")
    assert event.data == {"version": version.number}


def test_a_hidden_amendment_is_not_accepted_voted_or_endorsed(
    amendment: Amendment, organiser: User, participant: User
) -> None:
    services.moderate(amendment, "hide", "Propos injurieux.", by=organiser)
    voter = make_person("moderator")
    for action in (
        lambda: services.accept_amendment(amendment, by=organiser),
        lambda: services.vote(amendment, "agree", by=voter),
        lambda: services.endorse(amendment, by=voter),
    ):
        with pytest.raises(ValidationError, match="hidden by the moderators"):
            action()
    amendment.refresh_from_db()
    assert amendment.status == "pending"
    assert not amendment.votes.exists() and not amendment.endorsements.exists()
