"""The demo, seen by a visitor in Chromium: the small slice is built (the same steps as
``make demo``), then every link reachable from the home page is followed in French, English
and Spanish. The crawl fails on any error status, on any page that says there is nothing yet
where the demo put something, on any page without the demo banner, and on any serious or
critical axe violation; it takes screenshots of the key pages.

Limits, to stay near two minutes on two shared cores: only same-origin GET links in the
page's language are followed (forms, the API, the back office and downloads are not: a
download is not a page); at most ``PER_PATTERN`` addresses per pattern (an address with its
numbers, consultation slugs, region and capital codes replaced, so the cities of a section or
the vote pages of ten consultations count as one) and ``MAX_PAGES`` per language; the pages
the demo filled are visited first, up to ``PER_FILLED_PATTERN`` per pattern; axe runs once
per pattern and language.

``CITYFORUM_DEMO_SCREENSHOTS=docs/screenshots`` (``make demo-screenshots``) writes the
screenshots there for the README; otherwise they go to a temporary folder.
"""

from __future__ import annotations

import os
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest
from django.test import override_settings
from django.utils import translation

from tests.browser.test_accessibility import AXE, AXE_RUN, AXE_TAGS, BLOCKING
from tests.demo.test_builder import build_small_demo

LANGUAGES = ("fr", "en", "es")
MAX_PAGES = 36
PER_PATTERN = 2
#: Pages the demo filled (themes, opinion maps, contributions, votes) are visited first, and
#: more of them per pattern.
PER_FILLED_PATTERN = 4
#: Not pages: files to download, exports, the API (its own tests), the back office, sign-out.
SKIP = re.compile(
    r"(/api/|/admin/|/logout/|/opendata/.+|/export|/download|\.(csv|json|pdf|zip|md|xlsx)$"
    r"|[?&]format=)"
)
#: Key pages for the README (path after the language, file name).
SCREENSHOTS = (
    ("", "home"),
    ("demo/about/", "about"),
    ("synthesis/regional-aspac/opinion/", "opinion-map"),
    ("synthesis/themes/", "themes"),
    ("participate/consultations/regional-africa/", "contributions"),
    ("drafting/code-of-conduct-for-resilience/", "code-of-conduct"),
    ("cities/world/", "cities-world"),
    ("reports/forum/", "forum-report"),
    ("recommendations/", "recommendations"),
    ("reports/brief/", "g20-brief"),
)


@dataclass
class Crawl:
    visited: dict[str, list[str]] = field(default_factory=dict)  # language → addresses
    #: language → how many visited pages had a "nothing yet" message to look for.
    checked: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)
    no_banner: list[str] = field(default_factory=list)
    axe: list[str] = field(default_factory=list)
    screenshots: list[Path] = field(default_factory=list)


def slugs() -> set[str]:
    """The names in addresses that stand for one of many things of a kind (consultations,
    regions, capitals, documents): an address pattern counts them as one."""
    from cityforum.drafting.models import Document
    from cityforum.programme.models import Capital, Consultation, Region

    return (
        set(Consultation.objects.values_list("slug", flat=True))
        | set(Region.objects.values_list("code", flat=True))
        | set(Capital.objects.values_list("code", flat=True))
        | set(Document.objects.values_list("slug", flat=True))
    )


def pattern(path: str, names: set[str]) -> str:
    """``/fr/vote/regional-africa/`` and ``/fr/vote/regional-latam/`` are one pattern, as are
    ``/fr/cities/2553455/`` and ``/fr/cities/2548885/``."""
    parts = urlsplit(path)
    segments = ["S" if s in names else re.sub(r"\d+", "N", s) for s in parts.path.split("/")]
    return "/".join(segments) + ("?" + re.sub(r"\d+", "N", parts.query) if parts.query else "")


