"""What pages show about assessments: read-only, from stored scores (never recomputed here)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _

from cityforum.analysis.capitals import CAPITALS
from cityforum.programme.models import Capital

from . import charts, scoring, services
from .models import Assessment


def capital_names() -> dict[str, str]:
    names = {c.code: c.name for c in Capital.objects.all()}
    return {code: names.get(code, code) for code in CAPITALS}


def score_rows(
    series: Iterable[tuple[str, Mapping[str, Any] | None]], names: Mapping[str, str]
) -> list[dict[str, Any]]:
    """The table alternative of a radar chart: one row per capital, one column per series."""
    series = [(label, s) for label, s in series if s]
    return [
        {
            "capital": code,
            "name": names[code],
            "values": [(s or {}).get(code) for _label, s in series],
        }
        for code in CAPITALS
    ]


def network_medians(section: str | None = None) -> dict[str, float] | None:
    latest = services.latest_city_assessments().filter(bri__isnull=False)
    if section:
        latest = latest.filter(city__country__section__code=section)
    return scoring.medians(a.scores for a in latest)


def city_context(city: Any) -> dict[str, Any]:
    """Assessments of a city: history, the latest profile on a radar with medians, steering."""
    assessments = list(
        Assessment.objects.filter(kind=Assessment.Kind.CITY, city=city)
        .prefetch_related("values__indicator")
        .order_by("-year", "-version")
    )
    names = capital_names()
    latest = assessments[0] if assessments else None
    region = network_medians(city.country.section.code) if latest else None
    network = network_medians() if latest else None
    series = [
        ("city", city.name, latest.scores if latest else None),
        ("region", _("Median of the section"), region),
        ("network", _("Median of the network"), network),
    ]
    current_by_year: dict[int, Assessment] = {}
    for a in assessments:
        current_by_year.setdefault(a.year, a)
    history = sorted(current_by_year.values(), key=lambda a: a.year)
    change = []
    for before, after in zip(history, history[1:], strict=False):
        if before.bri is not None and after.bri is not None:
            change.append({"from": before.year, "to": after.year, "bri": after.bri - before.bri})
    agendas = Assessment.objects.filter(kind=Assessment.Kind.AGENDA, city=city).order_by("-year")
    return {
        "assessments": assessments,
        "latest": latest,
        "history": history,
        "change": change,
        "radar": charts.radar(series, names) if latest else None,
        "score_table": score_rows([(label, s) for _k, label, s in series], names) if latest else [],
        "series_labels": [label for _k, label, s in series if s],
        "capital_names": names,
        "steering": services.steering_for(latest) if latest else None,
        "agendas": agendas,
    }
