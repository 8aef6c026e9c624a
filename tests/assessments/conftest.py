"""Fixtures of the assessments tests: the framework, people with roles, a few cities.

The cities are made by hand (a tiny registry around Chefchaouen) so that the tests stay
fast; the test that needs the real registry uses the shared ``registry`` fixture.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from cityforum.analysis.capitals import CAPITALS


@pytest.fixture(autouse=True)
def _fewer_draws(monkeypatch: pytest.MonkeyPatch) -> None:
    """50 Monte Carlo draws instead of 1,000 keep the suite fast; the band's logic is the same."""
    from cityforum.assessments import scoring

    assert scoring.UNCERTAINTY_DRAWS == 1000
    monkeypatch.setattr(scoring, "UNCERTAINTY_DRAWS", 50)


@pytest.fixture
def indicators(programme: None) -> None:
    from cityforum.assessments.seed import load_indicators

    load_indicators()


def _user(email: str, role: str) -> Any:
    from cityforum.people.services import create_user

    return create_user(email, "a long enough password 1", role=role)


@pytest.fixture
def organiser(db: None) -> Any:
    return _user("org@example.org", "organiser")


@pytest.fixture
def moderator(db: None) -> Any:
    return _user("mod@example.org", "moderator")


@pytest.fixture
def participant(db: None) -> Any:
    return _user("someone@example.org", "participant")


PLACES = [
    # geonameid, name, country, lat, lon, population (GeoNames; the rest made up)
    (2553455, "Chefchaouen", "MA", 35.16878, -5.2636, 46721),
    (2530335, "Tangier", "MA", 35.76727, -5.79975, 1035141),
    (2548885, "Fes", "MA", 34.03313, -5.00028, 1191905),
    (2543549, "Larache", "MA", 35.19321, -6.15572, 136505),
    (2544001, "Ksar El Kebir", "MA", 35.00044, -5.90378, 138262),
    (9000001, "Bab Taza", "MA", 35.0667, -5.2, 18000),
    (9000002, "Oued Laou", "MA", 35.45, -5.0833, 9000),
    (2993458, "Monaco", "MC", 43.73718, 7.42145, 32965),
]


@pytest.fixture
def towns(programme: None) -> dict[str, Any]:
    """A handful of Moroccan places (section Africa) and Monaco (section Europe)."""
    from cityforum.cities.models import City, Country
    from cityforum.cities.search import search_key
    from cityforum.programme.models import Region

    Country.objects.create(
        iso2="MA", name="Morocco", population=36_000_000, section=Region.objects.get(code="africa")
    )
    Country.objects.create(
        iso2="MC", name="Monaco", population=39_000, section=Region.objects.get(code="europe")
    )
    out = {}
    for gid, name, country, lat, lon, pop in PLACES:
        out[name] = City.objects.create(
            geonameid=gid,
            name=name,
            search_name=search_key(name),
            country_id=country,
            admin1_code="01",
            latitude=lat,
            longitude=lon,
            population=pop,
        )
    return out


def raw_value(indicator: Any, score: float) -> float:
    """The value of ``indicator`` that normalises to ``score`` (inverse of the goalposts)."""
    if indicator.kind == "target":
        return indicator.target
    if indicator.kind == "log":
        low, high = math.log(indicator.worst), math.log(indicator.best)
        return math.exp(low + score / 100 * (high - low))
    return indicator.worst + score / 100 * (indicator.best - indicator.worst)


def values_for(scores: dict[str, float]) -> list[Any]:
    """Every indicator of the framework at the value that gives each capital ``scores[c]``."""
    from cityforum.assessments.models import Indicator
    from cityforum.assessments.services import ValueInput

    return [
        ValueInput(i.code, raw_value(i, scores[i.capital]), source="test survey 2024")
        for i in Indicator.objects.all()
    ]


def profile(*numbers: float) -> dict[str, float]:
    return dict(zip(CAPITALS, numbers, strict=True))


def all_capitals(score: int = 2, **overrides: Any) -> dict[str, Any]:
    from cityforum.assessments.services import CapitalInput

    out = {
        c: CapitalInput(score=score, evidence="report p. 3" if score >= 3 else "") for c in CAPITALS
    }
    out.update(overrides)
    return out