def empty_states(language: str) -> list[tuple[re.Pattern[str], str]]:
    """(address, message) pairs: the "nothing yet" message each page must not show, for the
    pages the demo filled, read from the built database, in ``language``."""
    from cityforum.drafting.models import Document
    from cityforum.participation.models import Contribution
    from cityforum.recommendations.models import Recommendation
    from cityforum.synthesis.models import OpinionMapRun, ThemeRun

    with translation.override(language):
        from django.utils.translation import gettext as _

        pairs = [
            (r"synthesis/themes/", _("No synthesis of the contributions has been approved yet.")),
        ]
        for slug in OpinionMapRun.objects.values_list("consultation__slug", flat=True):
            pairs.append(
                (
                    rf"synthesis/{slug}/opinion/",
                    _("No opinion map has been computed for this consultation yet."),
                )
            )
            pairs.append((rf"vote/{slug}/", _("There are no statements to vote on yet.")))
        for slug in ThemeRun.objects.filter(approved_at__isnull=False).values_list(
            "consultation__slug", flat=True
        ):
            if slug:
                message = _(
                    "No synthesis of this consultation's contributions has been approved yet."
                )
                pairs.append((rf"synthesis/{slug}/themes/", message))
        for slug in set(Contribution.objects.values_list("consultation__slug", flat=True)):
            pairs.append((rf"participate/consultations/{slug}/", _("No contributions yet.")))
            pairs.append(
                (rf"synthesis/{slug}/themes/", _("No contribution carries a capital yet."))
            )
        document = Document.objects.get().slug
        pairs.append((rf"drafting/{document}/versions/", _("No version has been recorded yet.")))
        if Recommendation.objects.filter(status__in=["consulted", "adopted"]).exists():
            pairs += [
                (r"recommendations/", _("No recommendation matches.")),
                (r"recommendations/\d+/", _("No evidence linked yet.")),
                (
                    r"recommendations/balance/",
                    _("No consulted or adopted recommendation yet: nothing to balance."),
                ),
                (r"reports/forum/", _("The forum has no consulted or adopted recommendation yet.")),
            ]
        if Recommendation.objects.filter(status="adopted", addressee="global").exists():
            message = _("The forum has not adopted any recommendation addressed to the G20 yet.")
            pairs.append((r"reports/brief/", message))
    return [(re.compile(rf"^/{language}/{path}$"), message) for path, message in pairs]


def crawl_language(page: Any, base: str, language: str, found: Crawl) -> None:
    checks = empty_states(language)
    names = slugs()
    found.checked[language] = 0
    banner = None
    with translation.override(language):
        from django.utils.translation import gettext as _

        banner = _("Demonstration data from public consultations that were not part of this forum.")
    queue: deque[str] = deque([f"/{language}/"])
    seen = {queue[0]}
    per_pattern: dict[str, int] = {}
    axed: set[str] = set()
    visited = found.visited.setdefault(language, [])
    while queue and len(visited) < MAX_PAGES:
        path = queue.popleft()
        response = page.goto(base + path)
        visited.append(path)
        status = response.status if response else 0
        if status >= 400 or status == 0:
            found.errors.append(f"{path}: {status}")
            continue
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue
        page.wait_for_function("!document.querySelector('.htmx-request')")
        text = page.inner_text("body")
        if banner not in text:
            found.no_banner.append(path)
        applicable = [m for a, m in checks if a.match(urlsplit(path).path)]
        found.checked[language] += bool(applicable)
        found.empty += [f"{path}: “{message}”" for message in applicable if message in text]
        if pattern(path, names) not in axed:
            axed.add(pattern(path, names))
            page.add_script_tag(path=str(AXE))
            result = page.evaluate(AXE_RUN, AXE_TAGS)
            found.axe += [
                f"{path}: {v['id']} ({v['impact']}) {v['help']} → {v['nodes']}"
                for v in result["violations"]
                if v["impact"] in BLOCKING
            ]
        hrefs = page.eval_on_selector_all(
            "a[href]",  # SVG links too (maps), whose .href is not a string
            "els => els.map(e => new URL(e.getAttribute('href'), document.baseURI).href)",
        )
        for href in hrefs:
            url = urldefrag(href)[0]
            if not url.startswith(base):
                continue
            link = url[len(base) :] or "/"
            parts = urlsplit(link)
            key = pattern(link, names)
            # A consultation's page leads to its filled pages (votes, contributions, maps).
            filled = parts.path.startswith(f"/{language}/consultations/") or any(
                address.match(parts.path) for address, _message in checks
            )
            if (
                link in seen
                or SKIP.search(link)
                or not parts.path.startswith(f"/{language}/")
                or per_pattern.get(key, 0) >= (PER_FILLED_PATTERN if filled else PER_PATTERN)
            ):
                continue
            seen.add(link)
            per_pattern[key] = per_pattern.get(key, 0) + 1
            # Pages the demo filled first: the page budget is spent where the checks bite.
            if filled:
                queue.appendleft(link)
            else:
                queue.append(link)


