"""Every main page, in French, English and Spanish, passes axe-core's WCAG 2.1 A and AA rules
with no serious or critical violation, and every chart has a text alternative.

axe-core (pinned in ``package.json``, installed by ``make install`` with ``npm ci``) is injected
into Debian's Chromium with Playwright. The site's Content-Security-Policy forbids inline
scripts, and Playwright injects a file as an inline ``<script>``: the browser contexts of this
module's sweep, and only those, are opened with ``bypass_csp=True``. Every other browser test
keeps the CSP.

The pages hold realistic content made through the services: the programme, an open regional
consultation with statements, votes, an opinion map, contributions with comments and
endorsements, an approved synthesis of themes, the Code of Conduct with an accepted and a
pending amendment, a small city registry with an assessed city and a project.

Set ``CITYFORUM_A11Y_REPORT`` to a file name to write the figures (violations by impact and
rule, per page and language) as JSON: ``docs/accessibility.md`` quotes them.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
LANGUAGES = ("fr", "en", "es")
#: WCAG 2.1 A and AA, and axe's best practices (landmarks, heading order, …), reported too.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = {"serious", "critical"}
PASSWORD = "a-long-pass-phrase"
PARTICIPANT, ORGANISER = "amina@example.org", "organiser@example.org"
CITY = 2553455  # Chefchaouen: assessed, with neighbours on its map


@dataclass(frozen=True)
class Site:
    url: str
    cookies: dict[str, str]  # e-mail → session cookie
    ids: dict[str, Any]


# --- content ----------------------------------------------------------------------------------

STATEMENTS = [
    ("fr", "La ville doit garantir l'eau potable dans chaque quartier."),
    ("fr", "Les budgets participatifs devraient être obligatoires."),
    ("en", "Intermediary cities need their own seat in national planning."),
    ("en", "Public transport should be free for young people."),
    ("es", "Los mercados locales son el corazón de la economía urbana."),
    ("es", "El turismo debe pagar una tasa para financiar la vivienda."),
    ("fr", "Les langues locales ont leur place à l'école."),
    ("en", "Every new building should collect rainwater."),
]


def _votes(consultation: Any) -> None:
    """Forty anonymous voters in two camps that disagree on the first half of the statements
    and mostly agree on the rest, some passing: enough for the opinion map to find groups."""
    from cityforum.statements.models import Statement
    from cityforum.statements.services import cast_vote

    statements = list(Statement.objects.filter(consultation=consultation).order_by("pk"))
    for i in range(40):
        camp = 1 if i % 2 else -1
        for j, statement in enumerate(statements):
            if (i + j) % 9 == 0:
                value = 0
            elif j < len(statements) // 2:
                value = camp
            else:
                value = 1 if (i + j) % 5 else -1
            cast_vote(consultation, statement.pk, value, session_key=f"voter-{i}")


def _themes_corpus(author: Any) -> None:
    """The multilingual corpus the synthesis tests use (60 contributions, three regions)."""
    import itertools

    from cityforum.participation.models import Contribution
    from cityforum.programme.models import Consultation
    from tests.synthesis.test_themes_runs import REGIONS, SENTENCES, _text

    made = []
    for slug, (languages, topics, per_topic) in REGIONS.items():
        consultation = Consultation.objects.select_related("region").get(slug=slug)
        cycle = itertools.cycle(languages)
        for topic in topics:
            for n in range(per_topic):
                language = next(cycle)
                made.append(
                    Contribution(
                        consultation=consultation,
                        author=author,
                        region=consultation.region,
                        type="proposal",
                        title=SENTENCES[language][topic][n % 4][:60],
                        body=_text(language, topic, n),
                        language=language,
                    )
                )
    Contribution.objects.bulk_create(made)


def _cities(organiser: Any) -> dict[str, Any]:
    """A few Moroccan places and Monaco (as the assessments tests make them), Chefchaouen
    assessed, and a project's self-assessment."""
    from cityforum.assessments import services
    from cityforum.assessments.seed import load_indicators
    from cityforum.cities.models import City, Country
    from cityforum.cities.roles import compute_roles
    from cityforum.cities.search import search_key
    from cityforum.programme.models import Region
    from tests.assessments.conftest import PLACES, all_capitals, profile, values_for

    load_indicators()
    africa, europe = Region.objects.get(code="africa"), Region.objects.get(code="europe")
    Country.objects.create(iso2="MA", name="Morocco", population=36_000_000, section=africa)
    Country.objects.create(iso2="MC", name="Monaco", population=39_000, section=europe)
    for gid, name, country, lat, lon, pop in PLACES:
        City.objects.create(
            geonameid=gid,
            name=name,
            search_name=search_key(name),
            country_id=country,
            latitude=lat,
            longitude=lon,
            population=pop,
        )
    compute_roles()
    city = City.objects.get(geonameid=CITY)
    services.assess_city(city, 2023, values_for(profile(60, 55, 50, 45, 40)), by=organiser)
    services.assess_city(city, 2024, values_for(profile(70, 65, 60, 55, 50)), by=organiser)
    project = services.assess_project(
        "Water kiosks", 2024, all_capitals(3), by=organiser, city=city, budget="120000"
    )
    return {"project": project.pk}


