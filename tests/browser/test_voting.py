"""In Chromium: statements with HTML and scripts stay text, and voting works by keyboard."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

HOSTILE = '<script>window.pwned = 1</script><img src="x" onerror="window.pwned = 2">'


@pytest.fixture
def site(live_server: object, transactional_db: None) -> tuple[str, str]:
    from cityforum.people.models import User
    from cityforum.programme.models import Consultation
    from cityforum.programme.seed import load_programme
    from cityforum.statements import services
    from cityforum.statements.models import VotingSettings

    load_programme()
    consultation = Consultation.objects.get(slug="regional-africa")
    consultation.status = "open"
    consultation.save()
    VotingSettings.objects.create(consultation=consultation, allow_anonymous=True)
    organiser = User.objects.create_user("o@example.org", "a-long-pass-phrase", role="organiser")
    services.add_statement(consultation, HOSTILE, by=organiser)
    services.add_statement(consultation, "Second statement.", by=organiser)
    return str(live_server.url), consultation.slug  # type: ignore[attr-defined]


def test_no_script_runs_and_the_keyboard_votes(page, site) -> None:  # noqa: F811
    url, slug = site
    page.goto(f"{url}/en/vote/{slug}/")
    assert page.locator("blockquote.statement").inner_text() == HOSTILE
    assert page.evaluate("window.pwned") is None
    assert "Statement 1 of 2" in page.locator(".progress").inner_text()
    page.get_by_role("button", name="Agree", exact=True).focus()
    page.keyboard.press("Enter")
    # A locator, not wait_for_function: the site's CSP forbids evaluating strings.
    page.locator(".progress", has_text="2 of 2").wait_for()
    assert page.locator("blockquote.statement").inner_text() == "Second statement."
    assert page.evaluate("window.pwned") is None

    from cityforum.statements.models import Vote

    assert list(Vote.objects.values_list("value", flat=True)) == [1]
