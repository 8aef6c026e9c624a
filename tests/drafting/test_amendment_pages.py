"""The amendment page (diff, support by constituency and region, comments, moderation),
the article page's opinions and translations, and refusals shown as messages."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from cityforum.drafting import services
from cityforum.drafting.models import Amendment, AmendmentComment, Article, Document
from cityforum.people.models import User

from .conftest import make_person


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("lang", ["fr", "en", "es"])
def test_the_amendment_page_shows_the_diff_and_the_support_tables(
    amendment: Amendment, member: Callable[[str, str], User], lang: str
) -> None:
    services.vote(amendment, "agree", by=member("city", "mayor@thies.sn"))
    services.endorse(amendment, by=member("ngo", "ana@rede.br"))
    response = Client().get(f"/{lang}/drafting/amendments/{amendment.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{lang}"' in html
    assert "<ins>Les jeunes y prennent part.</ins>" in html
    assert 'class="support-by-constituency"' in html
    assert 'class="support-by-region"' in html
    assert "Nommer la jeunesse." in html


def test_the_support_table_counts_per_constituency(
    amendment: Amendment, member: Callable[[str, str], User]
) -> None:
    services.vote(amendment, "agree", by=member("city", "mayor@thies.sn"))
    services.vote(amendment, "disagree", by=member("ngo", "ana@rede.br"))
    html = Client().get(f"/en/drafting/amendments/{amendment.pk}/").content.decode()
    row = html[html.index('<th scope="row">local government</th>') :]
    assert row.startswith(
        '<th scope="row">local government</th><td class="num">0</td>'
        '<td class="num">1</td><td class="num">0</td>'
    )
    assert "1 agree · 1 disagree · 0 endorsements" in html


def test_comments_and_replies_through_the_page(amendment: Amendment, participant: User) -> None:
    client = as_user(participant)
    url = f"/en/drafting/amendments/{amendment.pk}/"
    response = client.post(url + "comment/", {"body": "Et les aînés ?"}, follow=True)
    assert "Your comment is published." in response.content.decode()
    first = AmendmentComment.objects.get()
    response = client.post(
        url + "comment/", {"body": "Bonne question.", "parent": first.pk}, follow=True
    )
    html = response.content.decode()
    assert "Et les aînés ?" in html and "Bonne question." in html
    response = client.post(url + "comment/", {"body": " "}, follow=True)
    assert "Write your comment: it is empty." in response.content.decode()
    assert AmendmentComment.objects.count() == 2


def test_a_hidden_comment_shows_its_reason_to_its_author_only(
    amendment: Amendment, participant: User, organiser: User
) -> None:
    comment = services.comment(amendment, "Texte grossier.", by=participant)
    response = as_user(organiser).post(
        f"/en/drafting/comments/{comment.pk}/moderate/",
        {"action": "hide", "reason": "Langage grossier."},
        follow=True,
    )
    assert "Done: the content is hidden." in response.content.decode()
    url = f"/en/drafting/amendments/{amendment.pk}/"
    public = Client().get(url).content.decode()
    assert "This comment is hidden by the moderators." in public
    assert "Texte grossier." not in public and "Langage grossier." not in public
    mine = as_user(participant).get(url).content.decode()
    assert "Langage grossier." in mine


def test_a_hidden_amendment_is_not_shown_to_the_public(
    amendment: Amendment, organiser: User
) -> None:
    as_user(organiser).post(
        f"/en/drafting/amendments/{amendment.pk}/moderate/",
        {"action": "hide", "reason": "Hors sujet."},
    )
    amendment.refresh_from_db()
    assert amendment.is_hidden
    article_url = f"/en/drafting/{amendment.article.document.slug}/articles/{amendment.article_id}/"
    for url in (article_url, f"/en/drafting/amendments/{amendment.pk}/"):
        html = Client().get(url).content.decode()
        assert "This amendment is hidden by the moderators." in html
        assert "Les jeunes y prennent part." not in html
        assert "Hors sujet." not in html
    author = as_user(amendment.author).get(f"/en/drafting/amendments/{amendment.pk}/")
    assert "Hors sujet." in author.content.decode()


def test_a_conflict_is_shown_on_the_amendment_page_and_nothing_changes(
    document: Document, article: Article, amendment: Amendment, organiser: User
) -> None:
    other = services.propose_amendment(
        document, article, by=make_person("moderator"), kind="modify",
        text="Autre texte.", rationale="Autre idée.",
    )  # fmt: skip
    services.accept_amendment(amendment, by=organiser)
    response = as_user(organiser).post(
        f"/en/drafting/amendments/{other.pk}/decide/", {"decision": "accept"}, follow=True
    )
    html = response.content.decode()
    assert "the article was changed by version 2 since this amendment was written" in html
    assert "The article has changed since this amendment was proposed." in html
    other.refresh_from_db()
    assert other.status == "pending"


def test_the_article_page_shows_opinions_by_region(
    article: Article, member: Callable[[str, str], User]
) -> None:
    services.give_opinion(article, "support", by=member("city", "mayor@thies.sn"))
    services.give_opinion(article, "oppose", by=member("ngo", "ana@rede.br"))
    html = Client().get(f"/en/drafting/{article.document.slug}/articles/{article.pk}/")
    html = html.content.decode()
    assert 'class="opinions-by-region"' in html
    assert '<th scope="row">Africa</th><td class="num">1</td><td class="num">1 (100 %)</td>' in html
    assert "1 support · 1 oppose · 2 people take part" in html


def test_a_participant_gives_an_opinion_through_the_page(
    article: Article, participant: User
) -> None:
    client = as_user(participant)
    url = f"/en/drafting/{article.document.slug}/articles/{article.pk}/"
    response = client.post(url + "opinion/", {"value": "oppose"}, follow=True)
    html = response.content.decode()
    assert "Your opinion is recorded." in html
    assert 'value="oppose" aria-pressed="true"' in html
    response = client.post(url + "opinion/", {"value": "withdraw"}, follow=True)
    assert "Your opinion is withdrawn." in response.content.decode()
    assert not article.opinions.exists()


def test_an_organiser_updates_an_outdated_translation_through_the_page(
    amendment: Amendment, organiser: User
) -> None:
    services.accept_amendment(amendment, by=organiser)
    article = amendment.article
    client = as_user(organiser)
    url = f"/en/drafting/{article.document.slug}/articles/{article.pk}/"
    page = client.get(url).content.decode()
    assert 'id="translations"' in page
    assert "What changed in the source text since this translation was made:" in page
    assert "<ins>Les jeunes y prennent part.</ins>" in page
    response = client.post(
        url + "translate/",
        {"language": "es", "text": "Los jóvenes participan."},
        follow=True,
    )
    assert "The translation is up to date." in response.content.decode()
    article.refresh_from_db()
    assert article.translation_status("es") == "current"
    assert 'id="translations"' not in Client().get(url).content.decode()