def seed() -> dict[str, Any]:
    """Realistic content on every main page; returns the ids the page addresses need."""
    from cityforum.drafting import services as drafting
    from cityforum.drafting.seed import load_code_of_conduct
    from cityforum.participation import services as participation
    from cityforum.people.models import User
    from cityforum.programme.models import Consultation
    from cityforum.programme.seed import load_programme
    from cityforum.statements import services as statements
    from cityforum.statements.models import VotingSettings
    from cityforum.synthesis.opinion.services import run_opinion_map
    from cityforum.synthesis.themes.services import approve_themes, run_themes

    load_programme()
    Consultation.objects.filter(
        slug__in=["regional-africa", "regional-latam", "regional-aspac"]
    ).update(status="open")
    africa = Consultation.objects.get(slug="regional-africa")
    VotingSettings.objects.create(consultation=africa, allow_anonymous=True)
    organiser = User.objects.create_user(
        "organiser@example.org", PASSWORD, role="organiser", display_name="Organiser"
    )
    amina = User.objects.create_user(
        "amina@example.org", PASSWORD, role="participant", display_name="Amina"
    )
    amina.email_verified_at = timezone.now()
    amina.save(update_fields=["email_verified_at"])
    kofi = User.objects.create_user(
        "kofi@example.org", PASSWORD, role="participant", display_name="Kofi"
    )

    for language, text in STATEMENTS:
        statements.add_statement(africa, text, by=organiser, language=language)
    _votes(africa)
    run_opinion_map(africa, by=organiser)

    _themes_corpus(kofi)
    contribution = participation.contribute(
        africa,
        kofi,
        type="proposal",
        title="De l'eau potable pour chaque quartier",
        body="La ville doit amener l'*eau potable* dans chaque quartier avant 2030.\n\n"
        "- des bornes-fontaines\n- une régie publique",
        language="fr",
        capitals=["environmental", "social"],
    )
    participation.endorse(contribution, amina)
    first = participation.comment(contribution, amina, "Et l'assainissement ?")
    participation.comment(contribution, kofi, "Oui, les deux ensemble.", parent=first)
    participation.report(amina, contribution, "Hors sujet ?")
    statements.add_statement(africa, "Les marchés doivent ouvrir le soir.", by=amina)  # pending
    approve_themes(run_themes(None, by=organiser, n_themes=4), by=organiser)
    latam = Consultation.objects.get(slug="regional-latam")
    under_review = run_themes(latam, by=organiser, n_themes=3)  # pending approval

    document = load_code_of_conduct()
    Consultation.objects.filter(pk=document.consultation_id).update(status="open")
    document.refresh_from_db()
    article = document.articles.get(number=2)
    accepted = drafting.propose_amendment(
        document,
        article,
        by=kofi,
        kind="modify",
        language="fr",
        text=article.text_in("fr") + " Les jeunes y sont associés en premier.",
        rationale="Nommer la jeunesse.",
    )
    drafting.accept_amendment(accepted, by=organiser, reason="Accepted: the youth are named.")
    article.refresh_from_db()
    pending = drafting.propose_amendment(
        document,
        article,
        by=kofi,
        kind="modify",
        language="fr",
        text=article.text_in("fr") + " Les femmes aussi.",
        rationale="Nommer les femmes.",
    )
    drafting.vote(pending, "agree", by=organiser)
    drafting.comment(pending, "Bonne idée.", by=organiser)
    drafting.give_opinion(article, "support", by=kofi)

    ids = _cities(organiser)
    ids.update(
        contribution=contribution.pk,
        document=document.slug,
        article=article.pk,
        amendment=pending.pk,
        review=under_review.pk,
    )
    return ids


#: (name, address) of the pages seen signed out; ``{l}`` is the language.
SIGNED_OUT = [
    ("home", "/{l}/"),
    ("sign up", "/{l}/accounts/signup/"),
    ("sign in", "/{l}/accounts/login/"),
    ("vote, signed out", "/{l}/vote/regional-africa/"),
    ("drafting article, signed out", "/{l}/drafting/{document}/articles/{article}/"),
    ("not found", "/{l}/no-such-page/"),
]

