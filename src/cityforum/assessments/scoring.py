"""From stored rows to capital scores, through the pure engine :mod:`cityforum.analysis.capitals`.

Nothing here writes: :mod:`.services` calls these functions and stores what they return.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import median
from typing import Any

from cityforum.analysis.capitals import (
    CAPITALS,
    BalanceInputError,
    Goalposts,
    TargetBand,
    balance_index,
    balance_uncertainty,
    capital_score,
)
from cityforum.analysis.capitals import Indicator as EngineIndicator

UNCERTAINTY_DRAWS = 1000
"""resilience.md §2: 1,000 draws (about 1.5 s for one city with the engine as it is)."""
UNCERTAINTY_SEED = 20210430
"""Fixed, so that the stored band of an assessment is reproducible (the first consultation)."""


def normaliser(kind: str, worst: Any, best: Any, target: Any, tolerance: Any) -> Any:
    """The engine's normaliser for an indicator's settings; raises GoalpostsError if unusable."""
    if kind == "target":
        return TargetBand(float(target), float(tolerance))
    return Goalposts(float(worst), float(best), "log" if kind == "log" else "linear")


def normalise(indicator: Any, value: float) -> float:
    return float(
        normaliser(
            indicator.kind, indicator.worst, indicator.best, indicator.target, indicator.tolerance
        ).normalise(value)
    )


@dataclass(frozen=True)
class Profile:
    """Five capital scores (``None`` where data is too thin) and, when complete, the balance."""

    scores: dict[str, float | None]
    level: float | None = None
    bri: float | None = None
    balance: float | None = None
    band: str = ""
    flags: tuple[str, ...] = ()


def profile(scores: Mapping[str, float | None]) -> Profile:
    """Level, BRI, balance and band of five scores, or just the scores when one is missing."""
    clean = {c: (None if scores.get(c) is None else float(scores[c])) for c in CAPITALS}  # type: ignore[arg-type]
    if any(v is None for v in clean.values()):
        return Profile(clean)
    result = balance_index(clean)
    return Profile(
        clean, result.level, result.bri, result.balance, result.band, tuple(result.flags)
    )


def city_scores(
    normalised: Mapping[str, float], indicators_by_capital: Mapping[str, Sequence[str]]
) -> dict[str, float | None]:
    """Each capital's mean over its indicators, withheld unless enough are present."""
    out: dict[str, float | None] = {}
    for capital in CAPITALS:
        codes = indicators_by_capital.get(capital, ())
        out[capital] = capital_score([normalised.get(code) for code in codes]).value
    return out


def project_scores(effective: Mapping[str, int]) -> dict[str, float | None]:
    """A 0–5 score per capital, multiplied by 20."""
    return {c: float(effective[c]) * 20.0 for c in CAPITALS}


def agenda_scores(projects: Iterable[tuple[Mapping[str, Any], float]]) -> dict[str, float | None]:
    """Budget-weighted mean of the projects' scores (equal weights when no budget is set)."""
    rows = [(s, w) for s, w in projects if all(s.get(c) is not None for c in CAPITALS)]
    if not rows:
        return {c: None for c in CAPITALS}
    weights = [max(float(w), 0.0) for _, w in rows]
    if sum(weights) <= 0:
        weights = [1.0] * len(rows)
    total = sum(weights)
    return {
        c: sum(float(s[c]) * w for (s, _), w in zip(rows, weights, strict=True)) / total
        for c in CAPITALS
    }


@dataclass(frozen=True)
class Steering:
    """Which capital the next project should serve, and how well the agenda aligns."""

    capital: str
    deficits: dict[str, float]
    gaps: dict[str, float]
    alignment: float | None


def steering(
    city: Mapping[str, float | None] | None, agenda: Mapping[str, float | None] | None
) -> Steering | None:
    """resilience.md §2: deficit d = 100 − C; suggest the capital with the largest d − agenda.

    Without a city profile, the deficit is taken on the agenda itself (its weakest capital);
    without an agenda, the agenda counts as zero everywhere (the city's weakest capital).
    """
    base = city if city and all(city.get(c) is not None for c in CAPITALS) else None
    plan = agenda if agenda and all(agenda.get(c) is not None for c in CAPITALS) else None
    if base is None and plan is None:
        return None
    reference = base if base is not None else plan
    assert reference is not None
    deficits = {c: 100.0 - float(reference[c]) for c in CAPITALS}  # type: ignore[arg-type]
    effort = {c: float(plan[c]) if plan is not None else 0.0 for c in CAPITALS}  # type: ignore[arg-type]
    gaps = {c: deficits[c] - effort[c] for c in CAPITALS}
    alignment = None
    if plan is not None and base is not None:
        a = [effort[c] for c in CAPITALS]
        d = [deficits[c] for c in CAPITALS]
        norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(x * x for x in d))
        alignment = sum(x * y for x, y in zip(a, d, strict=True)) / norm if norm else None
    best = max(CAPITALS, key=lambda c: (gaps[c], -CAPITALS.index(c)))
    return Steering(best, deficits, gaps, alignment)


def uncertainty(values: Mapping[str, float], indicators: Iterable[Any]) -> dict[str, float]:
    """Median BRI and its 90 % band over 1,000 draws of weights, floor, goalposts and mean."""
    engine = [
        EngineIndicator(
            i.code, i.capital, normaliser(i.kind, i.worst, i.best, i.target, i.tolerance)
        )
        for i in indicators
    ]
    band = balance_uncertainty(
        {"city": dict(values)}, engine, n_draws=UNCERTAINTY_DRAWS, random_state=UNCERTAINTY_SEED
    )["city"]
    return {"median": band.median, "low": band.low, "high": band.high}


def medians(profiles: Iterable[Mapping[str, Any]]) -> dict[str, float] | None:
    """The median score per capital over complete profiles, or None when there are none."""
    rows = [p for p in profiles if p and all(p.get(c) is not None for c in CAPITALS)]
    if not rows:
        return None
    return {c: float(median(float(p[c]) for p in rows)) for c in CAPITALS}


__all__ = [
    "BalanceInputError",
    "Profile",
    "Steering",
    "agenda_scores",
    "city_scores",
    "medians",
    "normalise",
    "normaliser",
    "profile",
    "project_scores",
    "steering",
]
