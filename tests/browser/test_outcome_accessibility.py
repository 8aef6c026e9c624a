"""In Chromium, the G20 brief's page and the forum report with its recommendations chapter pass
axe-core with no serious or critical violation, in French, English and Spanish; and the brief
reads without JavaScript."""

from __future__ import annotations

from typing import Any

import pytest

from .test_recommendations import AXE, AXE_RUN, BODY
from .test_recommendations import forum as forum  # noqa: F401  (the same seeded forum)

pytestmark = pytest.mark.browser


@pytest.fixture
def adopted(forum: dict[str, Any]) -> Any:  # noqa: F811
    """The participant's recommendation promoted, evidenced, endorsed from two sections and
    adopted for the G20."""
    from cityforum.people.models import User
    from cityforum.recommendations import services

    organiser = User.objects.create_user("org@example.org", "a-long-pass-phrase", role="organiser")
    recommendation = services.promote_contribution(
        forum["proposal"],
        by=organiser,
        line="financing",
        addressee="global",
        pact_component="people",
    )
    services.link_evidence(recommendation, "contribution", forum["proposal"].pk, by=organiser)
    for status in ("consulted", "adopted"):
        services.change_status(recommendation, status, by=organiser, reason="Plenary vote.")
    for code in ("africa", "latam"):
        member = User.objects.create_user(
            f"member-{code}@example.org",
            "a-long-pass-phrase",
            organisation=forum["organisations"][code],
        )
        services.endorse(recommendation, by=member)
    return recommendation


def test_the_brief_and_the_report_pass_axe_in_three_languages(
    browser: Any,
    forum: dict[str, Any],  # noqa: F811
    adopted: Any,
) -> None:
    site = forum["url"]
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    found = {}
    try:
        for language in ("fr", "en", "es"):
            for path in ("reports/brief/", "reports/forum/"):
                page.goto(f"{site}/{language}/{path}")
                assert " ".join(BODY.split()[:4]) in page.inner_text("main")
                page.add_script_tag(path=str(AXE))
                violations = page.evaluate(AXE_RUN)
                if violations:
                    found[f"{language}/{path}"] = violations
    finally:
        context.close()
    assert found == {}


def test_the_brief_reads_without_javascript(
    browser: Any,
    forum: dict[str, Any],  # noqa: F811
    adopted: Any,
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{forum['url']}/en/reports/brief/")
        text = page.inner_text("main")
    finally:
        context.close()
    assert "Intermediary cities: recommendations to the G20" in text
    # Two of the three sections that took part: ⌈2·3/3⌉ = 2, backed across regions.
    assert "from 2 of the 3 world sections that took part — backed across regions" in text
