"""In Chromium, the whole flow of a recommendation: an organiser promotes a participant's
contribution, links evidence, puts it to consultation; local governments, civil society and
partners of three world sections endorse it; the organiser adopts it; it is then counted in
the balance matrix and printed in the G20 brief's PDF. And the pages pass axe-core with no
serious or critical violation in French, English and Spanish."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
AXE_RUN = """async () => {
  const r = await axe.run(document, {runOnly: {type: 'tag',
    values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
  return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
                     .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '));
}"""
BODY = "Los gobiernos nacionales deben transferir recursos a las ciudades intermedias."


@pytest.fixture
def forum(live_server: object, transactional_db: None) -> dict[str, Any]:
    """The programme, organisations in three world sections, contributions from each (the
    sections that took part) and a participant's contribution of type recommendation."""
    from cityforum.cities.models import Country
    from cityforum.participation.models import Contribution
    from cityforum.people.models import Organisation, User
    from cityforum.programme.models import Capital, Consultation, Region
    from cityforum.programme.seed import load_programme

    load_programme()
    consultation = Consultation.objects.get(slug="local-democracy")
    consultation.status = "open"
    consultation.save(update_fields=["status"])
    organisations = {}
    for code, iso, kind in (
        ("africa", "SN", "local_government"),
        ("latam", "BR", "civil_society"),
        ("aspac", "IN", "partner"),
    ):
        region = Region.objects.get(code=code)
        country = Country.objects.create(iso2=iso, name=iso, section=region)
        organisations[code] = Organisation.objects.create(
            name=f"Org {code}", kind=kind, country=country, verified=True
        )
        writer = User.objects.create_user(f"writer-{code}@example.org", "a-long-pass-phrase")
        Contribution.objects.create(
            consultation=consultation,
            author=writer,
            region=region,
            type="proposal",
            title=f"Idea from {code}",
            body="Participatory budgets for every intermediary city.",
            language="en",
        )
    author = User.objects.create_user("autora@example.org", "a-long-pass-phrase")
    proposal = Contribution.objects.create(
        consultation=consultation,
        author=author,
        region=Region.objects.get(code="latam"),
        type="recommendation",
        title="Recursos para las ciudades intermedias",
        body=BODY,
        language="es",
    )
    proposal.capitals.set(Capital.objects.filter(code="economic"))
    return {
        "url": str(live_server.url),  # type: ignore[attr-defined]
        "organisations": organisations,
        "proposal": proposal,
        "author": author,
    }


def sign_in_as(page: Any, site: str, email: str, **extra: Any) -> Any:
    from cityforum.people.models import User

    user = User.objects.create_user(email, "a-long-pass-phrase", **extra)
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.clear_cookies()
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": site}])
    return user


def test_promote_link_endorse_adopt_then_balance_and_brief(
    page: Any, forum: dict[str, Any], tmp_path: Path
) -> None:
    from cityforum.recommendations.models import Recommendation

    site = forum["url"]
    proposal = forum["proposal"]

    # An organiser promotes the participant's contribution.
    sign_in_as(page, site, "organiser@example.org", role="organiser")
    page.goto(f"{site}/en/recommendations/promote/{proposal.pk}/")
    page.check("input[name=line][value=financing]")
    page.select_option("select[name=addressee]", "global")
    page.select_option("select[name=pact_component]", "people")
    page.get_by_role("button", name="Promote").click()
    page.get_by_text("The contribution is now a recommendation").wait_for()
    recommendation = Recommendation.objects.get()
    assert recommendation.author == forum["author"]
    detail = f"{site}/en/recommendations/{recommendation.pk}/"
    assert page.url == detail

    # Consulting without evidence is refused, with a clear message.
    page.select_option("select[name=status]", "consulted")
    page.fill("input[name=reason]", "Put to the world sections.")
    page.get_by_role("button", name="Change the status").click()
    page.get_by_text("needs at least one piece of evidence").wait_for()

    # Evidence linked: the contribution, quoted in Spanish.
    page.select_option("select[name=kind]", "contribution")
    page.fill("input[name=source]", str(proposal.pk))
    page.get_by_role("button", name="Link the evidence").click()
    page.get_by_text("The evidence is linked.").wait_for()
    assert page.locator('#evidence blockquote[lang="es"]').inner_text().strip() == BODY

    page.select_option("select[name=status]", "consulted")
    page.fill("input[name=reason]", "Put to the world sections.")
    page.get_by_role("button", name="Change the status").click()
    page.get_by_text("The status is changed.").wait_for()

    # Endorsed from three world sections.
    for section in ("africa", "latam", "aspac"):
        sign_in_as(
            page, site, f"{section}@example.org", organisation=forum["organisations"][section]
        )
        page.goto(detail)
        page.get_by_role("button", name="Endorse", exact=True).click()
        page.get_by_text("You endorse this recommendation.").wait_for()
    assert "backed across regions" in page.locator("#support").inner_text()
    assert "endorsed from 3 of the 3 world sections" in page.locator("#support").inner_text()

    # Adopted by the organiser, with a public reason shown in the history.
    sign_in_as(page, site, "organiser2@example.org", role="organiser")
    page.goto(detail)
    page.select_option("select[name=status]", "adopted")
    page.fill("input[name=reason]", "Adopted in plenary.")
    page.get_by_role("button", name="Change the status").click()
    page.get_by_text("The status is changed.").wait_for()
    assert "Adopted in plenary." in page.locator("#status").inner_text()

    # Counted in the balance matrix: economic × financing.
    page.goto(f"{site}/en/recommendations/balance/")
    rows = page.locator("table.balance-by-line tbody tr")
    economic = rows.filter(has_text="Economic")
    cells = economic.locator("td").all_inner_texts()
    assert cells == ["0", "1", "0", "0"]
    assert "Balance index over the capitals" in page.inner_text("main")

    # And in the G20 brief's PDF.
    answer = page.request.get(f"{site}/en/reports/brief/?format=pdf")
    assert answer.ok and answer.headers["content-type"].startswith("application/pdf")
    pdf = tmp_path / "brief.pdf"
    pdf.write_bytes(answer.body())
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) is not installed"
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "transferir recursos" in " ".join(text.split())


def test_the_pages_pass_axe_in_three_languages(browser: Any, forum: dict[str, Any]) -> None:
    from cityforum.people.models import User
    from cityforum.recommendations import services

    site = forum["url"]
    organiser = User.objects.create_user("org@example.org", "a-long-pass-phrase", role="organiser")
    recommendation = services.promote_contribution(
        forum["proposal"],
        by=organiser,
        line="financing",
        addressee="global",
        pact_component="people",
    )
    services.link_evidence(recommendation, "contribution", forum["proposal"].pk, by=organiser)
    services.change_status(recommendation, "consulted", by=organiser, reason="Put to sections.")
    client = Client()
    client.force_login(organiser)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context = browser.new_context(bypass_csp=True)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": site}])
    page = context.new_page()
    found = {}
    try:
        for language in ("fr", "en", "es"):
            for path in ("", f"{recommendation.pk}/", "balance/", "new/"):
                page.goto(f"{site}/{language}/recommendations/{path}")
                page.add_script_tag(path=str(AXE))
                violations = page.evaluate(AXE_RUN)
                if violations:
                    found[f"{language}/{path}"] = violations
    finally:
        context.close()
    assert found == {}


def test_the_line_is_suggested_while_writing(page: Any, forum: dict[str, Any]) -> None:
    site = forum["url"]
    sign_in_as(page, site, "drafter@example.org", role="moderator")
    page.goto(f"{site}/en/recommendations/new/")
    slot = page.locator("#transformation-suggestions")
    page.fill(
        "textarea[name=text]",
        "Create a dedicated fund and grants so that intermediary cities finance infrastructure.",
    )
    slot.locator(".line-financing").wait_for(timeout=10_000)
    assert "Suggested line of transformation:" in slot.inner_text()
