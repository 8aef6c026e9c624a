"""With the keyboard alone, in Chromium: a participant votes on every statement of a
consultation, and proposes an amendment to an article of the Code of Conduct.

No mouse: the tests move with Tab and Shift+Tab, choose with the arrow keys, type, and press
Enter; they never click nor set the focus from a script.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.browser

PASSWORD = "a-long-pass-phrase"
STATEMENTS = [
    "Every neighbourhood needs clean drinking water.",
    "Participatory budgets should be compulsory.",
    "Local languages belong in school.",
    "Public transport should be free for young people.",
]
NEW_ARTICLE = "Local governments publish every year what their consultations changed."
RATIONALE = "People should see what their participation changed."


@pytest.fixture
def site(live_server: object, transactional_db: None) -> str:
    from cityforum.drafting.seed import load_code_of_conduct
    from cityforum.people.models import User
    from cityforum.programme.models import Consultation
    from cityforum.programme.seed import load_programme
    from cityforum.statements import services

    load_programme()
    africa = Consultation.objects.get(slug="regional-africa")
    africa.status = "open"
    africa.save(update_fields=["status"])
    organiser = User.objects.create_user("o@example.org", PASSWORD, role="organiser")
    for text in STATEMENTS:
        services.add_statement(africa, text, by=organiser, language="en")
    document = load_code_of_conduct()
    Consultation.objects.filter(pk=document.consultation_id).update(status="open")
    User.objects.create_user("amina@example.org", PASSWORD, role="participant")
    return str(live_server.url)  # type: ignore[attr-defined]


def sign_in(page: Any, site: str, email: str) -> None:
    """Hand the browser a session cookie (signing in is not what these tests are about)."""
    from cityforum.people.models import User

    client = Client()
    client.force_login(User.objects.get(email=email))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": site}])


def focused(page: Any, prop: str = "id") -> str:
    return str(page.evaluate(f"document.activeElement.{prop} || ''"))


def tab_to(page: Any, selector: str, limit: int = 120) -> int:
    """Press Tab until the element matching ``selector`` has the focus; the number of presses."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return presses
    raise AssertionError(f"{selector} cannot be reached with Tab ({limit} presses)")


def progress(page: Any, text: str) -> None:
    """Wait for the card htmx swaps in to say ``text`` and to have settled (htmx wires the
    new form's buttons then: a key pressed sooner would post the form without htmx)."""
    page.wait_for_function(
        """(t) => { const card = document.querySelector('#vote-card');
                    return card.textContent.includes(t) && !/htmx-/.test(card.className); }""",
        arg=text,
    )


def test_a_participant_votes_on_every_statement_with_the_keyboard(page: Any, site: str) -> None:
    from cityforum.people.models import User
    from cityforum.statements.models import Statement, Vote

    sign_in(page, site, "amina@example.org")
    page.goto(f"{site}/en/vote/regional-africa/")
    assert "Statement 1 of 4" in page.locator(".progress").inner_text()

    # From the top of the page, Tab reaches "Agree"; Enter votes and the next statement comes
    # with the focus back on "Agree", so the person goes on without tabbing from the top.
    tab_to(page, "#vote-agree")
    page.keyboard.press("Enter")
    progress(page, "Statement 2 of 4")
    assert focused(page) == "vote-agree"

    page.keyboard.press("Tab")  # Disagree
    assert focused(page) == "vote-disagree"
    page.keyboard.press("Enter")
    progress(page, "Statement 3 of 4")

    page.keyboard.press("Tab")  # from Disagree to Pass
    assert focused(page) == "vote-pass"
    page.keyboard.press("Enter")
    progress(page, "Statement 4 of 4")

    # Back to "Agree" with Shift+Tab. (The page's access keys, Alt+A and so on, cannot be
    # pressed here: Playwright sends no character event with Alt, and Chromium reads access
    # keys from that event.)
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert focused(page) == "vote-agree"
    page.keyboard.press("Enter")
    progress(page, "You have voted on all 4 statements")

    voter = User.objects.get(email="amina@example.org")
    votes = dict(Vote.objects.filter(voter__user=voter).values_list("statement__text", "value"))
    assert votes == dict(zip(STATEMENTS, [1, -1, 0, 1], strict=True))
    assert Statement.objects.count() == 4 and Vote.objects.count() == 4


def test_a_participant_proposes_an_amendment_with_the_keyboard(page: Any, site: str) -> None:
    from cityforum.drafting.models import Amendment, Document

    document = Document.objects.get()
    article = document.articles.get(number=2)
    sign_in(page, site, "amina@example.org")
    page.goto(f"{site}/en/drafting/{document.slug}/articles/{article.pk}/")

    tab_to(page, "select[name=kind]")
    page.keyboard.press("ArrowDown")  # "modify the article" → "add an article after it"
    page.keyboard.press("Tab")
    assert focused(page, "name") == "language"
    page.keyboard.press("Tab")
    assert focused(page, "name") == "text"
    page.keyboard.press("Control+a")
    page.keyboard.type(NEW_ARTICLE)

    # Enter on "Propose" with no rationale: the browser refuses, puts the focus on the empty
    # required field, and nothing is written.
    page.keyboard.press("Tab")  # the rationale
    page.keyboard.press("Tab")
    assert focused(page, "textContent").strip() == "Propose"
    page.keyboard.press("Enter")
    assert focused(page, "name") == "rationale"
    assert not Amendment.objects.exists()

    page.keyboard.type(RATIONALE)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_load_state("load")
    assert "Your amendment has been proposed." in page.locator(".messages").inner_text()

    amendment = Amendment.objects.get()
    assert (amendment.article_id, amendment.kind) == (article.pk, "add_after")
    assert (amendment.text, amendment.rationale) == (NEW_ARTICLE, RATIONALE)
    assert amendment.author.email == "amina@example.org" and amendment.status == "pending"
