"""The back office lists every drafting model; an article's citations are edited inline."""

from __future__ import annotations

import pytest
from django.test import Client

from cityforum.drafting.models import Article, Document
from cityforum.people.models import User


@pytest.fixture
def back_office(organiser: User) -> Client:
    client = Client()
    client.force_login(organiser)
    return client


@pytest.mark.parametrize(
    "model",
    [
        "document",
        "article",
        "amendment",
        "amendmentcomment",
        "draftingreport",
        "articleopinion",
        "signature",
        "version",
    ],
)
def test_every_list_opens(document: Document, back_office: Client, model: str) -> None:
    assert back_office.get(f"/admin/drafting/{model}/").status_code == 200


def test_an_article_shows_its_sources_inline(article: Article, back_office: Client) -> None:
    response = back_office.get(f"/admin/drafting/article/{article.pk}/change/")
    assert response.status_code == 200
    assert "sources-TOTAL_FORMS" in response.content.decode()
