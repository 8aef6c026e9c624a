"""In Chromium: the contribution form shows the capitals the text speaks of while it is typed
(htmx), and the form is published the same way with or without them."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from cityforum.participation.models import Contribution
from cityforum.people.models import User
from cityforum.programme.models import Consultation
from cityforum.programme.seed import load_programme

pytestmark = pytest.mark.browser


@pytest.fixture
def site(live_server: object, transactional_db: None) -> str:
    load_programme()
    Consultation.objects.filter(slug="regional-africa").update(status="open")
    return str(live_server.url)  # type: ignore[attr-defined]


def test_suggested_capitals_appear_while_writing(page, site: str) -> None:
    author = User.objects.create_user("writer@example.org", "a-long-pass-phrase")
    client = Client()
    client.force_login(author)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": site}])
    page.goto(f"{site}/en/participate/consultations/regional-africa/contribute/")
    slot = page.locator("#capital-suggestions")
    slot.get_by_text("No capital suggested yet").wait_for()  # asked once on load
    page.fill("input[name=title]", "Trees and bikes")
    page.fill("textarea[name=body]", "More trees, parks and bike lanes in our neighbourhood.")
    slot.get_by_text("Environmental capital").wait_for(timeout=10_000)
    assert "Suggested capitals:" in slot.inner_text()
    page.select_option("select[name=type]", "proposal")
    page.check("input[name=capitals][value=environmental]")
    page.click("form.contribution-form button[type=submit]")
    page.wait_for_url(f"{site}/en/participate/contributions/*/")
    assert Contribution.objects.get().title == "Trees and bikes"
