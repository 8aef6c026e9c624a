"""Traceability: an article cites the contributions, statements and synthesis themes it
draws on; its page shows them with their regions."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from cityforum.core.models import AuditEvent
from cityforum.drafting import services
from cityforum.drafting.models import Article, ArticleSource, Document
from cityforum.participation import services as participation
from cityforum.people.models import User
from cityforum.programme.models import Consultation
from cityforum.statements import services as statements
from cityforum.synthesis.models import ThemeRun

THEMES = {
    "themes": [
        {
            "id": 0,
            "labels": {"fr": "Eau et assainissement", "en": "Water and sanitation"},
            "prevalence": {"africa": {"count": 3}, "latam": {"count": 0}},
        }
    ],
    "regions": {"africa": {"fr": "Afrique", "en": "Africa", "es": "África"}},
}


@pytest.fixture
def contribution(document: Document, member: Callable[[str, str], User]) -> object:
    regional = Consultation.objects.get(slug="regional-africa")
    regional.status = "open"
    regional.save(update_fields=["status"])
    return participation.contribute(
        regional,
        member("city", "mayor@thies.sn"),
        type="proposal",
        title="Budgets participatifs",
        body="Chaque quartier décide d'une part du budget.",
        language="fr",
        capitals=["human"],
    )


@pytest.fixture
def statement(document: Document, organiser: User) -> object:
    return statements.add_statement(
        document.consultation, "Les budgets sont publiés chaque année.", by=organiser
    )


@pytest.fixture
def run(document: Document, organiser: User) -> ThemeRun:
    return ThemeRun.objects.create(
        status="done", result=THEMES, approved_by=organiser, approved_at=timezone.now()
    )


def test_an_organiser_cites_a_contribution_a_statement_and_a_theme(
    document: Document,
    article: Article,
    organiser: User,
    contribution: object,
    statement: object,
    run: ThemeRun,
) -> None:
    services.cite(article, by=organiser, contribution=contribution.pk, note="Origine.")
    services.cite(article, by=organiser, statement=statement)
    theme = services.cite(article, by=organiser, theme_run=run.pk, theme_id="0")
    assert theme.theme_label == "Eau et assainissement"
    assert [s.kind for s in article.sources.all()] == ["contribution", "statement", "theme"]
    assert AuditEvent.objects.filter(verb="article.cite").count() == 3
    html = Client().get(f"/en/drafting/{document.slug}/articles/{article.pk}/").content.decode()
    assert "Contribution: Budgets participatifs" in html
    assert "Origine." in html
    assert "Les budgets sont publiés chaque année." in html
    assert "Synthesis theme: Eau et assainissement" in html
    assert html.count('class="regions">Africa<') == 2  # the contribution and the theme
    assert f"/en/synthesis/themes/{run.pk}/#theme-0" in html


def test_citing_twice_or_nothing_or_two_things_is_refused(
    article: Article, organiser: User, contribution: object, statement: object
) -> None:
    services.cite(article, by=organiser, contribution=contribution)
    with pytest.raises(ValidationError, match="already cites"):
        services.cite(article, by=organiser, contribution=contribution)
    with pytest.raises(ValidationError, match="exactly one"):
        services.cite(article, by=organiser)
    with pytest.raises(ValidationError, match="exactly one"):
        services.cite(article, by=organiser, contribution=contribution, statement=statement)
    assert ArticleSource.objects.count() == 1


def test_unknown_hidden_or_unapproved_sources_are_refused(
    article: Article, organiser: User, contribution: object, run: ThemeRun
) -> None:
    with pytest.raises(ValidationError, match="no contribution 999"):
        services.cite(article, by=organiser, contribution=999)
    with pytest.raises(ValidationError, match="no theme 7"):
        services.cite(article, by=organiser, theme_run=run, theme_id=7)
    participation.moderate(contribution, "hide", "Spam.", organiser)
    with pytest.raises(ValidationError, match="hidden contribution"):
        services.cite(article, by=organiser, contribution=contribution)
    run.approved_at = None
    run.save(update_fields=["approved_at"])
    with pytest.raises(ValidationError, match="approved synthesis"):
        services.cite(article, by=organiser, theme_run=run, theme_id=0)
    assert not ArticleSource.objects.exists()


def test_participants_do_not_cite_and_organisers_remove_citations(
    article: Article, organiser: User, participant: User, statement: object
) -> None:
    with pytest.raises(PermissionDenied, match="Only organisers"):
        services.cite(article, by=participant, statement=statement)
    source = services.cite(article, by=organiser, statement=statement)
    with pytest.raises(PermissionDenied):
        services.uncite(source, by=participant)
    services.uncite(source, by=organiser)
    assert not ArticleSource.objects.exists()
    assert AuditEvent.objects.filter(verb="article.uncite").count() == 1


def test_the_database_refuses_a_source_of_two_kinds(
    article: Article, contribution: object, statement: object
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        ArticleSource.objects.create(
            article=article, contribution=contribution, statement=statement
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ArticleSource.objects.create(article=article)


def test_the_cite_form_on_the_article_page(
    document: Document, article: Article, organiser: User, statement: object
) -> None:
    client = Client()
    client.force_login(organiser)
    url = f"/en/drafting/{document.slug}/articles/{article.pk}/"
    assert "Cite a source" in client.get(url).content.decode()
    response = client.post(
        url + "cite/", {"kind": "statement", "ref": str(statement.pk)}, follow=True
    )
    assert "The source is cited." in response.content.decode()
    response = client.post(url + "cite/", {"kind": "statement", "ref": "x"}, follow=True)
    assert "There is no statement x." in response.content.decode()
    assert ArticleSource.objects.count() == 1
