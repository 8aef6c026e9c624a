"""Approved syntheses: the themes runs an organiser approved, as reviewed, and each
consultation's latest opinion map.

Only what the public pages show: the kept themes of an approved run (rejected and merged-away
themes are left out), with their trends and regional specificities; contribution ids and
quotes of contributions hidden since are dropped. Opinion maps keep the statements that are
still accepted. A participant's position on the map is not published.
"""

from __future__ import annotations

from collections.abc import Iterator
from string import ascii_uppercase
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
    consultation_field,
)
from ..scope import Scope

#: Keys of a theme that have a column of their own; any other (the review's) go to ``review``.
THEME_KEYS = (
    "id",
    "labels",
    "terms",
    "term_weights",
    "size",
    "contributions",
    "quotes",
    "prevalence",
)
KEPT = "kept"


def _published_runs(scope: Scope) -> Iterator[Any]:
    runs = scope.theme_runs().select_related("consultation").defer("assignment").order_by("pk")
    for run in runs.iterator(chunk_size=20):
        yield run, run.published()


def kept_themes(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [t for t in document.get("themes", []) if t.get("status", KEPT) == KEPT]


def _public(ids: list[Any], scope: Scope) -> list[int]:
    return [i for i in ids if i in scope.contribution_ids]


def _theme_run_rows(scope: Scope) -> Iterator[tuple[Any, ...]]:
    for run, document in _published_runs(scope):
        yield (
            run.pk,
            run.consultation.slug if run.consultation_id else "",
            run.created_at,
            run.finished_at,
            run.approved_at,
            run.n_contributions,
            run.parameters,
            run.seed,
            run.input_sha256,
            run.engine_version,
            document.get("converged"),
            document.get("regions", {}),
        )


def _theme_rows(scope: Scope) -> Iterator[tuple[Any, ...]]:
    for run, document in _published_runs(scope):
        for theme in kept_themes(document):
            labels = theme.get("labels", {})
            yield (
                run.pk,
                theme["id"],
                *(labels.get(code, "") for code in LANGS),
                theme.get("terms", []),
                theme.get("term_weights", []),
                theme.get("size", 0),
                _public(theme.get("contributions", []), scope),
                [
                    q
                    for q in theme.get("quotes", [])
                    if q.get("contribution") in scope.contribution_ids
                ],
                theme.get("prevalence", {}),
                {k: v for k, v in theme.items() if k not in THEME_KEYS},
            )


def _trend_rows(scope: Scope) -> Iterator[tuple[Any, ...]]:
    for run, document in _published_runs(scope):
        kept = {t["id"] for t in kept_themes(document)}
        for trend in document.get("trends", []):
            if trend.get("theme") not in kept:
                continue
            yield (
                run.pk,
                trend["theme"],
                trend.get("overall"),
                trend.get("is_global"),
                trend.get("regions_present", []),
                trend.get("regions_absent", []),
                trend.get("regions_total"),
                trend.get("evenness"),
                _public(trend.get("contributions", []), scope),
            )


def _specificity_rows(scope: Scope) -> Iterator[tuple[Any, ...]]:
    for run, document in _published_runs(scope):
        for s in document.get("specificities", []):
            labels = s.get("labels", {})
            yield (
                run.pk,
                s.get("region", ""),
                s.get("kind", ""),
                str(s.get("key", "")),
                *(labels.get(code, "") for code in LANGS),
                s.get("z"),
                s.get("count"),
                s.get("count_rest"),
                _public(s.get("contributions", []), scope),
            )


def _opinion_runs(scope: Scope) -> Iterator[Any]:
    from cityforum.synthesis.models import OpinionMapRun

    runs = (
        OpinionMapRun.objects.filter(pk__in=sorted(scope.opinion_run_ids))
        .select_related("consultation")
        .order_by("consultation__slug", "pk")
    )
    yield from runs.iterator(chunk_size=10)


def _accepted(items: list[dict[str, Any]], scope: Scope) -> list[dict[str, Any]]:
    return [item for item in items if item.get("statement") in scope.statement_ids]


def _by_statement(values: dict[str, Any], scope: Scope) -> dict[str, Any]:
    return {key: value for key, value in values.items() if int(key) in scope.statement_ids}


def _opinion_map_rows(scope: Scope) -> Iterator[tuple[Any, ...]]:
    for run in _opinion_runs(scope):
        result, figures = run.result or {}, run.figures or {}
        yield (
            run.pk,
            run.consultation.slug,
            run.created_at,
            run.finished_at,
            run.n_votes,
            figures.get("n_participants"),
            run.parameters,
            run.seed,
            run.input_sha256,
            run.engine_version,
            {side: _accepted(items, scope) for side, items in result.get("consensus", {}).items()},
            _accepted(result.get("divisive", []), scope),
            _by_statement(result.get("group_informed_consensus", {}), scope),
            _by_statement(figures.get("shares", {}), scope),
        )


def group_label(group: int) -> str:
    return ascii_uppercase[group] if 0 <= group < 26 else str(group + 1)


def _opinion_group_rows(scope: Scope) -> Iterator[tuple[Any, ...]]:
    for run in _opinion_runs(scope):
        result, figures = run.result or {}, run.figures or {}
        composition = figures.get("composition", {})
        by_region = composition.get("by_region", [])
        by_kind = composition.get("by_organisation_kind", [])
        for group in result.get("groups", []):
            g = int(group["id"])
            yield (
                run.pk,
                g,
                group_label(g),
                group.get("size", 0),
                _accepted(group.get("representative", []), scope),
                by_region[g] if g < len(by_region) else {},
                by_kind[g] if g < len(by_kind) else {},
            )


RUN = Field("run", INTEGER, "The themes run (theme_runs.id)", required=True, ref=Ref("theme_runs"))
CONTRIBUTIONS = "Ids of its public contributions (contributions.id)"


def _labels(what: str) -> tuple[Field, ...]:
    names = {"fr": "French", "en": "English", "es": "Spanish"}
    return tuple(Field(f"label_{code}", STRING, f"{what} in {names[code]}") for code in LANGS)


DATASETS = (
    Dataset(
        name="theme_runs",
        title=_("Themes syntheses"),
        description=_(
            "The cross-lingual syntheses of the contributions an organiser approved: scope, "
            "parameters and provenance."
        ),
        fields=(
            Field("id", INTEGER, "Number of the run", required=True),
            consultation_field(
                required=False, what="The consultation it covers (slug); empty: all of them"
            ),
            Field("created_at", DATETIME, "When it was computed (UTC)", required=True),
            Field("finished_at", DATETIME, "When the computation finished (UTC)"),
            Field("approved_at", DATETIME, "When an organiser approved it (UTC)", required=True),
            Field("n_contributions", INTEGER, "Contributions it read", required=True),
            Field("parameters", OBJECT, "Parameters of the engine", required=True),
            Field("seed", INTEGER, "Random seed", required=True),
            Field(
                "input_sha256",
                STRING,
                "SHA-256 of its input (contributions' ids, texts, languages, regions)",
            ),
            Field("engine_version", STRING, "Versions of the code that computed it"),
            Field("converged", BOOLEAN, "The model converged"),
            Field(
                "regions", OBJECT, "Names of the regions it compares, per language", required=True
            ),
        ),
        primary_key=("id",),
        rows=_theme_run_rows,
        internal_ids=True,
        order="id",
    ),
    Dataset(
        name="themes",
        title=_("Themes"),
        description=_(
            "The themes of each approved synthesis, as reviewed: labels, words, size, "
            "contributions, quotes and prevalence per region."
        ),
        fields=(
            RUN,
            Field("theme", INTEGER, "Number of the theme within its run", required=True),
            *_labels("Label"),
            Field("terms", ARRAY, "Its words and concepts, strongest first", required=True),
            Field("term_weights", ARRAY, "Their weights"),
            Field("size", INTEGER, "Contributions in the theme", required=True),
            Field(
                "contributions",
                ARRAY,
                CONTRIBUTIONS,
                required=True,
                ref=Ref("contributions", "id", "[]"),
            ),
            Field(
                "quotes",
                ARRAY,
                "Quotes: contribution, language, region, text (the original words)",
                required=True,
                ref=Ref("contributions", "id", "[].contribution"),
            ),
            Field(
                "prevalence",
                OBJECT,
                "Per region: count, total, share and its 95 % Wilson interval (low, high)",
                required=True,
            ),
            Field(
                "review", OBJECT, "What the organisers' review did: status, renamed, merged_from…"
            ),
        ),
        primary_key=("run", "theme"),
        rows=_theme_rows,
        order="run, theme",
    ),
    Dataset(
        name="theme_trends",
        title=_("Global trends"),
        description=_("How evenly each theme is present across the regions."),
        fields=(
            RUN,
            Field("theme", INTEGER, "The theme (themes.theme in the same run)", required=True),
            Field("overall", NUMBER, "Share of all contributions"),
            Field("is_global", BOOLEAN, "Present in most regions: a global trend"),
            Field("regions_present", ARRAY, "Regions where it is present"),
            Field("regions_absent", ARRAY, "Regions where it is absent"),
            Field("regions_total", INTEGER, "Regions compared"),
            Field("evenness", NUMBER, "Evenness across regions (0 to 1)"),
            Field(
                "contributions",
                ARRAY,
                CONTRIBUTIONS,
                required=True,
                ref=Ref("contributions", "id", "[]"),
            ),
        ),
        primary_key=("run", "theme"),
        rows=_trend_rows,
        order="run, as the run lists them",
    ),
    Dataset(
        name="theme_specificities",
        title=_("Regional specificities"),
        description=_("Themes and concepts a region speaks of more than the others."),
        fields=(
            RUN,
            Field("region", STRING, "The region (regions.code)", required=True),
            Field("kind", STRING, "theme or concept", required=True),
            Field("key", STRING, "The theme's number or the concept's key", required=True),
            *_labels("Label"),
            Field("z", NUMBER, "z-score of the difference"),
            Field("count", INTEGER, "Contributions in the region"),
            Field("count_rest", INTEGER, "Contributions in the other regions"),
            Field(
                "contributions",
                ARRAY,
                CONTRIBUTIONS,
                required=True,
                ref=Ref("contributions", "id", "[]"),
            ),
        ),
        primary_key=("run", "region", "kind", "key"),
        rows=_specificity_rows,
        order="run, as the run lists them",
    ),
    Dataset(
        name="opinion_maps",
        title=_("Opinion maps"),
        description=_(
            "Each consultation's latest opinion map (the Pol.is method): consensus and "
            "divisive statements, vote shares."
        ),
        fields=(
            Field("id", INTEGER, "Number of the run", required=True),
            consultation_field(),
            Field("created_at", DATETIME, "When it was requested (UTC)", required=True),
            Field("finished_at", DATETIME, "When it was computed (UTC)"),
            Field("n_votes", INTEGER, "Votes it read", required=True),
            Field("n_participants", INTEGER, "Voters it placed"),
            Field("parameters", OBJECT, "Parameters of the engine", required=True),
            Field("seed", INTEGER, "Random seed", required=True),
            Field("input_sha256", STRING, "SHA-256 of its input"),
            Field("engine_version", STRING, "Versions of the code that computed it"),
            Field(
                "consensus",
                OBJECT,
                "Statements most agree (agree) or disagree (disagree) with, across groups",
                required=True,
                ref=Ref("statements", "id", "*[].statement"),
            ),
            Field(
                "divisive",
                ARRAY,
                "Statements the groups disagree on",
                required=True,
                ref=Ref("statements", "id", "[].statement"),
            ),
            Field(
                "group_informed_consensus",
                OBJECT,
                "Per statement id: the group-informed consensus",
                required=True,
                ref=Ref("statements", "id", "{}"),
            ),
            Field(
                "shares",
                OBJECT,
                "Per statement id: agree, disagree and seen counts per group, then in all",
                required=True,
                ref=Ref("statements", "id", "{}"),
            ),
        ),
        primary_key=("id",),
        rows=_opinion_map_rows,
        internal_ids=True,
        order="consultation, id",
    ),
    Dataset(
        name="opinion_groups",
        title=_("Opinion groups"),
        description=_(
            "The groups of each opinion map: size, representative statements and make-up by "
            "world section and organisation type."
        ),
        fields=(
            Field(
                "run",
                INTEGER,
                "The opinion map (opinion_maps.id)",
                required=True,
                ref=Ref("opinion_maps"),
            ),
            Field("group", INTEGER, "Number of the group (0 is A)", required=True),
            Field("label", STRING, "Its letter", required=True),
            Field("size", INTEGER, "Voters in the group", required=True),
            Field(
                "representative",
                ARRAY,
                "Statements that set it apart: statement, direction, probability, repness, z",
                required=True,
                ref=Ref("statements", "id", "[].statement"),
            ),
            Field(
                "by_region",
                OBJECT,
                "Its voters by world section (unknown: not said)",
                required=True,
            ),
            Field(
                "by_organisation_kind",
                OBJECT,
                "Its voters by type of organisation (unknown: not said)",
                required=True,
            ),
        ),
        primary_key=("run", "group"),
        rows=_opinion_group_rows,
        order="run, group",
    ),
)