#: The pages a participant sees (she may vote, contribute, endorse, comment, amend).
PARTICIPANT_PAGES = [
    ("home, signed in", "/{l}/"),
    ("consultation", "/{l}/consultations/regional-africa/"),
    ("capital", "/{l}/capitals/social/"),
    ("region", "/{l}/regions/africa/"),
    ("contributions", "/{l}/participate/consultations/regional-africa/"),
    ("contribution", "/{l}/participate/contributions/{contribution}/"),
    ("contribute", "/{l}/participate/consultations/regional-africa/contribute/"),
    ("vote", "/{l}/vote/regional-africa/"),
    ("opinion map", "/{l}/synthesis/regional-africa/opinion/"),
    ("themes", "/{l}/synthesis/themes/"),
    ("consultation themes", "/{l}/synthesis/regional-africa/themes/"),
    ("drafting document", "/{l}/drafting/{document}/"),
    ("drafting article", "/{l}/drafting/{document}/articles/{article}/"),
    ("amendment", "/{l}/drafting/amendments/{amendment}/"),
    ("versions", "/{l}/drafting/{document}/versions/"),
    ("compare versions", "/{l}/drafting/{document}/compare/?from=1&to=2"),
    ("signatories", "/{l}/drafting/{document}/signatories/"),
    ("cities search", "/{l}/cities/?q=ch"),
    ("world", "/{l}/cities/world/"),
    ("section", "/{l}/cities/sections/africa/"),
    ("city", "/{l}/cities/" + str(CITY) + "/"),
    ("compare cities", "/{l}/cities/compare/?city=" + str(CITY)),
    ("assessments", "/{l}/assessments/"),
    ("project assessment", "/{l}/assessments/{project}/"),
    ("profile", "/{l}/accounts/profile/"),
    ("my data", "/{l}/accounts/profile/data/"),
]

#: The back-office pages an organiser sees (moderation, review, decisions, imports).
ORGANISER_PAGES = [
    ("moderation queue", "/{l}/participate/moderation/"),
    ("contribution, organiser", "/{l}/participate/contributions/{contribution}/"),
    ("statement moderation", "/{l}/vote/regional-africa/moderation/"),
    ("themes, organiser", "/{l}/synthesis/themes/"),
    ("themes review", "/{l}/synthesis/themes/{review}/review/"),
    ("capitals review", "/{l}/synthesis/regional-africa/capitals/"),
    ("amendment, organiser", "/{l}/drafting/amendments/{amendment}/"),
    ("new project", "/{l}/assessments/projects/new/"),
    ("new agenda", "/{l}/assessments/agendas/new/"),
    ("import values", "/{l}/assessments/import/"),
]

#: Who looks (the e-mail of a signed-in person, or None), and at which pages.
AUDIENCES: list[tuple[str | None, list[tuple[str, str]]]] = [
    (None, SIGNED_OUT),
    (PARTICIPANT, PARTICIPANT_PAGES),
    (ORGANISER, ORGANISER_PAGES),
]
N_PAGES = sum(len(pages) for _who, pages in AUDIENCES)

#: axe's result for one page: the rules violated, and those it could not decide ("incomplete",
#: to review by hand: e.g. the contrast of text drawn over an SVG figure).
AXE_RUN = """async (tags) => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                     resultTypes: ['violations', 'incomplete']});
  const brief = (list) => list.map(v => ({
    id: v.id, impact: v.impact, help: v.help, count: v.nodes.length,
    nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
  return {violations: brief(r.violations), incomplete: brief(r.incomplete)};
}"""


