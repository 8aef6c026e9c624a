"""Public contributions, and the organisations the published data names.

A contribution never carries its author: no name, no e-mail, no account number. The
organisation it was written for appears only once an organiser verified it (see
:mod:`..scope`); workshop minutes name the organisation they speak for, as their page does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from ..schema import (
    ARRAY,
    BOOLEAN,
    DATE,
    DATETIME,
    INTEGER,
    STRING,
    Dataset,
    Field,
    Ref,
    consultation_field,
)
from ..scope import Scope


def _organisation_rows(scope: Scope) -> Iterator[tuple[Any, ...]]:
    rows = (
        scope.organisations()
        .order_by("pk")
        .values_list("pk", "name", "kind", "country_id", "city_id", "verified")
    )
    for pk, name, kind, country, city, verified in rows:
        yield (pk, name, kind, country or "", city, verified)


def _contribution_rows(scope: Scope) -> Iterator[tuple[Any, ...]]:
    from cityforum.participation.models import Contribution

    capitals: dict[int, list[str]] = defaultdict(list)
    through = Contribution.capitals.through.objects.filter(
        contribution_id__in=scope.contributions().values("pk")
    ).order_by("capital__order", "capital__code")
    for contribution_id, code in through.values_list("contribution_id", "capital__code"):
        capitals[contribution_id].append(code)
    verified = scope.verified_organisation_ids
    rows = (
        scope.contributions()
        .order_by("pk")
        .values_list(
            "pk",
            "consultation__slug",
            "type",
            "title",
            "body",
            "language",
            "region__code",
            "city_id",
            "organisation_id",
            "source",
            "meeting_name",
            "meeting_date",
            "meeting_place",
            "on_behalf_of_id",
            "created_at",
        )
    )
    for row in rows.iterator(chunk_size=2000):
        (pk, consultation, type_, title, body, language, region, city, organisation) = row[:9]
        source, meeting_name, meeting_date, meeting_place, on_behalf_of, created_at = row[9:]
        yield (
            pk,
            consultation,
            type_,
            title,
            body,
            language,
            capitals.get(pk, []),
            region or "",
            city,
            organisation if organisation in verified else None,
            source,
            meeting_name,
            meeting_date,
            meeting_place,
            on_behalf_of,
            created_at,
        )


DATASETS = (
    Dataset(
        name="organisations",
        title=_("Organisations"),
        description=_(
            "The organisations the published data names: verified organisations of "
            "contributors, organisations that held workshops, signatories."
        ),
        fields=(
            Field("id", INTEGER, "Number of the organisation in this bundle", required=True),
            Field("name", STRING, "Name", required=True),
            Field(
                "kind",
                STRING,
                "local_government, network, partner, civil_society, academia or private_sector",
                required=True,
            ),
            Field("country", STRING, "ISO 3166-1 alpha-2 code", ref=Ref("countries", "iso2")),
            Field("city", INTEGER, "GeoNames id of its city", ref=Ref("cities", "geonameid")),
            Field("verified", BOOLEAN, "An organiser verified it", required=True),
        ),
        primary_key=("id",),
        rows=_organisation_rows,
        internal_ids=True,
        order="id",
    ),
    Dataset(
        name="contributions",
        title=_("Contributions"),
        description=_(
            "Proposals, practices, challenges and recommendations, as written, in their own "
            "language; only those visible on the site, never their author."
        ),
        fields=(
            Field("id", INTEGER, "Number of the contribution", required=True),
            consultation_field(),
            Field(
                "type",
                STRING,
                "proposal, practice, challenge or recommendation",
                required=True,
            ),
            Field("title", STRING, "Title, as written", required=True),
            Field("body", STRING, "Text, as written (light Markdown)", required=True),
            Field(
                "language", STRING, "Language it is written in: fr, en, es, ca or pt", required=True
            ),
            Field(
                "capitals",
                ARRAY,
                "Codes of the capitals its author chose (capitals.code)",
                required=True,
                ref=Ref("capitals", "code", "[]"),
            ),
            Field(
                "region",
                STRING,
                "The world section it speaks for (regions.code), set when it was written",
                ref=Ref("regions", "code"),
            ),
            Field(
                "city",
                INTEGER,
                "GeoNames id of the city it speaks for",
                ref=Ref("cities", "geonameid"),
            ),
            Field(
                "organisation",
                INTEGER,
                "The verified organisation it was written for (organisations.id); empty otherwise",
                ref=Ref("organisations"),
            ),
            Field("source", STRING, "online, or workshop (minutes of a meeting)", required=True),
            Field("meeting_name", STRING, "Workshop minutes: the meeting"),
            Field("meeting_date", DATE, "Workshop minutes: its date"),
            Field("meeting_place", STRING, "Workshop minutes: its place"),
            Field(
                "on_behalf_of",
                INTEGER,
                "Workshop minutes: the organisation they speak for (organisations.id)",
                ref=Ref("organisations"),
            ),
            Field("created_at", DATETIME, "When it was written (UTC)", required=True),
        ),
        primary_key=("id",),
        rows=_contribution_rows,
        internal_ids=True,
        order="id",
    ),
)
