"""The forum's programme: editions, the five capitals, the regions and the consultations."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from cityforum.core.languages import CONTENT_LANGUAGES as LANGS

from ..schema import (
    ARRAY,
    DATE,
    INTEGER,
    STRING,
    Dataset,
    Field,
    Ref,
    per_language,
)
from ..scope import Scope

FORUM_CONTENT = ("name", "tagline", "description")
CONSULTATION_CONTENT = ("title", "vision", "objective", "expected_output")


def _forum_rows(scope: Scope) -> Iterator[tuple[Any, ...]]:
    from cityforum.programme.models import Forum

    for forum in Forum.objects.order_by("edition", "slug"):
        yield (
            forum.slug,
            forum.edition,
            *(getattr(forum, f"{name}_{code}") for name in FORUM_CONTENT for code in LANGS),
            forum.host,
            forum.starts_on,
            forum.ends_on,
            forum.licence,
            forum.licence_name,
            forum.licence_url,
        )


def _capital_rows(scope: Scope) -> Iterator[tuple[Any, ...]]:
    from cityforum.programme.models import Capital

    for capital in Capital.objects.order_by("order", "code"):
        yield (
            capital.code,
            capital.order,
            *(getattr(capital, f"name_{code}") for code in LANGS),
            *(getattr(capital, f"description_{code}") for code in LANGS),
        )


def _region_rows(scope: Scope) -> Iterator[tuple[Any, ...]]:
    from cityforum.programme.models import Region

    for region in Region.objects.order_by("order", "code"):
        yield (
            region.code,
            region.kind,
            region.order,
            *(getattr(region, f"name_{code}") for code in LANGS),
            region.short_name,
        )


def _consultation_rows(scope: Scope) -> Iterator[tuple[Any, ...]]:
    from cityforum.programme.models import Consultation

    capitals: dict[int, list[str]] = defaultdict(list)
    through = Consultation.capitals.through.objects.order_by("capital__order", "capital__code")
    for consultation_id, code in through.values_list("consultation_id", "capital__code"):
        capitals[consultation_id].append(code)
    consultations = Consultation.objects.select_related("forum", "region").order_by(
        "forum__edition", "order", "slug"
    )
    for c in consultations:
        yield (
            c.slug,
            c.forum.slug,
            c.kind,
            c.order,
            c.date,
            c.status,
            c.region.code if c.region_id else "",
            capitals.get(c.pk, []),
            *(getattr(c, f"{name}_{code}") for name in CONSULTATION_CONTENT for code in LANGS),
        )


DATASETS = (
    Dataset(
        name="forums",
        title=_("Forums"),
        description=_("Each edition of the forum, its dates and the licence of its open data."),
        fields=(
            Field("slug", STRING, "Identifier of the edition", required=True),
            Field("edition", INTEGER, "Edition number (2 for the 2nd forum)", required=True),
            *per_language("name", "Name", required_source=True),
            *per_language("tagline", "Tagline"),
            *per_language("description", "Description"),
            Field("host", STRING, "Host city or organisation", required=True),
            Field("starts_on", DATE, "First day of the consultation period", required=True),
            Field("ends_on", DATE, "Last day of the consultation period", required=True),
            Field(
                "licence",
                STRING,
                "SPDX identifier of the licence of the forum's data (default CC-BY-4.0)",
                required=True,
            ),
            Field("licence_name", STRING, "Name of that licence"),
            Field("licence_url", STRING, "Address of that licence's text"),
        ),
        primary_key=("slug",),
        rows=_forum_rows,
        order="edition",
    ),
    Dataset(
        name="capitals",
        title=_("Capitals of resilience"),
        description=_("The five capitals (human, social, economic, cultural, environmental)."),
        fields=(
            Field("code", STRING, "Code of the capital", required=True),
            Field("order", INTEGER, "Position in lists", required=True),
            *per_language("name", "Name", required_source=True),
            *per_language("description", "Description"),
        ),
        primary_key=("code",),
        rows=_capital_rows,
        order="order",
    ),
    Dataset(
        name="regions",
        title=_("Regions"),
        description=_("The UCLG world sections and the world, which consultations belong to."),
        fields=(
            Field("code", STRING, "Code of the region", required=True),
            Field("kind", STRING, "section (a UCLG world section) or world", required=True),
            Field("order", INTEGER, "Position in lists", required=True),
            *per_language("name", "Name", required_source=True),
            Field("short_name", STRING, "Short name"),
        ),
        primary_key=("code",),
        rows=_region_rows,
        order="order, code",
    ),
    Dataset(
        name="consultations",
        title=_("Consultations"),
        description=_(
            "The consultations of the series, thematic or regional, with their capitals, "
            "region, date, status, vision, objective and expected output in each language."
        ),
        fields=(
            Field("slug", STRING, "Identifier of the consultation", required=True),
            Field(
                "forum",
                STRING,
                "The edition (forums.slug)",
                required=True,
                ref=Ref("forums", "slug"),
            ),
            Field("kind", STRING, "thematic or regional", required=True),
            Field("order", INTEGER, "Position in the programme", required=True),
            Field("date", DATE, "Date of the consultation; empty while to be confirmed"),
            Field(
                "status",
                STRING,
                "planned, open, closed, synthesised or published",
                required=True,
            ),
            Field(
                "region",
                STRING,
                "The region of a regional consultation (regions.code); empty for a thematic one",
                ref=Ref("regions", "code"),
            ),
            Field(
                "capitals",
                ARRAY,
                "Codes of the capitals it is about (capitals.code)",
                required=True,
                ref=Ref("capitals", "code", "[]"),
            ),
            *per_language("title", "Title", required_source=True),
            *per_language("vision", "Vision"),
            *per_language("objective", "Objective"),
            *per_language("expected_output", "Expected output"),
        ),
        primary_key=("slug",),
        rows=_consultation_rows,
        order="forum edition, order, slug",
        notes="Slugs are unique within a forum; the bundle names a consultation by its slug.",
    ),
)
