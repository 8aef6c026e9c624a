"""City pages: the search (a plain form that htmx refines as you type), each city, each
section's intermediary cities, the world view and the comparison of cities."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from cityforum.core.numbers import parse_id
from cityforum.programme.models import Region

from .maps import RADIUS_KM, map_dots, neighbours
from .maps import SIZE as MAP_SIZE
from .models import SUBTYPE_LABELS, City, CityRole
from .search import search_cities

MAX_QUERY = 100


def city_search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    error = ""
    results = None
    if len(query) > MAX_QUERY:
        error = _("Type at most %(n)d characters.") % {"n": MAX_QUERY}
    elif query:
        results = Paginator(search_cities(query), 25).get_page(request.GET.get("page"))
    template = "cities/_results.html" if request.headers.get("HX-Request") else "cities/search.html"
    return render(request, template, {"query": query, "results": results, "error": error})


# --------------------------------------------------------------------------- city pages

SECTION_PAGE = 50
SUBTYPES = tuple(SUBTYPE_LABELS)
MAX_COMPARED = 8


def city_detail(request: HttpRequest, geonameid: int) -> HttpResponse:
    """A city: its role and the measures behind it, a map of its neighbours, its assessments."""
    from cityforum.assessments.summaries import city_context

    city = get_object_or_404(
        City.objects.select_related("country", "country__section"), geonameid=geonameid
    )
    role = CityRole.objects.filter(city=city).first()
    around = neighbours(city)
    centre, dots = map_dots(city, around)
    merged = City.objects.filter(pk=role.merged_into).first() if role and role.merged_into else None
    context = {
        "city": city,
        "role": role,
        "merged": merged,
        "centre": centre,
        "dots": dots,
        "map_size": MAP_SIZE,
        "ring_r": MAP_SIZE / 2 - 10,
        "neighbours": around[:10],
        "radius_km": int(RADIUS_KM),
    }
    context.update(city_context(city))
    return render(request, "cities/city.html", context)


def section_cities(request: HttpRequest, code: str) -> HttpResponse:
    """A section's intermediary cities by role, with filters."""
    section = get_object_or_404(Region, code=code)
    roles = CityRole.objects.filter(
        role=CityRole.Role.INTERMEDIARY, city__country__section=section
    ).select_related("city", "city__country")
    subtype = request.GET.get("subtype", "")
    country = request.GET.get("country", "").strip().upper()
    band = request.GET.get("band", "")
    errors = []
    if subtype:
        if subtype in SUBTYPES:
            roles = roles.filter(subtype=subtype)
        else:
            errors.append(_("Unknown subtype."))
    if country:
        roles = roles.filter(city__country_id=country)
    if band == "in":
        roles = roles.filter(population_band="intermediary")
    elif band == "out":
        roles = roles.exclude(population_band="intermediary")
    bounds = {}
    for key in ("min_population", "max_population"):
        raw = request.GET.get(key, "").replace(",", "").replace(" ", "")
        if raw:
            if raw.isdigit():
                bounds[key] = int(raw)
            else:
                errors.append(_("Population must be a whole number."))
    if "min_population" in bounds:
        roles = roles.filter(city__population__gte=bounds["min_population"])
    if "max_population" in bounds:
        roles = roles.filter(city__population__lte=bounds["max_population"])
    page = Paginator(
        roles.order_by("-intermediation_score", "-city__population"), SECTION_PAGE
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    countries = (
        City.objects.filter(role__role=CityRole.Role.INTERMEDIARY, country__section=section)
        .values_list("country_id", flat=True)
        .distinct()
        .order_by("country_id")
    )
    return render(
        request,
        "cities/section.html",
        {
            "section": section,
            "page": page,
            "subtypes": list(SUBTYPE_LABELS.items()),
            "subtype": subtype,
            "country": country,
            "band": band,
            "bounds": bounds,
            "countries": list(countries),
            "errors": errors,
            "query": query.urlencode(),
        },
    )


def world(request: HttpRequest) -> HttpResponse:
    """How many intermediary cities each section has by role and by population, and the gap."""
    is_role = Q(role__role=CityRole.Role.INTERMEDIARY)
    is_band = Q(role__population_band="intermediary")
    rows = []
    sections = Region.objects.filter(kind=Region.Kind.SECTION).annotate(
        by_role=Count("countries__cities", filter=Q(countries__cities__role__role="intermediary")),
        by_band=Count(
            "countries__cities",
            filter=Q(countries__cities__role__population_band="intermediary"),
        ),
        both=Count(
            "countries__cities",
            filter=Q(countries__cities__role__role="intermediary")
            & Q(countries__cities__role__population_band="intermediary"),
        ),
    )
    for s in sections:
        rows.append(
            {
                "section": s,
                "by_role": s.by_role,
                "by_band": s.by_band,
                "both": s.both,
                "role_only": s.by_role - s.both,
                "band_only": s.by_band - s.both,
            }
        )
    totals = City.objects.aggregate(
        by_role=Count("pk", filter=is_role),
        by_band=Count("pk", filter=is_band),
        both=Count("pk", filter=is_role & is_band),
    )
    totals["role_only"] = totals["by_role"] - totals["both"]
    totals["band_only"] = totals["by_band"] - totals["both"]
    matrix = (
        CityRole.objects.exclude(role=CityRole.Role.MERGED)
        .values("role", "population_band")
        .annotate(n=Count("pk"))
        .order_by("role", "population_band")
    )
    roles_label = dict(CityRole.Role.choices)
    bands = ["metropolis", "intermediary", "below"]
    table = {}
    for cell in matrix:
        table.setdefault(cell["role"], dict.fromkeys(bands, 0))[cell["population_band"]] = cell["n"]
    grid = [
        {"role": roles_label.get(r, r), "counts": [table[r][b] for b in bands]}
        for r in (c for c, _label in CityRole.Role.choices)
        if r in table
    ]
    examples_role_only = (
        CityRole.objects.filter(role=CityRole.Role.INTERMEDIARY)
        .exclude(population_band="intermediary")
        .select_related("city", "city__country")
        .order_by("-intermediation_score")[:10]
    )
    examples_band_only = (
        CityRole.objects.filter(population_band="intermediary")
        .exclude(role=CityRole.Role.INTERMEDIARY)
        .select_related("city", "city__country")
        .order_by("-city__population")[:10]
    )
    return render(
        request,
        "cities/world.html",
        {
            "rows": rows,
            "totals": totals,
            "grid": grid,
            "examples_role_only": examples_role_only,
            "examples_band_only": examples_band_only,
            "computed": CityRole.objects.exists(),
        },
    )


def _rank_bands(latest: dict[int, Any]) -> dict[int, Any]:
    """Median rank and 90 % rank band of the compared cities with a complete assessment.

    The Monte Carlo draws of resilience.md §2 (weights, floor, goalposts), with the fixed seed
    of the stored BRI bands so that the page shows the same band at every visit.
    """
    from cityforum.analysis.capitals import CAPITALS, rank_bands
    from cityforum.assessments.scoring import UNCERTAINTY_DRAWS, UNCERTAINTY_SEED

    complete = {
        pk: {c: a.scores[c] for c in CAPITALS}
        for pk, a in latest.items()
        if a.bri is not None and all(a.scores.get(c) is not None for c in CAPITALS)
    }
    if not complete:
        return {}
    bands = rank_bands(
        {str(pk): s for pk, s in complete.items()},
        n_draws=UNCERTAINTY_DRAWS,
        random_state=UNCERTAINTY_SEED,
    )
    return {int(key): band for key, band in bands.items()}


def compare(request: HttpRequest) -> HttpResponse:
    """Several cities of the same role class and section, side by side."""
    from cityforum.assessments import charts
    from cityforum.assessments.services import latest_city_assessments
    from cityforum.assessments.summaries import capital_names, score_rows

    raw = [v for v in request.GET.getlist("city") if v.strip()]
    errors: list[str] = []
    ids = []
    for value in raw:
        geonameid = parse_id(value)
        if geonameid is not None:
            ids.append(geonameid)
        else:
            errors.append(_("“%(value)s” is not a GeoNames id.") % {"value": value})
    ids = list(dict.fromkeys(ids))[:MAX_COMPARED]
    cities = list(City.objects.filter(pk__in=ids).select_related("country__section", "role"))
    if len(cities) < len(ids):
        errors.append(_("Some of these cities are not in the registry."))
    if not ids and not errors:
        errors.append(_("Choose at least two cities to compare."))
    classes = {
        (getattr(getattr(c, "role", None), "role", ""), c.country.section.code) for c in cities
    }
    if len(classes) > 1:
        errors.append(
            _("Cities are compared only within the same role class and section; these differ.")
        )
    candidates: list[CityRole] = []
    if not errors and len(cities) == 1 and getattr(cities[0], "role", None) is not None:
        only = cities[0]
        candidates = list(
            CityRole.objects.filter(
                role=only.role.role, city__country__section=only.country.section
            )
            .exclude(city=only)
            .select_related("city", "city__country")
            .order_by("-intermediation_score", "-city__population")[:30]
        )
    latest = {a.city_id: a for a in latest_city_assessments().filter(city__in=cities)}
    names = capital_names()
    series = [(str(c.pk), c.name, latest[c.pk].scores if c.pk in latest else None) for c in cities]
    ranks = {} if errors else _rank_bands(latest)
    return render(
        request,
        "cities/compare.html",
        {
            "cities": cities,
            "candidates": candidates,
            "errors": errors,
            "latest": latest,
            "rows": [(c, latest.get(c.pk), ranks.get(c.pk)) for c in cities],
            "ranked": bool(ranks),
            "radar": None if errors else charts.radar(series, names),
            "score_table": [] if errors else score_rows([(lb, s) for _k, lb, s in series], names),
            "series_labels": [lb for _k, lb, s in series if s],
        },
        status=400 if errors else 200,
    )
