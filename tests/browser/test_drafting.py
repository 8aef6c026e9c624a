"""In Chromium, the whole drafting flow: a participant proposes an amendment, another
endorses it, an organiser accepts it with a public reason; the document shows the new
version and the compare page the word diff."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.browser

NEW_TEXT = (
    "Les gouvernements locaux associent les habitants, et d'abord les jeunes, aux décisions "
    "qui les concernent, à toutes les étapes, et réinventent la démocratie locale avec eux."
)
#: The words the amendment adds, as the word diff shows them ("habitants" gains a comma).
INSERTED = "habitants, et d'abord les jeunes,"


@pytest.fixture
def site(live_server: object, transactional_db: None) -> str:
    from cityforum.drafting.seed import load_code_of_conduct
    from cityforum.programme.seed import load_programme

    load_programme()
    document = load_code_of_conduct()
    document.consultation.status = "open"
    document.consultation.save(update_fields=["status"])
    return str(live_server.url)  # type: ignore[attr-defined]


def sign_in_as(page: object, site: str, email: str, role: str = "participant") -> None:
    """Open a session for a new person and hand its cookie to the browser."""
    from cityforum.people.models import User

    user = User.objects.create_user(email, "a-long-pass-phrase", role=role)
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context = page.context  # type: ignore[attr-defined]
    context.clear_cookies()
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": site}])


def test_propose_endorse_accept_then_see_the_new_version_and_the_diff(page, site: str) -> None:
    from cityforum.drafting.models import Amendment, Article, Document

    document = Document.objects.get()
    article = Article.objects.get(document=document, number=2)
    article_url = f"{site}/en/drafting/{document.slug}/articles/{article.pk}/"

    # A participant proposes an amendment, with its rationale.
    sign_in_as(page, site, "author@example.org")
    page.goto(article_url)
    page.get_by_label("What it does").select_option("modify")
    page.locator("#propose + form select[name=language]").select_option("fr")
    page.get_by_label("Proposed text").fill(NEW_TEXT)
    page.get_by_label("Rationale (required)").fill("Nommer la jeunesse.")
    page.get_by_role("button", name="Propose", exact=True).click()
    page.wait_for_load_state("load")
    assert "Your amendment has been proposed." in page.locator(".messages").inner_text()
    amendment = Amendment.objects.get()
    assert page.locator(f"#amendment-{amendment.pk} ins").first.inner_text() == INSERTED

    # Another participant endorses it from its page.
    sign_in_as(page, site, "supporter@example.org")
    page.goto(f"{site}/en/drafting/amendments/{amendment.pk}/")
    page.get_by_role("button", name="Endorse").click()
    page.wait_for_load_state("load")
    assert "You endorse this amendment." in page.locator(".messages").inner_text()
    assert "1 endorsements" in page.locator("#support .tally").inner_text()

    # An organiser accepts it with a public reason.
    sign_in_as(page, site, "organiser@example.org", role="organiser")
    page.goto(f"{site}/en/drafting/amendments/{amendment.pk}/")
    page.get_by_label("Public reason").fill("Accepted: the youth are named.")
    page.get_by_role("button", name="Accept").click()
    page.wait_for_load_state("load")
    assert "The amendment has been accepted." in page.locator(".messages").inner_text()
    assert "outdated" in page.locator(".translation-status").inner_text()
    page.goto(article_url.replace("/en/", "/fr/"))
    assert page.locator("blockquote").first.inner_text() == NEW_TEXT

    # The document shows the new version; its English translation is outdated.
    page.goto(f"{site}/en/drafting/{document.slug}/")
    assert page.locator(".current-version").inner_text() == "Version 2"
    assert "outdated" in page.locator(f"#article-{article.pk} .translation-status").inner_text()

    # The compare page shows the word diff between versions 1 and 2.
    page.goto(f"{site}/fr/drafting/{document.slug}/versions/")
    page.locator("select[name=from]").select_option("1")
    page.locator("select[name=to]").select_option("2")
    page.locator("form[action$='/compare/'] button").click()
    page.wait_for_load_state("load")
    changed = page.locator("section.article.changed")
    assert changed.count() == 1
    assert changed.locator("ins").first.inner_text() == INSERTED
    amendment.refresh_from_db()
    assert (amendment.status, amendment.reason) == ("accepted", "Accepted: the youth are named.")
