"""A person opens the forum in Chromium and switches language by clicking."""

from __future__ import annotations

import pytest

from cityforum.programme.seed import load_programme

pytestmark = pytest.mark.browser


@pytest.fixture
def site(live_server: object, transactional_db: None) -> str:
    load_programme()
    return str(live_server.url)  # type: ignore[attr-defined]


def test_the_home_page_opens_in_the_browser_s_language_and_switches_by_click(
    page, site: str
) -> None:
    page.goto(site + "/")
    assert page.url.endswith("/fr/")
    assert page.locator("h1").inner_text() == "2e Forum mondial des villes intermédiaires de CGLU"
    assert page.locator("#programme .card.consultation").count() == 4
    assert "30 avril 2021" in page.locator("#programme").inner_text()

    page.get_by_role("button", name="English").click()
    page.wait_for_url("**/en/")
    assert page.locator("h1").inner_text() == "UCLG 2nd World Forum of Intermediary Cities"
    assert "April 30, 2021" in page.locator("#programme").inner_text()

    page.get_by_role("button", name="Español").click()
    page.wait_for_url("**/es/")
    assert page.locator("h1").inner_text() == "2º Foro Mundial de Ciudades Intermedias de CGLU"
    # The choice is remembered: the bare address now opens in Spanish.
    page.goto(site + "/")
    assert page.url.endswith("/es/")


def test_the_language_switch_is_reachable_with_the_keyboard(page, site: str) -> None:
    page.goto(site + "/en/")
    # Tab from the top of the page until the French button has the focus, then press Enter.
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Français":
            break
    else:
        raise AssertionError("the language buttons cannot be reached with Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/fr/")
    assert page.locator("html").get_attribute("lang") == "fr"


def test_a_consultation_is_one_click_from_home(page, site: str) -> None:
    page.goto(site + "/en/")
    page.get_by_role("link", name="Intermediary cities & inequalities").click()
    page.wait_for_url("**/en/consultations/inequalities/")
    assert "Territorial justice" in page.locator("main").inner_text()
