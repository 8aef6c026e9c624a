"""Fixtures for the account tests: a clean rate-limit cache, people, and sign-up input."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from cityforum.people.models import User

PASSWORD = "a-long-pass-phrase-42"


@pytest.fixture(autouse=True)
def _no_rate_limit_left_over() -> Iterator[None]:
    """Failed sign-ins are counted in the cache, which outlives a test: start from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def person(db: None) -> User:
    return User.objects.create_user("ana@example.org", PASSWORD, display_name="Ana")


@pytest.fixture
def organiser(db: None) -> User:
    return User.objects.create_user("org@example.org", PASSWORD, role="organiser")


@pytest.fixture
def places(programme: None) -> None:
    """A few places of the registry, enough to search (the whole registry takes seconds)."""
    from cityforum.cities.models import City, Country
    from cityforum.cities.search import search_key
    from cityforum.programme.models import Region

    africa, europe = Region.objects.get(code="africa"), Region.objects.get(code="europe")
    morocco = Country.objects.create(iso2="MA", iso3="MAR", name="Morocco", section=africa)
    france = Country.objects.create(iso2="FR", iso3="FRA", name="France", section=europe)
    for geonameid, name, country, population in [
        (2544248, "Kenitra", morocco, 431282),
        (2553604, "Chefchaouen", morocco, 42786),
        (2988507, "Paris", france, 2138551),
        (2990969, "Nantes", france, 318808),
    ]:
        City.objects.create(
            geonameid=geonameid,
            name=name,
            search_name=search_key(name),
            country=country,
            latitude=0,
            longitude=0,
            population=population,
        )