#: For every ``<svg>`` of the page: how it is offered to assistive technology, and what fails.
#: - ``role="img"`` (a chart): a non-empty name (aria-labelledby, aria-label or <title>);
#: - ``role="group"`` (a map whose dots are links): a name, and a name on every link;
#: - hidden (``aria-hidden="true"`` on it or above it: a legend sample, a swatch, a bar): the
#:   element it sits in says the same in text (a table cell, a legend's label).
SVG_CHECK = """() => {
  const text = (el) => {
    const copy = el.cloneNode(true);
    copy.querySelectorAll('svg').forEach(s => s.remove());
    return copy.textContent.replace(/\\s+/g, ' ').trim();
  };
  const nameOf = (el) => {
    const ids = (el.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean);
    const labelled = ids.map(id => document.getElementById(id))
                        .map(r => r ? r.textContent.trim() : '').join(' ').trim();
    const title = Array.from(el.children).find(c => c.tagName.toLowerCase() === 'title');
    return labelled || (el.getAttribute('aria-label') || '').trim()
           || (title ? title.textContent.trim() : '');
  };
  return Array.from(document.querySelectorAll('svg')).map(svg => {
    const role = svg.getAttribute('role');
    const hidden = svg.closest('[aria-hidden="true"]') !== null;
    let problem = null;
    if (hidden) {
      if (!text(svg.parentElement)) problem = 'hidden, with no text beside it';
    } else if (role === 'img') {
      if (!nameOf(svg)) problem = 'an image with no name';
    } else if (role === 'group') {
      if (!nameOf(svg)) problem = 'a group with no name';
      else if (Array.from(svg.querySelectorAll('a')).some(a => !nameOf(a)))
        problem = 'a link with no name';
    } else {
      problem = 'neither an image, a named group, nor hidden';
    }
    return {id: svg.id, kind: hidden ? 'hidden' : role, problem: problem,
            html: svg.outerHTML.slice(0, 160)};
  });
}"""

#: The pages that draw charts: a radar, maps, the heat map of themes.
CHART_PAGES = {"city", "compare cities", "project assessment", "opinion map", "themes"}


@dataclass(frozen=True)
class Sweep:
    """What one visit of every page in every language found: ``{language: {page: …}}``."""

    axe: dict[str, dict[str, Any]]
    svgs: dict[str, dict[str, list[dict[str, Any]]]]


def session_cookie(email: str) -> str:
    from cityforum.people.models import User

    client = Client()
    client.force_login(User.objects.get(email=email))
    return str(client.cookies[settings.SESSION_COOKIE_NAME].value)


def visit(page: Any, url: str, status: int = 200) -> None:
    """Open ``url``, expect ``status``, and wait for htmx's requests made on load (the capital
    suggestions of the contribution form) to finish."""
    response = page.goto(url)
    assert response is not None and response.status == status, f"{url}: {response.status}"
    page.wait_for_function("!document.querySelector('.htmx-request')")


def pages(browser: Any, site: Site) -> Iterator[tuple[str, str, Any]]:
    """Open every page in every language, one browser context per language (with the CSP
    bypassed, for axe); yields (language, page name, Playwright page) once it has loaded."""
    for language in LANGUAGES:
        context = browser.new_context(locale=language, bypass_csp=True)
        page = context.new_page()
        for who, addresses in AUDIENCES:
            context.clear_cookies()
            if who:
                cookie = {"name": settings.SESSION_COOKIE_NAME, "value": site.cookies[who]}
                context.add_cookies([{**cookie, "url": site.url}])
            for name, address in addresses:
                status = 404 if name == "not found" else 200
                visit(page, site.url + address.format(l=language, **site.ids), status)
                assert page.locator("html").get_attribute("lang") == language, name
                yield language, name, page
        context.close()


@pytest.fixture(scope="module")
def sweep(
    browser: Any, live_server: Any, django_db_setup: None, django_db_blocker: Any
) -> Iterator[Sweep]:
    """Seed once, visit each page once per language for both checks (axe, then the SVGs),
    and empty the database afterwards as a transactional test does: seeding and visiting
    twice would take the browser suite past three minutes on two cores."""
    from django.core.management import call_command

    assert AXE.is_file(), f"axe-core is not installed at {AXE}: run `make install`."
    with django_db_blocker.unblock():
        try:
            ids = seed()
            cookies = {email: session_cookie(email) for email in (PARTICIPANT, ORGANISER)}
            site = Site(str(live_server.url), cookies, ids)
            found = Sweep({language: {} for language in LANGUAGES}, {})
            for language, name, page in pages(browser, site):
                found.svgs.setdefault(language, {})[name] = page.evaluate(SVG_CHECK)
                page.add_script_tag(path=str(AXE))
                found.axe[language][name] = page.evaluate(AXE_RUN, AXE_TAGS)
        finally:
            call_command("flush", interactive=False, verbosity=0)
    yield found


