"""The registry: every country in one section, the world's cities loaded fast and found by name."""

from __future__ import annotations

import pytest

from cityforum.cities.models import City, Country
from cityforum.cities.registry import RegistryDataError, load_registry
from cityforum.cities.search import search_cities, search_key
from cityforum.core.models import DatasetLoad


def test_countries_carry_their_world_section(registry: None) -> None:
    assert Country.objects.count() >= 250
    assert Country.objects.get(iso2="MA").section.code == "africa"
    assert Country.objects.get(iso2="TR").section.code == "mewa"
    assert [r.code for r in Country.objects.get(iso2="TR").secondary_sections.all()] == ["europe"]
    assert Country.objects.get(iso2="KZ").section.code == "eurasia"
    assert Country.objects.get(iso2="CO").section.code == "latam"


def test_cities_are_loaded_with_coordinates_and_population(registry: None) -> None:
    paris = City.objects.get(geonameid=2988507)
    assert paris.name == "Paris" and paris.country_id == "FR"
    assert 48.8 < paris.latitude < 48.9 and 2.3 < paris.longitude < 2.4
    assert paris.population > 2_000_000
    assert not City.objects.filter(population__lt=15000).exists()


def test_a_second_load_is_skipped_and_changes_nothing(registry: None) -> None:
    count = City.objects.count()
    stamp = DatasetLoad.objects.get(name="cities").loaded_at
    report = load_registry(min_population=15000)
    assert report.skipped
    assert City.objects.count() == count
    assert DatasetLoad.objects.get(name="cities").loaded_at == stamp


def test_search_ignores_accents_and_case_and_puts_the_largest_first(registry: None) -> None:
    assert search_key("São Paulo") == "sao paulo"
    names = [(c.name, c.country_id) for c in search_cities("SAO PAULO")[:3]]
    assert names[0] == ("São Paulo", "BR")
    populations = [c.population for c in search_cities("san")[:20]]
    assert populations == sorted(populations, reverse=True)
    assert [c.country_id for c in search_cities("paris", country="us")] and all(
        c.country_id == "US" for c in search_cities("paris", country="us")
    )
    assert not search_cities("   ").exists()


def test_a_sections_file_with_an_unknown_section_is_refused_and_nothing_is_written(
    programme: None, tmp_path
) -> None:
    from cityforum.cities.registry import SECTIONS_CSV

    bad = tmp_path / "sections.csv"
    lines = SECTIONS_CSV.read_text(encoding="utf-8").splitlines()
    lines[5] = lines[5].replace(lines[5].split(",")[5], "atlantis")
    bad.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(RegistryDataError, match="line 6: unknown section 'atlantis'"):
        load_registry(min_population=15000, sections_csv=bad)
    assert not Country.objects.exists() and not City.objects.exists()


def test_a_sections_file_without_its_columns_is_refused(programme: None, tmp_path) -> None:
    bad = tmp_path / "sections.csv"
    bad.write_text("iso2,name\nFR,France\n", encoding="utf-8")
    with pytest.raises(RegistryDataError, match="primary_section"):
        load_registry(min_population=15000, sections_csv=bad)
    assert not Country.objects.exists()
