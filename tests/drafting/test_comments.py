"""Comments on amendments (one level of replies), reports and moderation."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cityforum.core.models import AuditEvent
from cityforum.drafting import services
from cityforum.drafting.models import Amendment, AmendmentComment, DraftingReport
from cityforum.people.models import User

from .conftest import make_person


@pytest.fixture
def commenter(programme: None) -> User:
    return User.objects.create_user("commenter@example.org", "a-long-pass-phrase")


def test_a_participant_comments_and_another_replies_once(
    amendment: Amendment, participant: User, commenter: User
) -> None:
    first = services.comment(amendment, " Pourquoi la jeunesse seulement ? ", by=commenter)
    reply = services.comment(amendment, "Parce qu'elle est absente.", by=participant, parent=first)
    assert first.body == "Pourquoi la jeunesse seulement ?"
    assert reply.parent == first
    with pytest.raises(ValidationError, match="Replies cannot be replied to"):
        services.comment(amendment, "Et encore ?", by=commenter, parent=reply)
    assert AmendmentComment.objects.count() == 2


@pytest.mark.parametrize(("body", "message"), [("  ", "empty"), ("x" * 2001, "at most 2000")])
def test_bad_comments_are_refused(
    amendment: Amendment, commenter: User, body: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        services.comment(amendment, body, by=commenter)
    assert not AmendmentComment.objects.exists()


def test_a_reply_to_a_comment_of_another_amendment_is_refused(
    document, article, amendment: Amendment, commenter: User
) -> None:
    other = services.propose_amendment(
        document, article, by=commenter, kind="delete", rationale="Redondant."
    )
    elsewhere = services.comment(other, "Oui.", by=commenter)
    with pytest.raises(ValidationError, match="another amendment"):
        services.comment(amendment, "Non.", by=commenter, parent=elsewhere)


def test_the_public_does_not_comment(amendment: Amendment) -> None:
    with pytest.raises(PermissionDenied, match="Sign in"):
        services.comment(amendment, "Anonyme.", by=make_person("public"))
    assert not AmendmentComment.objects.exists()


def test_comments_close_with_the_consultation(amendment: Amendment, commenter: User) -> None:
    consultation = amendment.article.document.consultation
    consultation.status = "closed"
    consultation.save(update_fields=["status"])
    with pytest.raises(PermissionDenied, match="only be discussed while"):
        services.comment(amendment, "Trop tard ?", by=commenter)


def test_a_moderator_hides_a_reported_comment_with_a_reason_and_restores_it(
    amendment: Amendment, participant: User, commenter: User
) -> None:
    moderator = make_person("moderator")
    comment = services.comment(amendment, "Insulte.", by=commenter)
    report = services.report(comment, "Injurieux.", by=participant)
    with pytest.raises(ValidationError, match="already reported"):
        services.report(comment, "Encore.", by=participant)
    services.moderate(comment, "hide", "Propos injurieux.", by=moderator)
    comment.refresh_from_db()
    assert comment.is_hidden and comment.moderation_reason == "Propos injurieux."
    report.refresh_from_db()
    assert report.resolved_by == moderator
    services.moderate(comment, "restore", "Après relecture.", by=moderator)
    comment.refresh_from_db()
    assert not comment.is_hidden
    verbs = list(AuditEvent.objects.order_by("pk").values_list("verb", "reason"))
    assert verbs == [
        ("amendment_comment.hide", "Propos injurieux."),
        ("amendment_comment.restore", "Après relecture."),
    ]


def test_moderation_needs_a_reason_and_a_moderator(
    amendment: Amendment, participant: User, organiser: User
) -> None:
    with pytest.raises(ValidationError, match="Give the reason"):
        services.moderate(amendment, "hide", " ", by=organiser)
    with pytest.raises(ValidationError, match="hide"):
        services.moderate(amendment, "delete", "Non.", by=organiser)
    with pytest.raises(PermissionDenied, match="moderators"):
        services.moderate(amendment, "hide", "Je n'aime pas.", by=participant)
    amendment.refresh_from_db()
    assert not amendment.is_hidden
    assert not AuditEvent.objects.exists()


def test_an_author_cannot_report_their_own_comment(amendment: Amendment, commenter: User) -> None:
    comment = services.comment(amendment, "Mon avis.", by=commenter)
    with pytest.raises(PermissionDenied, match="your own"):
        services.report(comment, "Oups.", by=commenter)
    assert not DraftingReport.objects.exists()


def test_a_hidden_amendment_takes_no_comment(
    amendment: Amendment, organiser: User, commenter: User
) -> None:
    services.moderate(amendment, "hide", "Hors sujet.", by=organiser)
    with pytest.raises(ValidationError, match="hidden"):
        services.comment(amendment, "Hm.", by=commenter)


def test_moderators_see_the_open_reports_on_the_document_page(
    amendment: Amendment, participant: User, commenter: User
) -> None:
    from django.test import Client

    comment = services.comment(amendment, "Insulte.", by=commenter)
    services.report(comment, "Injurieux envers un élu.", by=participant)
    moderator = make_person("moderator")
    client = Client()
    client.force_login(moderator)
    url = f"/en/drafting/{amendment.article.document.slug}/"
    assert "Injurieux envers un élu." in client.get(url).content.decode()
    assert "Injurieux envers un élu." not in Client().get(url).content.decode()
    services.moderate(comment, "hide", "Injurieux.", by=moderator)
    assert "Reported comments" not in client.get(url).content.decode()
