"""The pages: a city with its role, map and assessments; sections; the world; comparison;
CSV upload and download. In French, English and Spanish."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from cityforum.assessments import services
from cityforum.assessments.models import Assessment
from cityforum.cities.roles import compute_roles

from .conftest import all_capitals, profile, values_for

CHEFCHAOUEN = 2553455


@pytest.fixture
def assessed(indicators, organiser, towns):
    """Chefchaouen assessed with the worked row 70, 65, 60, 55, 50 (BRI 59.6), Larache with 60s."""
    compute_roles()
    services.assess_city(
        towns["Larache"], 2024, values_for(profile(60, 60, 60, 60, 60)), by=organiser
    )
    services.assess_city(
        towns["Chefchaouen"], 2022, values_for(profile(50, 50, 50, 50, 50)), by=organiser
    )
    return services.assess_city(
        towns["Chefchaouen"], 2024, values_for(profile(70, 65, 60, 55, 50)), by=organiser
    )


@pytest.mark.parametrize(("lang", "word"), [("fr", "Villes"), ("en", "Cities"), ("es", "Ciudades")])
def test_the_city_page_shows_the_worked_row_bri_in_each_language(assessed, lang, word) -> None:
    page = Client().get(f"/{lang}/cities/{CHEFCHAOUEN}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<html lang="{lang}">' in html and word in html
    bri = re.search(r'<dd class="bri">([^<]+)</dd>', html).group(1)
    assert bri.replace(",", ".") == "59.6"
    assert 'class="band band-balanced"' in html and 'class="bri-band"' in html


def test_the_city_page_shows_the_role_map_radar_table_change_and_steering(assessed) -> None:
    html = Client().get(f"/en/cities/{CHEFCHAOUEN}/").content.decode()
    assert "Chefchaouen" in html and "Morocco" in html
    # role and its measures
    assert re.search(r'class="role role-(intermediary|small_town|satellite|metropolis)"', html)
    assert "km to the nearest larger place" in html
    # the map: the city and its neighbours within 100 km as dots, no tiles
    assert html.count('class="neighbour"') == 5  # every made-up Moroccan place but Fes
    assert 'class="here"' in html and "<image" not in html and "tile.openstreetmap" not in html
    # radar: five axes, the city, the section's and the network's medians; a table beside it
    radar = html[html.index('<figure class="radar">') : html.index("</figure>")]
    assert radar.count('<line class="axis"') == 5 and radar.count('class="series ') == 3
    assert 'data-series="region"' in radar and 'data-series="network"' in radar
    assert "<caption>Scores of the five capitals (0 to 100)</caption>" in html
    assert "Median of the section" in html and "Median of the network" in html
    # change over time and steering advice (the environmental capital is the weakest)
    assert "BRI change from 2022 to 2024: 9.6." in html
    assert 'data-capital="environmental"' in html


def test_the_map_counts_places_within_100_km(assessed) -> None:
    from cityforum.cities.maps import neighbours
    from cityforum.cities.models import City

    names = sorted(c.name for c, _km in neighbours(City.objects.get(pk=CHEFCHAOUEN)))
    assert names == ["Bab Taza", "Ksar El Kebir", "Larache", "Oued Laou", "Tangier"]


def test_an_unassessed_city_and_an_unknown_one(towns) -> None:
    html = Client().get("/en/cities/2993458/").content.decode()
    assert "This city has not been assessed yet." in html
    assert "The roles of cities have not been computed yet." in html
    assert Client().get("/en/cities/1/").status_code == 404


def test_search_results_link_to_the_city_page(towns) -> None:
    html = Client().get("/en/cities/?q=chef").content.decode()
    assert f'href="/en/cities/{CHEFCHAOUEN}/">Chefchaouen</a>' in html


@pytest.mark.parametrize("lang", ["fr", "en", "es"])
def test_the_section_page_lists_intermediary_cities_with_filters(towns, lang) -> None:
    compute_roles()
    page = Client().get(f"/{lang}/cities/sections/africa/")
    assert page.status_code == 200 and f'<html lang="{lang}">' in page.content.decode()
    from cityforum.cities.models import CityRole

    intermediary = set(
        CityRole.objects.filter(
            role="intermediary", city__country__section__code="africa"
        ).values_list("city__name", flat=True)
    )
    html = Client().get("/en/cities/sections/africa/").content.decode()
    assert intermediary
    for name in intermediary:
        assert f">{name}</a>" in html
    assert ">Monaco</a>" not in html
    small = Client().get("/en/cities/sections/africa/?max_population=100000").content.decode()
    assert ">Larache</a>" not in small
    bad = Client().get("/en/cities/sections/africa/?min_population=many&subtype=giant")
    assert "Population must be a whole number." in bad.content.decode()
    assert "Unknown subtype." in bad.content.decode()
    assert Client().get("/en/cities/sections/atlantis/").status_code == 404


@pytest.mark.parametrize("lang", ["fr", "en", "es"])
def test_the_world_page_counts_by_role_and_by_population(towns, lang) -> None:
    compute_roles()
    from cityforum.cities.models import CityRole

    page = Client().get(f"/{lang}/cities/world/")
    html = page.content.decode()
    assert page.status_code == 200 and f'<html lang="{lang}">' in html
    by_role = CityRole.objects.filter(role="intermediary", city__country__section__code="africa")
    by_band = CityRole.objects.filter(
        population_band="intermediary", city__country__section__code="africa"
    )
    row = re.search(r'<tr data-section="africa">(.*?)</tr>', html, re.S).group(1)
    numbers = re.findall(r'<td class="num">([\d,  ]+)</td>', row)
    assert numbers[:2] == [str(by_role.count()), str(by_band.count())]


def test_the_comparison_keeps_to_one_role_class_and_section(assessed) -> None:
    from cityforum.cities.models import CityRole

    larache = CityRole.objects.get(city__name="Larache")
    peers = CityRole.objects.filter(role=larache.role, city__country__section__code="africa")
    ids = [r.city_id for r in peers]
    assert len(ids) >= 2
    page = Client().get("/en/cities/compare/", {"city": ids})
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('href="/en/cities/') >= len(ids)
    choose = Client().get("/en/cities/compare/", {"city": [ids[0]]}).content.decode()
    assert 'type="checkbox"' in choose
    mixed = Client().get("/en/cities/compare/", {"city": [ids[0], 2993458]})
    assert mixed.status_code == 400
    assert "only within the same role class and section" in mixed.content.decode()
    assert Client().get("/en/cities/compare/", {"city": ["x"]}).status_code == 400


def test_a_project_page_shows_its_self_assessment_and_steering(indicators, organiser) -> None:
    p = services.assess_project("Kiosks", 2024, all_capitals(2), by=organiser)
    html = Client().get(f"/es/assessments/{p.pk}/").content.decode()
    assert '<html lang="es">' in html and "Kiosks" in html and 'class="bri"' in html


CSV = "city,indicator,year,value,source,confidence\n2553455,H3,2024,55,census,high\n"


def _upload(client: Client, text: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        "/en/assessments/import/", {"file": SimpleUploadedFile("v.csv", text.encode())}
    )


def test_organisers_upload_a_csv_and_everyone_downloads_it(indicators, organiser, towns) -> None:
    client = Client()
    client.force_login(organiser)
    assert client.get("/en/assessments/import/").status_code == 200
    response = _upload(client, CSV)
    assert response.status_code == 302
    assert Assessment.objects.get().values.get().value == 55
    download = Client().get("/en/assessments/export.csv")
    assert download["Content-Type"].startswith("text/csv")
    assert download.content.decode().replace("\r\n", "\n") == CSV
    assert "Chefchaouen" in Client().get("/fr/assessments/").content.decode()


def test_a_bad_upload_lists_its_lines_and_imports_nothing(indicators, organiser, towns) -> None:
    client = Client()
    client.force_login(organiser)
    response = _upload(client, CSV + "2553455,H5,2024,240,census,high\n")
    assert response.status_code == 400
    assert "line 3: H5 = 240 is outside its plausible range" in response.content.decode()
    assert not Assessment.objects.exists()


def test_participants_cannot_upload(indicators, participant, towns) -> None:
    client = Client()
    client.force_login(participant)
    assert _upload(client, CSV).status_code == 403
    assert Client().get("/en/assessments/import/").status_code == 403
    assert not Assessment.objects.exists()
