"""The forum's recommendations, what supports them and how widely they are backed.

Published: every recommendation that is not a draft (consulted, adopted, and withdrawn ones
with their status — a withdrawal is public, with its reason on the site), its texts, line of
transformation, addressee, capitals and consultations, and its support **as counts**: total,
by constituency (organisation type), by world section, and whether it is backed across
regions (``recommendations.support``). Evidence rows link to the published contributions,
themes runs, opinion maps, statements and articles, with the snapshot the page shows (quote in
its original language, regions, count). Endorsements are published one row each with the
constituency and world section copied when they were given, and nothing else: no person, no
organisation, no date — so that a re-import rebuilds the same counts.

Not published: drafts, authors, who endorsed, the status log's actors, notes of evidence.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from ..schema import ARRAY, BOOLEAN, INTEGER, OBJECT, STRING, Dataset, Field, Ref, per_language
from ..scope import Scope

#: The statuses published: a draft is not the forum's yet.
PUBLISHED_STATUSES = ("consulted", "adopted", "withdrawn")


def _published(scope: Scope) -> Any:
    from cityforum.recommendations.models import Recommendation

    return Recommendation.objects.filter(status__in=PUBLISHED_STATUSES)


def _recommendation_rows(scope: Scope) -> Iterator[tuple[Any, ...]]:
    from cityforum.recommendations.support import support_many

    found = list(
        _published(scope)
        .select_related("region")
        .prefetch_related("capitals", "consultations")
        .order_by("pk")
    )
    supports = support_many(found)
    for rec in found:
        support = supports[rec.pk].as_dict()
        yield (
            rec.pk,
            rec.text,
            rec.language,
            rec.text_fr,
            rec.text_en,
            rec.text_es,
            rec.line,
            rec.addressee,
            rec.region.code if rec.region_id else None,
            rec.pact_component,
            rec.status,
            sorted(c.code for c in rec.capitals.all()),
            sorted(c.slug for c in rec.consultations.all()),
            support["total"],
            support["by_constituency"],
            support["by_region"],
            support["sections_endorsing"],
            support["needed"],
            support["backed_across_regions"],
        )


def _evidence_rows(scope: Scope) -> Iterator[tuple[Any, ...]]:
    """Evidence whose source is itself published (a contribution hidden since, a run no longer
    published, is left out rather than pointing nowhere)."""
    from cityforum.drafting.models import Article
    from cityforum.recommendations.models import Evidence

    articles = set(Article.objects.values_list("pk", flat=True))
    rows = (
        Evidence.objects.filter(recommendation__in=_published(scope))
        .order_by("recommendation_id", "pk")
        .values_list(
            "recommendation_id",
            "kind",
            "source_id",
            "key",
            "label",
            "quote",
            "language",
            "regions",
            "constituencies",
            "count",
        )
    )
    for rid, kind, source, key, label, quote, language, regions, constituencies, count in rows:
        contribution = theme_run = opinion_map = statement = article = None
        if kind == "contribution":
            if source not in scope.contribution_ids:
                continue
            contribution = source
        elif kind in ("theme", "trend", "specificity"):
            if source not in scope.theme_run_ids:
                continue
            theme_run = source
        elif kind == "consensus_statement":
            if source not in scope.opinion_run_ids or not str(key).isdigit():
                continue
            if int(key) not in scope.statement_ids:
                continue
            opinion_map, statement, key = source, int(key), ""
        elif kind == "article":
            if source not in articles:
                continue
            article = source
        yield (
            rid,
            kind,
            contribution,
            theme_run,
            opinion_map,
            statement,
            article,
            key,
            label,
            quote,
            language,
            list(regions or []),
            dict(constituencies or {}),
            count,
        )


def _endorsement_rows(scope: Scope) -> Iterator[tuple[Any, ...]]:
    from cityforum.recommendations.models import RecommendationEndorsement

    rows = (
        RecommendationEndorsement.objects.filter(recommendation__in=_published(scope))
        .order_by("recommendation_id", "pk")
        .values_list("recommendation_id", "constituency", "region__code")
    )
    yield from rows


RECOMMENDATION = Field(
    "recommendation",
    INTEGER,
    "The recommendation (recommendations.id)",
    required=True,
    ref=Ref("recommendations"),
)

DATASETS = (
    Dataset(
        name="recommendations",
        title=_("Recommendations"),
        description=_(
            "What the forum recommends, to whom, on which capitals and line of transformation, "
            "with how widely it is backed (counts only)."
        ),
        fields=(
            Field("id", INTEGER, "Number of the recommendation", required=True),
            Field("text", STRING, "The text in its original language", required=True),
            Field("language", STRING, "Its original language: fr, en or es", required=True),
            *per_language("text", "The text"),
            Field(
                "line",
                STRING,
                "Line of transformation: advocacy, financing, capacity_building, implementation",
                required=True,
            ),
            Field(
                "addressee",
                STRING,
                "Addressed to: local, national, regional (a world section) or global",
                required=True,
            ),
            Field(
                "region",
                STRING,
                "The world section addressed, for regional ones (regions.code)",
                ref=Ref("regions", "code"),
            ),
            Field(
                "pact_component",
                STRING,
                "Pact for the Future component: people, planet or government",
                required=True,
            ),
            Field("status", STRING, "consulted, adopted or withdrawn", required=True),
            Field(
                "capitals",
                ARRAY,
                "Codes of the one or two capitals it serves (capitals.code)",
                required=True,
                ref=Ref("capitals", "code", "[]"),
            ),
            Field(
                "consultations",
                ARRAY,
                "Slugs of the consultations it comes from (consultations.slug)",
                required=True,
                ref=Ref("consultations", "slug", "[]"),
            ),
            Field("endorsements", INTEGER, "Number of endorsements", required=True),
            Field(
                "endorsements_by_constituency",
                OBJECT,
                "Endorsements per organisation type ('unknown': no organisation)",
                required=True,
            ),
            Field(
                "endorsements_by_region",
                OBJECT,
                "Endorsements per world section code ('unknown': not known)",
                required=True,
            ),
            Field(
                "sections_endorsing",
                ARRAY,
                "World sections that took part and endorsed it (regions.code)",
                required=True,
                ref=Ref("regions", "code", "[]"),
            ),
            Field(
                "sections_needed",
                INTEGER,
                "Sections needed to be backed across regions: ⌈2R/3⌉ of the R that took part",
                required=True,
            ),
            Field(
                "backed_across_regions",
                BOOLEAN,
                "Endorsed from at least sections_needed sections",
                required=True,
            ),
        ),
        primary_key=("id",),
        rows=_recommendation_rows,
        internal_ids=True,
        order="id",
        notes="Drafts are not published; authors and endorsers are never named.",
    ),
    Dataset(
        name="recommendation_evidence",
        title=_("Evidence of the recommendations"),
        description=_(
            "What supports each recommendation, with the quote in its original language, "
            "the regions behind it and its count."
        ),
        fields=(
            RECOMMENDATION,
            Field(
                "kind",
                STRING,
                "contribution, theme, trend, specificity, consensus_statement or article",
                required=True,
            ),
            Field("contribution", INTEGER, "For a contribution", ref=Ref("contributions")),
            Field("theme_run", INTEGER, "For a theme, trend or specificity", ref=Ref("theme_runs")),
            Field("opinion_map", INTEGER, "For a consensus statement", ref=Ref("opinion_maps")),
            Field("statement", INTEGER, "The consensus statement", ref=Ref("statements")),
            Field("article", INTEGER, "For a Code of Conduct article", ref=Ref("articles")),
            Field(
                "key",
                STRING,
                "The theme id in its run; region:kind:key for a specificity",
            ),
            Field("label", STRING, "What it is called, as linked"),
            Field("quote", STRING, "Its quote, in its original language"),
            Field("language", STRING, "The quote's language"),
            Field("regions", ARRAY, "World sections behind it (regions.code)", required=True),
            Field("constituencies", OBJECT, "Counts per organisation type", required=True),
            Field("count", INTEGER, "How many contributions it stands for", required=True),
        ),
        primary_key=(),
        rows=_evidence_rows,
        order="recommendation",
        notes="Evidence whose source is no longer published is left out.",
    ),
    Dataset(
        name="recommendation_endorsements",
        title=_("Endorsements of the recommendations"),
        description=_(
            "One row per endorsement, with only the endorser's organisation type and world "
            "section when they endorsed: never who."
        ),
        fields=(
            RECOMMENDATION,
            Field("constituency", STRING, "Organisation type (empty: none)"),
            Field(
                "region",
                STRING,
                "World section (regions.code; empty: not known)",
                ref=Ref("regions", "code"),
            ),
        ),
        primary_key=(),
        rows=_endorsement_rows,
        order="recommendation",
        notes="The counts of recommendations.csv are made from these rows.",
    ),
)
