"""The document, an article's amendments, versions and comparisons, in FR/EN/ES."""

from __future__ import annotations

import pytest
from django.test import Client

from cityforum.drafting import services
from cityforum.drafting.models import Amendment, AmendmentVote, Article, Document
from cityforum.people.models import User

from .conftest import PASSWORD


def signed_in(user: User) -> Client:
    client = Client()
    assert client.login(username=user.email, password=PASSWORD)
    return client


@pytest.mark.parametrize("lang", ["fr", "en", "es"])
def test_the_document_page_renders_in_every_language(document: Document, lang: str) -> None:
    response = Client().get(f"/{lang}/drafting/{document.slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{lang}"' in html
    first = document.articles.get(number=1)
    assert f'id="article-{first.pk}"' in html
    assert getattr(first, f"text_{lang}")[:40] in html


def test_the_document_page_shows_the_starting_draft_and_outdated_translations(
    document: Document, amendment: Amendment, organiser: User
) -> None:
    services.accept_amendment(amendment, by=organiser)
    html = Client().get(f"/en/drafting/{document.slug}/").content.decode()
    assert "Starting draft" in html
    assert "outdated" in html
    assert "up to date" in html


@pytest.mark.parametrize("lang", ["fr", "en", "es"])
def test_the_article_page_shows_the_amendments_word_diff(amendment: Amendment, lang: str) -> None:
    article = amendment.article
    html = Client().get(f"/{lang}/drafting/{article.document.slug}/articles/{article.pk}/")
    assert html.status_code == 200
    assert f'<html lang="{lang}"' in html.content.decode()
    assert "<ins>Les jeunes y prennent part.</ins>" in html.content.decode()


def test_a_participant_proposes_votes_and_endorses_through_the_page(
    document: Document, article: Article, participant: User
) -> None:
    client = signed_in(participant)
    url = f"/en/drafting/{document.slug}/articles/{article.pk}/"
    page = client.get(url).content.decode()
    assert "Propose an amendment" in page and "csrfmiddlewaretoken" in page
    response = client.post(
        url + "propose/",
        {"kind": "modify", "text": "Nouveau texte.", "rationale": "Plus clair.", "language": "fr"},
        follow=True,
    )
    assert "Your amendment has been proposed." in response.content.decode()
    amendment = Amendment.objects.get()
    client.post(f"/en/drafting/amendments/{amendment.pk}/vote/", {"value": "agree"})
    response = client.post(
        f"/en/drafting/amendments/{amendment.pk}/vote/", {"value": "agree"}, follow=True
    )
    assert "You have already voted on this amendment." in response.content.decode()
    assert AmendmentVote.objects.count() == 1
    client.post(f"/en/drafting/amendments/{amendment.pk}/endorse/")
    assert amendment.endorsements.count() == 1


def test_an_empty_rationale_is_refused_with_a_message(
    document: Document, article: Article, participant: User
) -> None:
    response = signed_in(participant).post(
        f"/en/drafting/{document.slug}/articles/{article.pk}/propose/",
        {"kind": "modify", "text": "Nouveau texte.", "rationale": ""},
        follow=True,
    )
    assert "Explain why you propose this amendment." in response.content.decode()
    assert not Amendment.objects.exists()


def test_the_public_cannot_vote_nor_decide(amendment: Amendment) -> None:
    client = Client()
    page = client.get(
        f"/en/drafting/{amendment.article.document.slug}/articles/{amendment.article_id}/"
    ).content.decode()
    assert "Accept" not in page
    assert "Sign in to propose an amendment." in page
    client.post(f"/en/drafting/amendments/{amendment.pk}/decide/", {"decision": "accept"})
    amendment.refresh_from_db()
    assert amendment.status == "pending"


def test_an_organiser_accepts_then_compares_versions(
    document: Document, amendment: Amendment, organiser: User
) -> None:
    client = signed_in(organiser)
    response = client.post(
        f"/en/drafting/amendments/{amendment.pk}/decide/", {"decision": "accept"}, follow=True
    )
    assert "The amendment has been accepted." in response.content.decode()
    versions = client.get(f"/en/drafting/{document.slug}/versions/").content.decode()
    assert "Version 2" in versions and "Version 1" in versions
    for lang in ("fr", "en", "es"):
        compare = client.get(f"/{lang}/drafting/{document.slug}/compare/?from=1&to=2")
        assert compare.status_code == 200
        assert f'<html lang="{lang}"' in compare.content.decode()
    html = client.get(f"/fr/drafting/{document.slug}/compare/?from=1&to=2").content.decode()
    assert "<ins>Les jeunes y prennent part.</ins>" in html
    english = client.get(f"/en/drafting/{document.slug}/compare/?from=1&to=2").content.decode()
    assert "Changes from version 1 to version 2" in english


def test_an_organiser_rejects_with_a_reason(amendment: Amendment, organiser: User) -> None:
    client = signed_in(organiser)
    response = client.post(
        f"/en/drafting/amendments/{amendment.pk}/decide/", {"decision": "reject"}, follow=True
    )
    assert "Give the reason for rejecting the amendment." in response.content.decode()
    client.post(
        f"/en/drafting/amendments/{amendment.pk}/decide/",
        {"decision": "reject", "reason": "Hors sujet."},
    )
    amendment.refresh_from_db()
    assert (amendment.status, amendment.reason) == ("rejected", "Hors sujet.")


@pytest.mark.parametrize("lang", ["fr", "en", "es"])
def test_the_document_page_offers_the_exports_in_the_readers_language(
    document: Document, lang: str
) -> None:
    page = Client().get(f"/{lang}/drafting/{document.slug}/").content.decode()
    for fmt in ("pdf", "md", "json"):
        link = f"/{lang}/drafting/{document.slug}/export/?format={fmt}&amp;language={lang}"
        assert link in page
    response = Client().get(f"/{lang}/drafting/{document.slug}/export/?format=md&language={lang}")
    assert response.status_code == 200
    assert response.content.decode().startswith("# ")
