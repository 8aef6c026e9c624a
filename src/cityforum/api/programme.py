"""Read API of the programme: capitals, regions, consultations."""

import datetime as dt

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from cityforum.core.languages import all_languages
from cityforum.programme.models import Capital, Consultation, Region, Status

from .inputs import Text

router = Router(tags=["programme"])


class Texts(Schema):
    fr: str
    en: str
    es: str


class CapitalOut(Schema):
    code: str
    name: str
    names: Texts
    description: str


class RegionOut(Schema):
    code: str
    kind: str
    name: str
    names: Texts


class ConsultationOut(Schema):
    id: int
    slug: str
    kind: str
    date: dt.date | None
    capitals: list[str]
    region: str | None
    status: str
    title: Texts
    vision: Texts
    objective: Texts
    expected_output: Texts


def _consultation(c: Consultation) -> ConsultationOut:
    return ConsultationOut(
        id=c.pk,
        slug=c.slug,
        kind=c.kind,
        date=c.date,
        capitals=[capital.code for capital in c.capitals.all()],
        region=c.region.code if c.region else None,
        status=c.status,
        title=Texts(**all_languages(c, "title")),
        vision=Texts(**all_languages(c, "vision")),
        objective=Texts(**all_languages(c, "objective")),
        expected_output=Texts(**all_languages(c, "expected_output")),
    )


def _consultations() -> QuerySet[Consultation]:
    return Consultation.objects.select_related("region").prefetch_related("capitals")


@router.get("/capitals", response=list[CapitalOut], summary="The five capitals of resilience")
def list_capitals(request: HttpRequest) -> list[CapitalOut]:
    """The five capitals, with ``name`` in the request's language and ``names`` in all three."""
    return [
        CapitalOut(
            code=c.code,
            name=str(c.name),
            names=Texts(**all_languages(c, "name")),
            description=str(c.description),
        )
        for c in Capital.objects.all()
    ]


@router.get("/regions", response=list[RegionOut], summary="Regions of the consultation")
def list_regions(request: HttpRequest) -> list[RegionOut]:
    return [
        RegionOut(
            code=r.code, kind=r.kind, name=str(r.name), names=Texts(**all_languages(r, "name"))
        )
        for r in Region.objects.all()
    ]


@router.get(
    "/consultations", response=list[ConsultationOut], summary="Consultations of the programme"
)
@paginate(LimitOffsetPagination)
def list_consultations(
    request: HttpRequest,
    kind: Consultation.Kind | None = None,
    status: Status | None = None,
    capital: Capital.Code | None = None,
    region: Text | None = None,
) -> list[ConsultationOut]:
    """The programme in order, filtered by kind, status, capital code or region code."""
    consultations = _consultations().order_by("order", "pk")
    if kind:
        consultations = consultations.filter(kind=kind)
    if status:
        consultations = consultations.filter(status=status)
    if capital:
        consultations = consultations.filter(capitals__code=capital)
    if region:
        consultations = consultations.filter(region__code=region)
    return [_consultation(c) for c in consultations]


@router.get(
    "/consultations/{consultation_id}", response=ConsultationOut, summary="One consultation"
)
def get_consultation(request: HttpRequest, consultation_id: int) -> ConsultationOut:
    return _consultation(get_object_or_404(_consultations(), pk=consultation_id))
