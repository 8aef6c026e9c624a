"""A small map of a city and its neighbours, drawn from coordinates (no tile server)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import QuerySet

from .models import City

EARTH_KM = 6371.0088
SIZE = 300
RADIUS_KM = 100.0


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


def neighbours(city: City, km: float = RADIUS_KM, limit: int = 150) -> list[tuple[City, float]]:
    """Places within ``km`` of ``city``, the most populous first, with their distance."""
    dlat = km / 111.0
    dlon = km / (111.0 * max(math.cos(math.radians(city.latitude)), 0.05))
    box: QuerySet[City] = City.objects.filter(
        latitude__range=(city.latitude - dlat, city.latitude + dlat),
        longitude__range=(city.longitude - dlon, city.longitude + dlon),
    ).exclude(pk=city.pk)
    found = []
    for other in box.order_by("-population")[: limit * 3]:
        d = distance_km(city.latitude, city.longitude, other.latitude, other.longitude)
        if d <= km:
            found.append((other, d))
    return found[:limit]


@dataclass(frozen=True)
class Dot:
    name: str
    geonameid: int
    x: float
    y: float
    r: float
    km: float
    population: int


def map_dots(city: City, around: list[tuple[City, float]]) -> tuple[Dot, list[Dot]]:
    """Screen positions (local equirectangular projection, north up) for the city and others."""
    scale = (SIZE / 2 - 10) / RADIUS_KM
    coslat = math.cos(math.radians(city.latitude))

    def dot(place: City, km: float) -> Dot:
        dx = (place.longitude - city.longitude) * 111.32 * coslat
        dy = (place.latitude - city.latitude) * 110.57
        r = 2 + 1.5 * max(0.0, math.log10(max(place.population, 1)) - 3)
        return Dot(
            place.name,
            place.geonameid,
            round(SIZE / 2 + dx * scale, 1),
            round(SIZE / 2 - dy * scale, 1),
            round(r, 1),
            round(km, 1),
            place.population,
        )

    return dot(city, 0.0), [dot(p, d) for p, d in around]
