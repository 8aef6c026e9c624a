"""Public pages of the programme: home, consultation, capital, region."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from .models import Capital, Consultation, Forum, Region


def _consultations() -> QuerySet[Consultation]:
    return Consultation.objects.select_related("region", "forum").prefetch_related("capitals")


def home(request: HttpRequest) -> HttpResponse:
    forum = Forum.objects.order_by("-edition").first()
    consultations = list(_consultations().filter(forum=forum)) if forum else []
    return render(
        request,
        "programme/home.html",
        {
            "forum": forum,
            "thematic": [c for c in consultations if c.kind == Consultation.Kind.THEMATIC],
            "regional": [c for c in consultations if c.kind == Consultation.Kind.REGIONAL],
            "capitals": Capital.objects.all(),
            "references": forum.references.all() if forum else [],
        },
    )


def consultation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = get_object_or_404(_consultations(), slug=slug)
    return render(
        request,
        "programme/consultation.html",
        {
            "consultation": consultation,
            "changes": consultation.status_changes.all(),
        },
    )


def capital_detail(request: HttpRequest, code: str) -> HttpResponse:
    capital = get_object_or_404(Capital, code=code)
    consultations = _consultations().filter(capitals=capital).order_by("order")
    return render(
        request,
        "programme/capital.html",
        {"capital": capital, "consultations": consultations, "capitals": Capital.objects.all()},
    )


def region_detail(request: HttpRequest, code: str) -> HttpResponse:
    region = get_object_or_404(Region, code=code)
    return render(
        request,
        "programme/region.html",
        {
            "region": region,
            "consultations": _consultations().filter(region=region),
            "countries": region.countries.order_by("name"),
        },
    )
