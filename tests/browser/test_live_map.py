"""In Chromium, two participants vote with the live opinion map on (issue 16): each sees the
other's votes move the groups within the freshness aim (5 s), without reloading, and neither
page ever holds the other's position."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

pytestmark = pytest.mark.browser

N_STATEMENTS = 10
FRESHNESS_AIM_MS = 5_000


@pytest.fixture
def site(live_server: Any, transactional_db: None, settings: Any) -> tuple[str, Any]:
    from cityforum.people.models import User
    from cityforum.programme.models import Consultation
    from cityforum.programme.seed import load_programme
    from cityforum.statements import services
    from cityforum.statements.models import VotingSettings
    from cityforum.synthesis.opinion import live

    settings.CITYFORUM_LIVE_MAP_MIN_INTERVAL = 0
    settings.CITYFORUM_LIVE_MAP_MAX_SHARE = 1  # no rest after an update: each vote updates
    live.reset_process_state()
    load_programme()
    consultation = Consultation.objects.get(slug="regional-africa")
    consultation.status = "open"
    consultation.save()
    VotingSettings.objects.create(consultation=consultation, allow_anonymous=True)
    organiser = User.objects.create_user("o@example.org", "a-long-pass-phrase", role="organiser")
    ids = [
        services.add_statement(consultation, f"Statement number {i}.", by=organiser).pk
        for i in range(N_STATEMENTS)
    ]
    for n in range(6):  # two camps of six already voted
        for camp in (0, 1):
            for i, sid in enumerate(ids):
                services.cast_vote(
                    consultation, sid, choice(i, camp), session_key=f"seed-{camp}-{n}"
                )
    live.set_live_map(consultation, True, by=organiser)
    yield str(live_server.url), consultation
    live.reset_process_state()


def choice(i: int, camp: int) -> int:
    return 1 if (i < N_STATEMENTS // 2) == (camp == 0) else -1


def vote_all(page: Any, camp: int) -> None:
    labels = {1: "Agree", -1: "Disagree"}
    for _ in range(N_STATEMENTS):
        text = page.locator("blockquote.statement").inner_text()
        i = int(re.search(r"number (\d+)", text)[1])
        page.get_by_role("button", name=labels[choice(i, camp)], exact=True).click()
        page.locator(".progress").filter(has_not_text=f"{i + 1} of").first.wait_for()
    page.locator(".progress", has_text="You have voted on all").wait_for()


def participants_shown(page: Any, n: int) -> Any:
    return page.locator("#live-map .lead", has_text=f"{n} participants")


def test_two_participants_see_each_other_move_the_groups_but_not_each_others_place(
    browser: Any, site: tuple[str, Any]
) -> None:
    url, consultation = site
    contexts = [browser.new_context(locale="en-GB") for _ in range(2)]
    first, second = (context.new_page() for context in contexts)
    try:
        for page in (first, second):
            page.goto(f"{url}/en/vote/{consultation.slug}/")
            assert "Vote on 7 more statements" in page.locator("#live-map").inner_text()
        vote_all(first, camp=0)
        participants_shown(first, 13).wait_for(timeout=FRESHNESS_AIM_MS)
        # The second page was not reloaded: its polling brings the first one's votes.
        second.locator("#live-map", has_text="Vote on 7 more statements").wait_for()
        started = time.monotonic()
        vote_all(second, camp=1)
        participants_shown(second, 14).wait_for(timeout=FRESHNESS_AIM_MS)
        # The first participant sees the second's votes arrive without reloading.
        participants_shown(first, 14).wait_for(timeout=FRESHNESS_AIM_MS)
        assert time.monotonic() - started < 60
        sizes = first.locator("#live-map table.live-groups tbody").inner_text()
        assert "7 (50 %)" in sizes  # each camp grew by one
        assert first.locator("#live-map desc").count() == 1  # the picture's text alternative

        from cityforum.statements.models import Voter
        from cityforum.synthesis.opinion import live

        update = live.latest_live_update(consultation)[1]
        newest = Voter.objects.order_by("-pk")[:2]
        for page, other in ((second, newest[1]), (first, newest[0])):
            html = page.content()
            x, y, _group = live.position_of(update, other.public_id)
            assert str(other.public_id) not in html
            assert repr(x) not in html and repr(y) not in html
            assert "You are in group" in page.locator("#live-map figcaption").inner_text()
    finally:
        for context in contexts:
            context.close()
