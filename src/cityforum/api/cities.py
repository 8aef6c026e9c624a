"""Read API of the city registry."""

from django.db.models import QuerySet
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

    @staticmethod
    def resolve_country(obj: City) -> str:
        return str(obj.country_id)

    @staticmethod
    def resolve_country_name(obj: City) -> str:
        """In the request's language."""
        return obj.country.local_name

    @staticmethod
    def resolve_section(obj: City) -> str:
        return str(obj.country.section.code)


@router.get("/cities", response=list[CityOut], summary="Search the city registry")
@paginate(LimitOffsetPagination)
def list_cities(
    request: HttpRequest,
    q: str = Query(..., min_length=1, max_length=100, description="Start of the city's name"),
    country: str | None = Query(None, pattern="^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2"),
) -> QuerySet[City]:
    """Places whose name starts with ``q`` (accents and case ignored), most populous first."""
    return search_cities(q, country)
