"""City roles computed from the registry and stored beside it."""

from __future__ import annotations

import time

from cityforum.cities.models import City, CityRole
from cityforum.cities.roles import compute_roles
from cityforum.core.models import DatasetLoad


def test_every_city_gets_its_role_and_a_second_run_is_a_no_op(towns) -> None:
    report = compute_roles()
    assert report.cities == City.objects.count() == CityRole.objects.count()
    roles = dict(CityRole.objects.values_list("city__name", "role"))
    assert roles["Tangier"] == roles["Fes"] == "metropolis"
    assert roles["Oued Laou"] == "small_town"
    fes = CityRole.objects.get(city__name="Fes")
    assert (
        fes.national_rank == 1 and fes.d_larger_km is None and fes.population_band == "metropolis"
    )
    assert compute_roles().skipped
    stamp = DatasetLoad.objects.get(name="city-roles").loaded_at
    assert compute_roles().skipped and DatasetLoad.objects.get(name="city-roles").loaded_at == stamp


def test_new_cities_make_the_roles_be_computed_again(towns) -> None:
    compute_roles()
    City.objects.filter(name="Bab Taza").delete()
    assert not compute_roles().skipped
    assert not CityRole.objects.filter(city__name="Bab Taza").exists()


def test_the_registry_is_classified_in_seconds(registry) -> None:
    """The test registry stops at 15,000 people, so hinterlands are thin here; Chefchaouen's
    role by hinterland needs the full registry (checked on the gazetteer by tests/cli)."""
    started = time.perf_counter()
    report = compute_roles()
    elapsed = time.perf_counter() - started
    assert report.cities == City.objects.count() > 30000
    assert elapsed < 30, elapsed
    saint_denis = CityRole.objects.get(city__name="Saint-Denis", city__country_id="FR")
    assert saint_denis.role == "satellite" and saint_denis.population_band == "intermediary"
    assert CityRole.objects.filter(role="intermediary").count() > 5000
    paris = CityRole.objects.get(city_id=2988507)
    assert paris.role == "metropolis" and paris.national_capital
    print(f"roles of {report.cities} places computed and stored in {elapsed:.1f} s")