def figures(found: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Counts by impact: rule violations (one per rule and page), failing elements, and the
    checks axe left to review by hand."""
    counts: dict[str, Counter[str]] = {
        "violations": Counter(),
        "elements": Counter(),
        "incomplete": Counter(),
        "by_rule": Counter(),
    }
    for results in found.values():
        for result in results.values():
            for v in result["violations"]:
                counts["violations"][v["impact"]] += 1
                counts["elements"][v["impact"]] += v["count"]
                counts["by_rule"][f"{v['id']} ({v['impact']})"] += 1
            for v in result["incomplete"]:
                counts["incomplete"][f"{v['id']} ({v['impact']})"] += v["count"]
    return {
        "pages": N_PAGES,
        "languages": len(found),
        "axe_core": json.loads((AXE.parent / "package.json").read_text())["version"],
        **{key: dict(value) for key, value in counts.items()},
    }


@pytest.mark.browser
def test_no_main_page_has_a_serious_or_critical_violation_in_any_language(sweep: Sweep) -> None:
    report = os.environ.get("CITYFORUM_A11Y_REPORT")
    if report:
        data = {"figures": figures(sweep.axe), "pages": sweep.axe}
        Path(report).write_text(json.dumps(data, indent=1))
    assert [len(results) for results in sweep.axe.values()] == [N_PAGES] * len(LANGUAGES)
    blocking = [
        f"{language} · {name}: {v['id']} ({v['impact']}) {v['help']} → {v['nodes']}"
        for language, results in sweep.axe.items()
        for name, result in results.items()
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]
    assert not blocking, "\n".join(blocking)


@pytest.mark.browser
def test_every_chart_has_a_text_alternative_in_every_language(sweep: Sweep) -> None:
    problems, charts = [], set()
    for language, results in sweep.svgs.items():
        for name, svgs in results.items():
            for svg in svgs:
                if svg["problem"]:
                    problems.append(f"{language} · {name}: {svg['problem']}: {svg['html']}")
                elif svg["kind"] in ("img", "group"):
                    charts.add(name)
    assert not problems, "\n".join(problems)
    assert charts >= CHART_PAGES  # the check saw the charts it is about


@pytest.mark.browser
def test_the_chart_check_finds_each_kind_of_missing_alternative(page: Any) -> None:
    """The check above, on SVGs made to fail it (and on the good forms): it can fail."""
    page.set_content(
        """<main>
        <svg id="bare"><circle r="3"/></svg>
        <svg id="unnamed" role="img"><circle r="3"/></svg>
        <svg id="chart" role="img" aria-labelledby="t"><title id="t">Scores</title></svg>
        <p><svg id="alone" aria-hidden="true"></svg></p>
        <p><svg id="swatch" aria-hidden="true"></svg> 32 %</p>
        <svg id="map" role="group" aria-label="Map"><a href="/x"><circle r="2"/></a></svg>
        <svg id="named-map" role="group" aria-label="Map"><a href="/y"><title>Fes</title></a></svg>
        </main>"""
    )
    found = {svg["id"]: svg["problem"] for svg in page.evaluate(SVG_CHECK)}
    assert found == {
        "bare": "neither an image, a named group, nor hidden",
        "unnamed": "an image with no name",
        "chart": None,
        "alone": "hidden, with no text beside it",
        "swatch": None,
        "map": "a link with no name",
        "named-map": None,
    }


def contrast(one: tuple[float, float, float], other: tuple[float, float, float]) -> float:
    """WCAG 2.1 contrast ratio of two sRGB colours (channels 0–1)."""

    def luminance(rgb: tuple[float, float, float]) -> float:
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def rgb(css: str) -> tuple[float, float, float]:
    """``#rrggbb`` or ``hsl(h, s%, l%)`` as sRGB channels 0–1."""
    import colorsys
    import re

    if css.startswith("#"):
        return tuple(int(css[i : i + 2], 16) / 255 for i in (1, 3, 5))  # type: ignore[return-value]
    h, s, lightness = (float(n) for n in re.findall(r"[\d.]+", css))
    return colorsys.hls_to_rgb(h / 360, lightness / 100, s / 100)


def test_the_numbers_on_the_heat_map_are_readable_on_every_shade() -> None:
    """axe cannot tell the colour behind SVG text (it lists it "to review"): the heat map's
    number in each cell must reach 4.5:1 on the cell's blue, whatever the share."""
    from cityforum.synthesis.themes.heatmap import heat_map

    themes = [
        {"id": n, "prevalence": {"africa": {"count": n, "total": 100, "share": n / 100}}}
        for n in range(101)
    ]
    cells = [row["cells"][0] for row in heat_map(themes, {}, {"africa": "Africa"})["rows"]]
    ratios = {(c["fill"], c["ink"]): contrast(rgb(c["fill"]), rgb(c["ink"])) for c in cells}
    assert len(ratios) > 40  # many shades, both inks
    assert {ink for _fill, ink in ratios} == {"#ffffff", "#000000"}
    too_low = {pair: round(r, 2) for pair, r in ratios.items() if r < 4.5}
    assert not too_low
