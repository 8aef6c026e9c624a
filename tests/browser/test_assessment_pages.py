"""In Chromium: a city page draws its map and radar, and a dot of the map leads to a neighbour."""

from __future__ import annotations

import os

import pytest

from tests.assessments.conftest import PLACES, profile, values_for

pytestmark = pytest.mark.browser


@pytest.fixture
def site(live_server, transactional_db) -> str:
    from cityforum.assessments import services
    from cityforum.assessments.seed import load_indicators
    from cityforum.cities.models import City, Country
    from cityforum.cities.roles import compute_roles
    from cityforum.cities.search import search_key
    from cityforum.people.services import create_user
    from cityforum.programme.models import Region
    from cityforum.programme.seed import load_programme

    load_programme()
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
    organiser = create_user("org@example.org", "a long enough password 1", role="organiser")
    services.assess_city(
        City.objects.get(name="Chefchaouen"),
        2024,
        values_for(profile(70, 65, 60, 55, 50)),
        by=organiser,
    )
    return str(live_server.url)


def test_the_city_page_draws_its_map_and_radar(page, site) -> None:  # noqa: F811
    page.goto(site + "/en/cities/2553455/")
    assert page.locator("dd.bri").inner_text() == "59.6"
    radar = page.locator("figure.radar svg[role=img]")
    assert radar.is_visible() and radar.bounding_box()["width"] > 200
    assert page.locator("figure.radar polygon.series").count() >= 1
    assert page.locator("table.scores tbody tr").count() == 5
    shots = os.environ.get("CITYFORUM_SCREENSHOTS")
    if shots:
        page.screenshot(path=os.path.join(shots, "city.png"), full_page=True)
        page.locator("figure.radar").screenshot(path=os.path.join(shots, "radar.png"))
        page.locator("svg.city-map").screenshot(path=os.path.join(shots, "map.png"))
    page.locator("svg.city-map a").first.click()
    page.wait_for_url("**/en/cities/2530335/")
    assert page.locator("h1").inner_text() == "Tangier"
