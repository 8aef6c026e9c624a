"""The registry: countries with their UCLG world section, and every city with its role.

Cities come from GeoNames (CC BY 4.0, see ATTRIBUTION.md); their role (metropolis,
intermediary city…) and the measures behind it are the forum's own classification.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from ..schema import ARRAY, BOOLEAN, INTEGER, NUMBER, STRING, Dataset, Field, Ref
from ..scope import Scope

#: The columns of :class:`~cityforum.cities.models.CityRole`, in the bundle's order.
ROLE_FIELDS = (
    Field(
        "role",
        STRING,
        "metropolis, satellite, intermediary, small_town or merged; empty: not classified",
    ),
    Field("subtype", STRING, "regional, remote, networked or primate"),
    Field("criteria", STRING, "Criteria met: a regional centre, b administrative seat, c remote"),
    Field(
        "population_band",
        STRING,
        "metropolis (1 million or more), intermediary (50,000 to 1 million) or below",
    ),
    Field("intermediation_score", NUMBER, "Intermediation score 0–100"),
    Field("national_rank", INTEGER, "Rank by population in its country"),
    Field("primacy", NUMBER, "Its population as a share of the country's largest city"),
    Field("d_larger_km", NUMBER, "Km to the nearest larger place in the country (empty: none)"),
    Field(
        "d_larger_any_km", NUMBER, "Km to the nearest larger place, across borders (empty: none)"
    ),
    Field("d_metropolis_km", NUMBER, "Km to the nearest metropolis (empty: none)"),
    Field("dominance", NUMBER, "Its share of the population within 25 km"),
    Field("hinterland_n", INTEGER, "Places in its hinterland"),
    Field("hinterland_pop", INTEGER, "Population of its hinterland"),
    Field("hinterland_percentile", NUMBER, "Percentile of that population in its country"),
    Field("confidence", STRING, "Confidence of the classification"),
    Field("peers_n", INTEGER, "Places of similar size within 75 km"),
    Field("admin_seat", BOOLEAN, "Seat of a first-level administrative division"),
    Field("national_capital", BOOLEAN, "National capital"),
    Field("merged_into", INTEGER, "GeoNames id of the larger twin it was merged into"),
)
ROLE_COLUMNS = tuple(f.name for f in ROLE_FIELDS)


def _country_rows(scope: Scope) -> Iterator[tuple[Any, ...]]:
    from cityforum.cities.models import Country

    secondary: dict[str, list[str]] = defaultdict(list)
    through = Country.secondary_sections.through.objects.order_by("region__order", "region__code")
    for iso2, code in through.values_list("country_id", "region__code"):
        secondary[iso2].append(code)
    for c in Country.objects.select_related("section").order_by("iso2"):
        yield (
            c.iso2,
            c.iso3,
            c.name,
            c.population,
            c.section.code,
            secondary.get(c.iso2, []),
            c.section_note,
        )


def _city_rows(scope: Scope) -> Iterator[tuple[Any, ...]]:
    from cityforum.cities.models import City

    columns = [f"role__{name}" for name in ROLE_COLUMNS]
    rows = City.objects.order_by("geonameid").values_list(
        "geonameid",
        "name",
        "country_id",
        "admin1_code",
        "latitude",
        "longitude",
        "population",
        "timezone",
        *columns,
    )
    no_role = tuple("" if f.type == STRING else None for f in ROLE_FIELDS)
    for row in rows.iterator(chunk_size=5000):
        base, role = row[:8], row[8:]
        yield (*base, *(role if role[0] is not None else no_role))


DATASETS = (
    Dataset(
        name="countries",
        title=_("Countries"),
        description=_("Countries and territories with their UCLG world section."),
        fields=(
            Field("iso2", STRING, "ISO 3166-1 alpha-2 code", required=True),
            Field("iso3", STRING, "ISO 3166-1 alpha-3 code"),
            Field("name", STRING, "Name (English)", required=True),
            Field("population", INTEGER, "Population"),
            Field(
                "section",
                STRING,
                "Its UCLG world section (regions.code)",
                required=True,
                ref=Ref("regions", "code"),
            ),
            Field(
                "secondary_sections",
                ARRAY,
                "Other sections it also belongs to (regions.code)",
                required=True,
                ref=Ref("regions", "code", "[]"),
            ),
            Field("section_note", STRING, "Note on the section"),
        ),
        primary_key=("iso2",),
        rows=_country_rows,
        order="iso2",
    ),
    Dataset(
        name="cities",
        title=_("Cities and their roles"),
        description=_(
            "Every place of the registry (GeoNames) with its role in the urban system: "
            "metropolis, intermediary city, small town…, and the measures behind it."
        ),
        fields=(
            Field("geonameid", INTEGER, "GeoNames id", required=True),
            Field("name", STRING, "Name", required=True),
            Field(
                "country",
                STRING,
                "Its country (countries.iso2)",
                required=True,
                ref=Ref("countries", "iso2"),
            ),
            Field("admin1_code", STRING, "Code of its first-level administrative division"),
            Field("latitude", NUMBER, "Latitude (WGS 84)", required=True),
            Field("longitude", NUMBER, "Longitude (WGS 84)", required=True),
            Field("population", INTEGER, "Population (GeoNames)", required=True),
            Field("timezone", STRING, "Time zone"),
            *ROLE_FIELDS,
        ),
        primary_key=("geonameid",),
        rows=_city_rows,
        order="geonameid",
        notes="Registry data © GeoNames (geonames.org), CC BY 4.0; roles computed by cityforum.",
    ),
)
