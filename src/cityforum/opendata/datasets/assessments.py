"""The indicator framework and the assessments of cities, projects and local agendas, with the
scores they were computed with (never recomputed here)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from cityforum.core.languages import CONTENT_LANGUAGES as LANGS

from ..schema import (
    ARRAY,
    BOOLEAN,
    DATETIME,
    INTEGER,
    NUMBER,
    OBJECT,
    STRING,
    Dataset,
    Field,
    Ref,
    per_language,
)
from ..scope import Scope


def _indicator_rows(scope: Scope) -> Iterator[tuple[Any, ...]]:
    from cityforum.assessments.models import Indicator

    for i in Indicator.objects.order_by("order", "code"):
        yield (
            i.code,
            i.capital,
            i.order,
            *(getattr(i, f"name_{code}") for code in LANGS),
            *(getattr(i, f"guidance_{code}") for code in LANGS),
            i.unit,
            i.direction,
            i.kind,
            i.worst,
            i.best,
            i.target,
            i.tolerance,
            i.plausible_min,
            i.plausible_max,
            i.sdg,
            i.version,
        )


def _assessment_rows(scope: Scope) -> Iterator[tuple[Any, ...]]:
    from cityforum.assessments.models import Assessment

    for a in Assessment.objects.order_by("pk").iterator(chunk_size=500):
        yield (
            a.pk,
            a.kind,
            a.city_id,
            a.title,
            a.agenda_id,
            a.year,
            a.version,
            a.budget,
            a.scores,
            a.level,
            a.bri,
            a.balance,
            a.band,
            a.flags,
            a.uncertainty,
            a.framework,
            a.computed_at,
        )


def _value_rows(scope: Scope) -> Iterator[tuple[Any, ...]]:
    from cityforum.assessments.models import IndicatorValue

    rows = IndicatorValue.objects.order_by("assessment_id", "indicator__order", "indicator__code")
    yield from rows.values_list(
        "assessment_id", "indicator__code", "value", "normalised", "source", "confidence"
    ).iterator(chunk_size=5000)


def _self_score_rows(scope: Scope) -> Iterator[tuple[Any, ...]]:
    from cityforum.assessments.models import SelfAssessment

    rows = SelfAssessment.objects.order_by("assessment_id", "capital").values_list(
        "assessment_id", "capital", "score", "evidence", "confidence", "adverse_effect"
    )
    yield from rows.iterator(chunk_size=5000)


ASSESSMENT = Field(
    "assessment", INTEGER, "The assessment (assessments.id)", required=True, ref=Ref("assessments")
)

DATASETS = (
    Dataset(
        name="indicators",
        title=_("Indicators of resilience"),
        description=_(
            "The indicator framework: capital, unit, goalposts and version of each indicator."
        ),
        fields=(
            Field("code", STRING, "Code of the indicator (H1, S2…)", required=True),
            Field(
                "capital",
                STRING,
                "The capital it measures (capitals.code)",
                required=True,
                ref=Ref("capitals", "code"),
            ),
            Field("order", INTEGER, "Position in lists", required=True),
            *per_language("name", "Name"),
            *per_language("guidance", "How to measure it"),
            Field("unit", STRING, "Unit", required=True),
            Field(
                "direction",
                STRING,
                "+ (higher is better), - (lower is better) or target",
                required=True,
            ),
            Field("kind", STRING, "Normalisation: linear, log or target", required=True),
            Field("worst", NUMBER, "Goalpost L (worst)"),
            Field("best", NUMBER, "Goalpost U (best)"),
            Field("target", NUMBER, "Target T"),
            Field("tolerance", NUMBER, "Tolerance D around the target"),
            Field("plausible_min", NUMBER, "Smallest plausible value", required=True),
            Field("plausible_max", NUMBER, "Largest plausible value", required=True),
            Field("sdg", STRING, "Link to a Sustainable Development Goal"),
            Field("version", INTEGER, "Version of its normalisation", required=True),
        ),
        primary_key=("code",),
        rows=_indicator_rows,
        order="order, code",
    ),
    Dataset(
        name="assessments",
        title=_("Assessments"),
        description=_(
            "Capital scores of cities by year, of projects and of local agendas, every version, "
            "as they were computed."
        ),
        fields=(
            Field("id", INTEGER, "Number of the assessment", required=True),
            Field("kind", STRING, "city, project or agenda", required=True),
            Field("city", INTEGER, "GeoNames id of the city", ref=Ref("cities", "geonameid")),
            Field("title", STRING, "Title of a project or agenda"),
            Field(
                "agenda",
                INTEGER,
                "The local agenda of a project (assessments.id)",
                ref=Ref("assessments"),
            ),
            Field("year", INTEGER, "Year assessed", required=True),
            Field(
                "version",
                INTEGER,
                "Version (a new assessment of the same year is a new version)",
                required=True,
            ),
            Field("budget", NUMBER, "Budget of a project"),
            Field(
                "scores",
                OBJECT,
                "Score 0–100 per capital code (null: insufficient data)",
                required=True,
            ),
            Field("level", NUMBER, "Mean level of the capitals"),
            Field("bri", NUMBER, "Balanced resilience index"),
            Field("balance", NUMBER, "Balance of the capitals (1: even)"),
            Field("band", STRING, "balanced, uneven or unbalanced"),
            Field("flags", ARRAY, "Capitals left behind (under half the level)", required=True),
            Field(
                "uncertainty",
                OBJECT,
                "Median BRI and its 90 % band over Monte Carlo draws",
                required=True,
            ),
            Field("framework", OBJECT, "Versions of the indicators used, by code", required=True),
            Field("computed_at", DATETIME, "When the scores were computed (UTC)"),
        ),
        primary_key=("id",),
        rows=_assessment_rows,
        internal_ids=True,
        order="id",
    ),
    Dataset(
        name="indicator_values",
        title=_("Indicator values"),
        description=_("The measured values behind each city assessment, with their sources."),
        fields=(
            ASSESSMENT,
            Field(
                "indicator",
                STRING,
                "The indicator (indicators.code)",
                required=True,
                ref=Ref("indicators", "code"),
            ),
            Field("value", NUMBER, "Value, in the indicator's unit", required=True),
            Field("normalised", NUMBER, "Normalised value 0–100"),
            Field("source", STRING, "Where the value comes from", required=True),
            Field("confidence", STRING, "low, medium or high", required=True),
        ),
        primary_key=("assessment", "indicator"),
        rows=_value_rows,
        order="assessment, indicator",
    ),
    Dataset(
        name="project_scores",
        title=_("Project self-assessments"),
        description=_("A project's 0–5 score on each capital, with its evidence."),
        fields=(
            ASSESSMENT,
            Field(
                "capital",
                STRING,
                "The capital (capitals.code)",
                required=True,
                ref=Ref("capitals", "code"),
            ),
            Field("score", INTEGER, "Score 0–5", required=True),
            Field("evidence", STRING, "Evidence given"),
            Field("confidence", STRING, "low, medium or high", required=True),
            Field(
                "adverse_effect",
                BOOLEAN,
                "Does significant harm (caps the capital at 1)",
                required=True,
            ),
        ),
        primary_key=("assessment", "capital"),
        rows=_self_score_rows,
        order="assessment, capital",
    ),
)
