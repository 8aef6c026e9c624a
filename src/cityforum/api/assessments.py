"""API of the assessments app and of city roles.

Reads are public. ``POST /assessments`` needs an organiser or a moderator (bearer token or
session); bad input answers 422 problem+json with every problem found, and writes nothing.
"""

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from cityforum.assessments import services
from cityforum.assessments.models import Assessment
from cityforum.cities.models import City, CityRole

from .auth import TokenAuth, session_auth
from .inputs import Input, Int
from .problems import Problem

router = Router(tags=["assessments"])


class RoleOut(Schema):
    role: str
    subtype: str
    criteria: str
    population_band: str
    intermediation_score: float
    national_rank: int
    primacy: float
    d_larger_km: float | None
    d_larger_any_km: float | None
    d_metropolis_km: float | None
    dominance_25km: float
    hinterland_n: int
    hinterland_pop: int
    hinterland_percentile: float
    confidence: str
    peers_n: int
    admin_seat: bool
    national_capital: bool
    merged_into: int | None


class CityDetailOut(Schema):
    geonameid: int
    name: str
    country: str
    country_name: str
    section: str
    admin1_code: str
    latitude: float
    longitude: float
    population: int
    role: RoleOut | None


def _role(r: CityRole | None) -> RoleOut | None:
    if r is None:
        return None
    return RoleOut(
        role=r.role,
        subtype=r.subtype,
        criteria=r.criteria,
        population_band=r.population_band,
        intermediation_score=r.intermediation_score,
        national_rank=r.national_rank,
        primacy=r.primacy,
        d_larger_km=r.d_larger_km,
        d_larger_any_km=r.d_larger_any_km,
        d_metropolis_km=r.d_metropolis_km,
        dominance_25km=r.dominance,
        hinterland_n=r.hinterland_n,
        hinterland_pop=r.hinterland_pop,
        hinterland_percentile=r.hinterland_percentile,
        confidence=r.confidence,
        peers_n=r.peers_n,
        admin_seat=r.admin_seat,
        national_capital=r.national_capital,
        merged_into=r.merged_into,
    )


@router.get(
    "/cities/{geonameid}",
    response=CityDetailOut,
    tags=["cities"],
    summary="One city with its role and the measures behind it",
)
def city_detail(request: HttpRequest, geonameid: int) -> CityDetailOut:
    city = get_object_or_404(
        City.objects.select_related("country", "country__section"), geonameid=geonameid
    )
    return CityDetailOut(
        geonameid=city.geonameid,
        name=city.name,
        country=city.country_id,
        country_name=city.country.local_name,
        section=city.country.section.code,
        admin1_code=city.admin1_code,
        latitude=city.latitude,
        longitude=city.longitude,
        population=city.population,
        role=_role(CityRole.objects.filter(city=city).first()),
    )


Confidence = Literal["low", "medium", "high"]


class ValueIn(Input):
    indicator: str = Field(..., max_length=10)
    value: float | str
    unit: str = Field("", max_length=40)
    source: str = Field(..., max_length=300)
    confidence: Confidence = "medium"


class CapitalIn(Input):
    score: int
    evidence: str = Field("", max_length=5000)
    confidence: Confidence = "medium"
    adverse_effect: bool = False


class AssessmentIn(Input):
    kind: Literal["city", "project", "agenda"]
    year: int
    city: int | None = Field(None, description="GeoNames id")
    title: str = Field("", max_length=200)
    agenda: int | None = Field(None, description="id of the local agenda of a project")
    budget: float | None = None
    values: list[ValueIn] = Field(default_factory=list, max_length=200)
    capitals: dict[str, CapitalIn] = Field(default_factory=dict)


class ValueOut(Schema):
    indicator: str
    value: float
    normalised: float | None
    source: str
    confidence: str
    indicator_version: int


class SelfScoreOut(Schema):
    capital: str
    score: int
    evidence: str
    confidence: str
    adverse_effect: bool


class AssessmentOut(Schema):
    id: int
    kind: str
    city: int | None
    title: str
    agenda: int | None
    year: int
    version: int
    budget: float | None
    scores: dict[str, float | None]
    level: float | None
    bri: float | None
    balance: float | None
    band: str
    flags: list[str]
    uncertainty: dict[str, float]
    steering: str | None
    values: list[ValueOut]
    capitals: list[SelfScoreOut]
    computed_at: datetime | None


def _out(a: Assessment) -> AssessmentOut:
    advice = services.steering_for(a)
    return AssessmentOut(
        id=a.pk,
        kind=a.kind,
        city=a.city_id,
        title=a.title,
        agenda=a.agenda_id,
        year=a.year,
        version=a.version,
        budget=float(a.budget) if a.budget is not None else None,
        scores=a.scores,
        level=a.level,
        bri=a.bri,
        balance=a.balance,
        band=a.band,
        flags=a.flags,
        uncertainty=a.uncertainty,
        steering=advice.capital if advice else None,
        values=[
            ValueOut(
                indicator=v.indicator.code,
                value=v.value,
                normalised=v.normalised,
                source=v.source,
                confidence=v.confidence,
                indicator_version=v.indicator.version,
            )
            for v in a.values.select_related("indicator")
        ],
        capitals=[
            SelfScoreOut(
                capital=s.capital,
                score=s.score,
                evidence=s.evidence,
                confidence=s.confidence,
                adverse_effect=s.adverse_effect,
            )
            for s in a.self_scores.all()
        ],
        computed_at=a.computed_at,
    )


@router.get("/assessments", response=list[AssessmentOut], summary="Assessments, newest first")
@paginate(LimitOffsetPagination)
def list_assessments(
    request: HttpRequest,
    kind: Literal["city", "project", "agenda"] | None = Query(None),
    city: Int | None = Query(None, description="GeoNames id"),
    year: Int | None = Query(None),
) -> list[AssessmentOut]:
    """Every version is listed; the latest of a year has the highest ``version``."""
    rows = Assessment.objects.all()
    if kind:
        rows = rows.filter(kind=kind)
    if city is not None:
        rows = rows.filter(city_id=city)
    if year is not None:
        rows = rows.filter(year=year)
    return [_out(a) for a in rows.order_by("-year", "-version", "-pk")[:500]]


@router.post(
    "/assessments",
    response={201: AssessmentOut, 404: Problem},
    auth=[TokenAuth(), session_auth],
    summary="Record an assessment of a city, a project or a local agenda",
)
def create_assessment(request: HttpRequest, payload: AssessmentIn) -> Any:
    city = get_object_or_404(City, pk=payload.city) if payload.city is not None else None
    values = [services.ValueInput(**v.dict()) for v in payload.values]
    if payload.kind == "city":
        if city is None:
            from django.core.exceptions import ValidationError
            from django.utils.translation import gettext as _

            raise ValidationError(_("A city assessment needs a city."))
        assessment = services.assess_city(city, payload.year, values, by=request.auth)
    elif payload.kind == "project":
        agenda = (
            get_object_or_404(Assessment, pk=payload.agenda) if payload.agenda is not None else None
        )
        assessment = services.assess_project(
            payload.title,
            payload.year,
            {k: services.CapitalInput(**v.dict()) for k, v in payload.capitals.items()},
            by=request.auth,
            city=city,
            agenda=agenda,
            budget=payload.budget,
            values=values,
        )
    else:
        assessment = services.create_agenda(payload.title, payload.year, by=request.auth, city=city)
    return Status(201, _out(assessment))
