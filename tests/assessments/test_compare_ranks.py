"""The comparison page ranks the compared cities with a 90 % rank band (resilience.md §2)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from cityforum.assessments import services
from cityforum.cities.roles import compute_roles

from .conftest import profile, values_for


@pytest.fixture
def small_towns(indicators, organiser, towns):
    """Four Moroccan small towns: one clearly ahead, two near-identical, one never assessed."""
    compute_roles()
    for name, scores in (
        ("Larache", profile(90, 88, 92, 85, 90)),
        ("Ksar El Kebir", profile(61, 60, 59, 60, 60)),
        ("Bab Taza", profile(59, 60, 61, 60, 60)),
    ):
        services.assess_city(towns[name], 2024, values_for(scores), by=organiser)
    return towns


def _ranks(html: str) -> dict[str, str]:
    cells = re.findall(r'<td class="num rank" data-city="(\d+)">([^<]*)</td>', html)
    return dict(cells)


def test_the_comparison_shows_each_assessed_city_s_rank_and_band(small_towns) -> None:
    ids = [small_towns[n].pk for n in ("Larache", "Ksar El Kebir", "Bab Taza", "Oued Laou")]
    page = Client().get("/en/cities/compare/", {"city": ids})
    assert page.status_code == 200
    html = page.content.decode()
    assert '<th scope="col" class="num">rank (90 % band)</th>' in html
    ranks = _ranks(html)
    assert ranks[str(small_towns["Larache"].pk)] == "1 (1–1)"
    assert ranks[str(small_towns["Oued Laou"].pk)] == "—"
    ksar = re.fullmatch(r"([\d.]+) \((\d+)–(\d+)\)", ranks[str(small_towns["Ksar El Kebir"].pk)])
    bab = re.fullmatch(r"([\d.]+) \((\d+)–(\d+)\)", ranks[str(small_towns["Bab Taza"].pk)])
    assert ksar and bab
    # the two near-identical towns share ranks 2 and 3: their bands overlap
    assert (ksar.group(2), ksar.group(3)) == (bab.group(2), bab.group(3)) == ("2", "3")
    # the same page twice gives the same bands (fixed seed)
    again = Client().get("/en/cities/compare/", {"city": ids}).content.decode()
    assert _ranks(again) == ranks


def test_no_rank_column_without_an_assessed_city(towns) -> None:
    compute_roles()
    ids = [towns[n].pk for n in ("Larache", "Oued Laou")]
    html = Client().get("/en/cities/compare/", {"city": ids}).content.decode()
    assert "rank (90 % band)" not in html and 'class="num rank"' not in html


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_the_rank_column_in_other_languages(small_towns, lang) -> None:
    ids = [small_towns[n].pk for n in ("Larache", "Bab Taza")]
    page = Client().get(f"/{lang}/cities/compare/", {"city": ids})
    html = page.content.decode()
    assert page.status_code == 200 and f'<html lang="{lang}">' in html
    assert _ranks(html)[str(small_towns["Larache"].pk)] == "1 (1–1)"
