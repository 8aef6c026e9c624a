"""A person signs up in Chromium, follows the link of the verification e-mail, and signs in."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache

from cityforum.people.models import User
from cityforum.programme.seed import load_programme

pytestmark = pytest.mark.browser

PASSWORD = "a-long-pass-phrase-42"


@pytest.fixture
def site(live_server: object, transactional_db: None) -> str:
    load_programme()
    cache.clear()
    return str(live_server.url)  # type: ignore[attr-defined]


def test_sign_up_verify_and_sign_in(page, site: str) -> None:
    page.goto(site + "/en/")
    page.get_by_role("link", name="Sign up").click()
    page.wait_for_url("**/en/accounts/signup/")
    assert "What is public, what is not" in page.locator("main").inner_text()

    page.get_by_label("E-mail address").fill("amina@example.org")
    page.get_by_label("Display name").fill("Amina")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    # Without consent the account is not created.
    page.get_by_role("button", name="Create the account").click()
    assert "Please accept what the forum makes public." in page.locator("main").inner_text()
    assert not User.objects.exists()

    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_label("I have read what is public and what is not, and I agree.").check()
    page.get_by_role("button", name="Create the account").click()
    page.get_by_role("heading", name="Check your e-mail").wait_for()

    [message] = mail.outbox
    link = re.search(r"https?://\S+/accounts/verify/\S+/", message.body).group(0)
    page.goto(link)
    assert "amina@example.org is verified" in page.locator("main").inner_text()

    page.goto(site + "/en/cities/")
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("E-mail address").fill("Amina@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/en/cities/")  # back where the person clicked "Sign in"
    header = page.locator("header").inner_text()
    assert "Amina" in header and "Sign out" in header
    assert "not verified" not in header
    assert User.objects.get().email_verified
