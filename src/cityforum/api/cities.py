"""Read API of the city registry."""

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from cityforum.cities.models import City
from cityforum.cities.search import search_cities

router = Router(tags=["cities"])


class CityOut(Schema):
    geonameid: int
    name: str
    country: str
    country_name: str
    section: str
    admin1_code: str
    latitude: float
    longitude: float
    population: int


@router.get("/cities", response=list[CityOut], summary="Search the city registry")
@paginate(LimitOffsetPagination)
def list_cities(
    request: HttpRequest,
    q: str = Query(..., min_length=1, max_length=100, description="Start of the city's name"),
    country: str | None = Query(None, pattern="^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2"),
) -> list[CityOut]:
    """Places whose name starts with ``q`` (accents and case ignored), most populous first."""
    return [_city(c) for c in search_cities(q, country)[:500]]


def _city(c: City) -> CityOut:
    return CityOut(
        geonameid=c.geonameid,
        name=c.name,
        country=c.country_id,
        country_name=c.country.name,
        section=c.country.section.code,
        admin1_code=c.admin1_code,
        latitude=c.latitude,
        longitude=c.longitude,
        population=c.population,
    )
