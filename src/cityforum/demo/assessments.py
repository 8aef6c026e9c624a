"""Step ``assessments``: the demo organiser records indicator values for a few dozen cities of
every role (intermediary cities, metropolises, satellites, small towns) in every section, two
one year each (a few two), and one project's self-assessment against the five capitals.

No public data set gives these indicators for these cities: the values are illustrative,
drawn from a seeded generator around a profile per role, and the About page says so.
"""

from __future__ import annotations

import math
import random
from typing import Any

from .builder import DemoBuild

ROLES = ("intermediary", "metropolis", "satellite", "small_town")
SECTIONS = ("africa", "mewa", "latam", "noram", "aspac", "eurasia", "europe")
SMALL_SECTIONS = ("africa", "latam", "europe")
#: Per section and role, how many cities (the most populous of that role in the section).
PER_ROLE = {"intermediary": 2, "metropolis": 1, "satellite": 1, "small_town": 1}
SMALL_PER_ROLE = {"intermediary": 1, "metropolis": 1, "satellite": 0, "small_town": 1}
#: Each assessment runs the balance index's Monte Carlo band (about 2 s on a shared core):
#: every city is assessed for 2024, and only the first few for 2023 too, to show a trend.
WITH_HISTORY = 3
CAPITALS = ("human", "social", "economic", "cultural", "environmental")
SOURCE = "illustrative values (cityforum demo)"


def raw_value(indicator: Any, score: float) -> float:
    """The indicator value that normalises to ``score`` (0–100): the goalposts read backwards."""
    if indicator.kind == "target":
        return float(indicator.target)
    if indicator.kind == "log":
        low, high = math.log(indicator.worst), math.log(indicator.best)
        return math.exp(low + score / 100 * (high - low))
    return float(indicator.worst + score / 100 * (indicator.best - indicator.worst))


def _values(indicators: list[Any], scores: dict[str, float]) -> list[Any]:
    from cityforum.assessments.services import ValueInput

    return [
        ValueInput(i.code, round(raw_value(i, scores[i.capital]), 4), source=SOURCE)
        for i in indicators
    ]


def assess_cities(run: DemoBuild) -> str:
    from cityforum.assessments import services
    from cityforum.assessments.models import Indicator
    from cityforum.cities.models import City

    organiser = run.people["organiser"]
    generator = random.Random(2021)
    indicators = list(Indicator.objects.all())
    quotas = SMALL_PER_ROLE if run.small else PER_ROLE
    assessed: list[Any] = []
    for section in SMALL_SECTIONS if run.small else SECTIONS:
        for role in ROLES:
            if not quotas[role]:
                continue
            cities = City.objects.filter(country__section__code=section, role__role=role).order_by(
                "-population"
            )[: quotas[role]]
            for city in cities:
                base = {c: generator.uniform(25, 80) for c in CAPITALS}
                years = ((2023, 0.0), (2024, 4.0)) if len(assessed) < WITH_HISTORY else ((2024, 0),)
                for year, drift in years:
                    scores = {
                        c: min(95.0, max(5.0, v + drift + generator.uniform(-3, 3)))
                        for c, v in base.items()
                    }
                    services.assess_city(city, year, _values(indicators, scores), by=organiser)
                assessed.append(city)
    if assessed:
        capitals = {
            c: services.CapitalInput(
                score=score, evidence="project report, p. 4" if score >= 3 else ""
            )
            for c, score in zip(CAPITALS, (3, 2, 3, 1, 4), strict=True)
        }
        services.assess_project(
            "Water kiosks and rain gardens",
            2024,
            capitals,
            by=organiser,
            city=assessed[0],
            budget="120000",
        )
    roles = {getattr(getattr(c, "role", None), "role", "") for c in assessed}
    return f"{len(assessed)} cities assessed (roles: {', '.join(sorted(roles))}), 1 project"