def take_screenshots(page: Any, base: str, folder: Path, found: Crawl) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 860})
    for path, name in SCREENSHOTS:
        response = page.goto(f"{base}/en/{path}")
        assert response is not None and response.status == 200, f"/en/{path}: {response}"
        page.wait_for_function("!document.querySelector('.htmx-request')")
        target = folder / f"demo-{name}.jpg"
        page.screenshot(path=str(target), type="jpeg", quality=72)
        found.screenshots.append(target)


@pytest.fixture(scope="module")
def crawl(
    browser: Any,
    live_server: Any,
    django_db_setup: None,
    django_db_blocker: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Crawl]:
    from django.core.management import call_command

    assert AXE.is_file(), f"axe-core is not installed at {AXE}: run `make install`."
    tmp = tmp_path_factory.mktemp("demo-site")
    shots = Path(os.environ.get("CITYFORUM_DEMO_SCREENSHOTS") or tmp / "screenshots")
    found = Crawl()
    with django_db_blocker.unblock(), override_settings(CITYFORUM_DEMO=True):
        try:
            build_small_demo(tmp)
            with override_settings(
                CITYFORUM_OPENDATA_DIR=tmp / "opendata", CITYFORUM_DEMO_REPORT_DIR=tmp / "report"
            ):
                base = str(live_server.url)
                for language in LANGUAGES:
                    # axe is injected as an inline script: only this context bypasses the CSP.
                    context = browser.new_context(locale=language, bypass_csp=True)
                    crawl_language(context.new_page(), base, language, found)
                    context.close()
                context = browser.new_context(locale="en")
                take_screenshots(context.new_page(), base, shots, found)
                context.close()
        finally:
            call_command("flush", interactive=False, verbosity=0)
    yield found


@pytest.mark.browser
def test_every_page_reachable_from_home_answers_without_error(crawl: Crawl) -> None:
    assert not crawl.errors, "\n".join(crawl.errors)
    for language in LANGUAGES:
        assert len(crawl.visited[language]) >= 25, crawl.visited[language]


@pytest.mark.browser
def test_no_page_the_demo_filled_says_there_is_nothing_yet(crawl: Crawl) -> None:
    assert not crawl.empty, "\n".join(crawl.empty)
    # The check looked at pages it is about: themes, opinion maps, contributions, votes,
    # recommendations (the list, their pages, the balance) and the G20 brief.
    assert all(n >= 10 for n in crawl.checked.values()), crawl.checked
    for language, visited in crawl.visited.items():
        paths = {urlsplit(p).path for p in visited}
        for page in ("recommendations/", "recommendations/balance/", "reports/brief/"):
            assert f"/{language}/{page}" in paths, (language, page)
        assert any(re.fullmatch(rf"/{language}/recommendations/\d+/", p) for p in paths)


@pytest.mark.browser
def test_every_demo_page_carries_the_banner_in_its_language(crawl: Crawl) -> None:
    assert not crawl.no_banner, "\n".join(crawl.no_banner)


@pytest.mark.browser
def test_no_demo_page_has_a_serious_or_critical_accessibility_violation(crawl: Crawl) -> None:
    assert not crawl.axe, "\n".join(crawl.axe)


@pytest.mark.browser
def test_the_key_pages_are_photographed(crawl: Crawl) -> None:
    assert len(crawl.screenshots) == len(SCREENSHOTS)
    assert all(path.stat().st_size > 10_000 for path in crawl.screenshots)
