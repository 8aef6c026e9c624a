"""The balance of the five capitals: normalisation, capital scores, BRI and its uncertainty.

This is the arithmetic of resilience.md §2, kept free of Django so that the same numbers come
out of the site, the CLI and a notebook. The public names are re-exported by
:mod:`cityforum.analysis.capitals`; import them from there.

Why a geometric mean: as in the HDI since 2010, a neglected capital cannot be bought back by
a strong one, and a 1 % fall in any capital moves the index by the same amount. The ratio of
that mean to the plain average (``balance``) is one minus Atkinson's inequality (ε = 1), the
measure behind the inequality-adjusted HDI. ``epsilon`` generalises it (ε = 2: harmonic mean).

Exceptions (all are :class:`ValueError`, so callers that only know "bad input" still work)::

    BalanceInputError            anything this module refuses
    ├── UnknownCapitalError      a capital code that is not one of CAPITALS
    ├── MissingCapitalError      a capital left out of scores or weights
    ├── ScoreOutOfRangeError     a score outside 0–100, or not a finite number
    ├── WeightsError             negative weights, or weights that do not sum to 1
    ├── GoalpostsError           worst == best, non-positive bounds on a log scale, D <= 0
    └── InsufficientDataError    a capital without enough indicators to be scored
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, TypeAlias

import numpy as np
import numpy.typing as npt
from scipy.stats import rankdata

CAPITALS: tuple[str, ...] = ("human", "social", "economic", "cultural", "environmental")
"""The five capital codes, in the concept note's order. There is no "built" capital."""

DEFAULT_FLOOR = 1.0
"""Scores are floored at 1 so that a single zero does not send the geometric mean to 0."""

BALANCED_AT = 0.97
UNEVEN_AT = 0.90
"""Balance bands: >= 0.97 balanced, 0.90–0.97 uneven, < 0.90 unbalanced."""

WEAK_SHARE_OF_LEVEL = 0.5
"""A capital below half the level is flagged as left behind."""

MIN_INDICATORS = 3
MIN_SHARE_PRESENT = 0.6
"""A capital is scored only from at least 3 indicators and at least 60 % of its list."""

Band: TypeAlias = Literal["balanced", "uneven", "unbalanced"]
FloatArray: TypeAlias = npt.NDArray[np.float64]


class BalanceInputError(ValueError):
    """Base of every input this module refuses; the message says what to fix."""


class UnknownCapitalError(BalanceInputError):
    """A capital code that is not one of :data:`CAPITALS`."""


class MissingCapitalError(BalanceInputError):
    """A capital left out: the balance of four capitals is not the balance of five."""


class ScoreOutOfRangeError(BalanceInputError):
    """A capital score outside 0–100 or not a finite number."""


class WeightsError(BalanceInputError):
    """Weights that are negative or do not sum to 1."""


class GoalpostsError(BalanceInputError):
    """Goalposts that cannot normalise anything (L = U, log of a non-positive bound, D <= 0)."""


class InsufficientDataError(BalanceInputError):
    """A capital without enough indicators: no BRI is computed rather than a misleading one."""


# --------------------------------------------------------------------------- normalisation


@dataclass(frozen=True)
class Goalposts:
    """Fixed goalposts ``worst`` (L) and ``best`` (U): y = 100·clip((x−L)/(U−L), 0, 1).

    Fixed rather than sample-based so that adding a city never moves another city's score.
    A negative indicator simply has ``worst > best``; one-sided saturation (women's council
    share saturating at 50 %, land-use ratio best at <= 1) is the same formula. ``scale="log"``
    applies the goalposts to ln x, for skewed indicators; it needs positive bounds.
    """

    worst: float
    best: float
    scale: Literal["linear", "log"] = "linear"

    def __post_init__(self) -> None:
        for bound in (self.worst, self.best):
            if not math.isfinite(bound):
                raise GoalpostsError(f"goalposts must be finite numbers, got {bound!r}")
        if self.worst == self.best:
            raise GoalpostsError(
                f"goalposts with L = U ({self.worst}) cannot normalise: set two different bounds"
            )
        if self.scale not in ("linear", "log"):
            raise GoalpostsError(f"scale must be 'linear' or 'log', got {self.scale!r}")
        if self.scale == "log" and min(self.worst, self.best) <= 0:
            raise GoalpostsError(
                f"log goalposts need positive bounds, got [{self.worst}, {self.best}]: "
                "use a small positive floor such as 0.1 instead of 0"
            )

    def normalise(self, x: npt.ArrayLike) -> FloatArray:
        """Return 0–100 for each value; non-positive values on a log scale count as worst."""
        return _normalise_goalposts(np.asarray(x, dtype=float), self.worst, self.best, self.scale)

    def stretched(self, worst_factor: float, best_factor: float) -> Goalposts:
        """The same goalposts multiplied by factors (used by the Monte Carlo ±10 % draws)."""
        return Goalposts(self.worst * worst_factor, self.best * best_factor, self.scale)


@dataclass(frozen=True)
class TargetBand:
    """A target-type indicator: y = 100·clip(1 − |x − T| / D, 0, 1), best at T."""

    target: float
    tolerance: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.target) and math.isfinite(self.tolerance)):
            raise GoalpostsError("target and tolerance must be finite numbers")
        if self.tolerance <= 0:
            raise GoalpostsError(
                f"a target band needs a positive tolerance D, got {self.tolerance}"
            )

    def normalise(self, x: npt.ArrayLike) -> FloatArray:
        """Return 0–100 for each value: 100 on target, 0 at D or more away from it."""
        values = np.asarray(x, dtype=float)
        return np.asarray(
            100.0 * np.clip(1.0 - np.abs(values - self.target) / self.tolerance, 0.0, 1.0)
        )

    def stretched(self, worst_factor: float, best_factor: float) -> TargetBand:
        """Perturb the tolerance (the target is a policy choice, not a goalpost)."""
        del best_factor
        return TargetBand(self.target, self.tolerance * worst_factor)


Normaliser: TypeAlias = Goalposts | TargetBand


def _normalise_goalposts(
    values: FloatArray, worst: float, best: float, scale: Literal["linear", "log"]
) -> FloatArray:
    missing = np.isnan(values)
    if scale == "log":
        positive = values > 0
        values = np.where(positive, np.log(np.where(positive, values, 1.0)), -np.inf)
        worst, best = math.log(worst), math.log(best)
    with np.errstate(invalid="ignore"):
        scaled = np.clip((values - worst) / (best - worst), 0.0, 1.0)
    scaled = np.where(missing, np.nan, scaled)
    return np.asarray(100.0 * scaled)


def normalise_indicator(
    x: float, worst: float, best: float, *, scale: Literal["linear", "log"] = "linear"
) -> float:
    """Normalise one indicator value to 0–100 against fixed goalposts (see :class:`Goalposts`)."""
    return float(Goalposts(worst, best, scale).normalise(x))


def normalise_target(x: float, target: float, tolerance: float) -> float:
    """Normalise a target-type value to 0–100 (see :class:`TargetBand`)."""
    return float(TargetBand(target, tolerance).normalise(x))


# --------------------------------------------------------------------------- capital scores


@dataclass(frozen=True)
class CapitalScore:
    """One capital's score, or ``None`` with ``sufficient=False`` when data is too thin."""

    value: float | None
    present: int
    expected: int

    @property
    def sufficient(self) -> bool:
        """True when the score rests on enough indicators to be used."""
        return self.value is not None


def capital_score(
    normalised: Sequence[float | None],
    *,
    mean: Literal["arithmetic", "geometric"] = "arithmetic",
    floor: float = DEFAULT_FLOOR,
) -> CapitalScore:
    """Average a capital's normalised indicators (``None`` = missing), if there are enough.

    Substitution *within* a capital is acceptable, so the default is the plain mean. The
    score is withheld unless at least 3 indicators and 60 % of the list are present: imputing
    silently would make a city look balanced because nobody measured its weak side.
    """
    expected = len(normalised)
    present_values = [float(v) for v in normalised if v is not None and not math.isnan(v)]
    for v in present_values:
        _check_score_range("indicator", v)
    present = len(present_values)
    if expected == 0 or present < MIN_INDICATORS or present < MIN_SHARE_PRESENT * expected:
        return CapitalScore(None, present, expected)
    if mean == "arithmetic":
        value = sum(present_values) / present
    elif mean == "geometric":
        value = math.exp(sum(math.log(max(v, floor)) for v in present_values) / present)
    else:
        raise BalanceInputError(f"mean must be 'arithmetic' or 'geometric', got {mean!r}")
    return CapitalScore(value, present, expected)


# --------------------------------------------------------------------------- balance index


@dataclass(frozen=True)
class BalanceResult:
    """Level, BRI and balance of one profile of five capital scores (resilience.md §2)."""

    level: float
    """Weighted arithmetic mean of the floored scores."""
    bri: float
    """Balanced Resilience Index: weighted geometric mean (ε = 1), or the mean of order 1−ε."""
    balance: float
    """BRI / level = 1 − Atkinson(ε); 1 is perfectly even."""
    evenness_gini: float
    """1 − G / ((n−1)/n): the secondary, linear measure of evenness."""
    weakest_ratio: float
    """Lowest score over highest score."""
    flags: tuple[str, ...]
    """Capitals below half the level, in CAPITALS order: the ones left behind."""
    band: Band
    """balanced (>= 0.97), uneven (0.90–0.97) or unbalanced (< 0.90)."""


def balance_index(
    scores: Mapping[str, float | None],
    weights: Mapping[str, float] | None = None,
    floor: float = DEFAULT_FLOOR,
    epsilon: float = 1.0,
) -> BalanceResult:
    """Compute level, BRI, balance, Gini evenness, weakest ratio and flags of five scores.

    ``scores`` maps every capital code to a 0–100 score. A ``None`` score (insufficient data)
    raises :class:`InsufficientDataError`, because a BRI over four capitals would hide
    exactly the capital nobody measured.
    """
    values = _checked_scores(scores)
    w = _checked_weights(weights)
    if not (math.isfinite(floor) and 0 < floor <= 100):
        raise BalanceInputError(f"floor must be in (0, 100], got {floor}")
    if not (math.isfinite(epsilon) and epsilon >= 0):
        raise BalanceInputError(f"epsilon must be a finite number >= 0, got {epsilon}")
    floored = np.maximum(values, floor)
    level = float(w @ floored)
    bri = float(_power_mean(floored[np.newaxis, :], w, epsilon)[0])
    return BalanceResult(
        level=level,
        bri=bri,
        balance=bri / level,
        evenness_gini=_gini_evenness(floored),
        weakest_ratio=float(floored.min() / floored.max()),
        flags=tuple(
            c for c, v in zip(CAPITALS, floored, strict=True) if v < WEAK_SHARE_OF_LEVEL * level
        ),
        band=balance_band(bri / level),
    )


def balance_band(balance: float) -> Band:
    """Name the band of a balance value."""
    if balance >= BALANCED_AT:
        return "balanced"
    if balance >= UNEVEN_AT:
        return "uneven"
    return "unbalanced"


def _power_mean(values: FloatArray, weights: FloatArray, epsilon: float) -> FloatArray:
    """Weighted mean of order 1 − ε along the last axis (ε = 1: geometric)."""
    if epsilon == 1.0:
        return np.asarray(np.exp(np.log(values) @ weights))
    order = 1.0 - epsilon
    return np.asarray((values**order @ weights) ** (1.0 / order))


def _gini_evenness(values: FloatArray) -> float:
    n = values.size
    gini = np.abs(values[:, None] - values[None, :]).sum() / (2 * n * n * values.mean())
    return float(1.0 - gini / ((n - 1) / n))


def _check_score_range(what: str, value: float) -> None:
    if not math.isfinite(value) or not 0.0 <= value <= 100.0:
        raise ScoreOutOfRangeError(f"{what} score must be a number in 0–100, got {value!r}")


def _check_codes(given: Iterable[str], what: str) -> None:
    keys = set(given)
    unknown = sorted(keys - set(CAPITALS))
    if unknown:
        raise UnknownCapitalError(
            f"unknown capital code(s) in {what}: {', '.join(unknown)}; "
            f"expected {', '.join(CAPITALS)}"
        )
    missing = [c for c in CAPITALS if c not in keys]
    if missing:
        raise MissingCapitalError(
            f"{what} must cover all five capitals; missing: {', '.join(missing)}"
        )


def _checked_scores(scores: Mapping[str, float | None]) -> FloatArray:
    _check_codes(scores, "scores")
    thin = [c for c in CAPITALS if scores[c] is None]
    if thin:
        raise InsufficientDataError(
            f"insufficient data for {', '.join(thin)}: no BRI is computed until each capital "
            f"has at least {MIN_INDICATORS} indicators and {MIN_SHARE_PRESENT:.0%} of its list"
        )
    out = np.empty(len(CAPITALS))
    for i, code in enumerate(CAPITALS):
        raw = scores[code]
        try:
            value = float(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ScoreOutOfRangeError(f"{code} score must be a number, got {raw!r}") from None
        _check_score_range(code, value)
        out[i] = value
    return out


def _checked_weights(weights: Mapping[str, float] | None) -> FloatArray:
    if weights is None:
        return np.full(len(CAPITALS), 1.0 / len(CAPITALS))
    _check_codes(weights, "weights")
    w = np.array([float(weights[c]) for c in CAPITALS])
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise WeightsError(f"weights must be finite and >= 0, got {dict(weights)}")
    if not math.isclose(float(w.sum()), 1.0, abs_tol=1e-9):
        raise WeightsError(f"weights must sum to 1, they sum to {w.sum():.6g}")
    return w


# --------------------------------------------------------------------------- uncertainty


@dataclass(frozen=True)
class Indicator:
    """One indicator of the framework: its code, its capital and how it is normalised."""

    code: str
    capital: str
    normaliser: Normaliser

    def __post_init__(self) -> None:
        if self.capital not in CAPITALS:
            raise UnknownCapitalError(
                f"indicator {self.code} has unknown capital {self.capital!r}; "
                f"expected one of {', '.join(CAPITALS)}"
            )


@dataclass(frozen=True)
class BriUncertainty:
    """Monte Carlo summary of one city's BRI: median, 90 % band and rank band (1 = best)."""

    median: float
    low: float
    high: float
    rank_median: float
    rank_low: float
    rank_high: float


def balance_uncertainty(
    values: Mapping[str, Mapping[str, float | None]],
    indicators: Sequence[Indicator],
    *,
    n_draws: int = 1000,
    floors: Sequence[float] = (0.5, 1.0, 5.0),
    goalpost_jitter: float = 0.10,
    weight_concentration: float = 50.0,
    random_state: int | np.random.Generator | None = None,
) -> dict[str, BriUncertainty]:
    """How much a city's BRI and rank depend on our choices (OECD/JRC Handbook, 2008).

    Each draw takes weights from a Dirichlet centred on equal weights (``weight_concentration``
    is the sum of its parameters: 50 gives each weight a standard deviation of about 0.056),
    a floor from ``floors``, goalposts each multiplied by a factor in 1 ± ``goalpost_jitter``,
    and an arithmetic or geometric mean within capitals. ``values`` maps a city to its raw
    indicator values by indicator code. A city whose capital is too thin raises
    :class:`InsufficientDataError`: filter with :func:`capital_score` first.
    """
    _check_draw_settings(n_draws, floors, goalpost_jitter, weight_concentration)
    codes = [ind.code for ind in indicators]
    if len(set(codes)) != len(codes):
        raise BalanceInputError("indicator codes must be unique")
    cities = list(values)
    if not cities:
        raise BalanceInputError("values must hold at least one city")
    raw = np.array(
        [[_as_float(values[city].get(code)) for code in codes] for city in cities], dtype=float
    ).reshape(len(cities), len(codes))
    _check_sufficiency(raw, indicators, cities)

    rng = np.random.default_rng(random_state)
    bri = np.empty((n_draws, len(cities)))
    alpha = np.full(len(CAPITALS), weight_concentration / len(CAPITALS))
    for d in range(n_draws):
        factors = rng.uniform(1 - goalpost_jitter, 1 + goalpost_jitter, size=(len(codes), 2))
        y = np.column_stack(
            [
                ind.normaliser.stretched(*factors[j]).normalise(raw[:, j])
                for j, ind in enumerate(indicators)
            ]
        ).reshape(len(cities), len(codes))
        floor = float(rng.choice(np.asarray(floors, dtype=float)))
        geometric = bool(rng.integers(2))
        caps = np.column_stack(
            [_capital_means(y, indicators, c, geometric, floor) for c in CAPITALS]
        )
        weights = rng.dirichlet(alpha)
        bri[d] = _power_mean(np.maximum(caps, floor), weights, 1.0)

    # rank 1 = highest BRI; ties share the better rank
    ranks = rankdata(-bri, axis=1, method="min")
    out: dict[str, BriUncertainty] = {}
    for i, city in enumerate(cities):
        lo, med, hi = np.percentile(bri[:, i], [5, 50, 95])
        rlo, rmed, rhi = np.percentile(ranks[:, i], [5, 50, 95])
        out[city] = BriUncertainty(
            float(med), float(lo), float(hi), float(rmed), float(rlo), float(rhi)
        )
    return out


@dataclass(frozen=True)
class RankBand:
    """Monte Carlo summary of one profile's rank among several (1 = highest BRI)."""

    median: float
    low: float
    """5th percentile of the rank: the best rank the profile reaches in 90 % of the draws."""
    high: float
    """95th percentile of the rank: the worst rank it falls to in 90 % of the draws."""


def rank_bands(
    profiles: Mapping[str, Mapping[str, float | None]],
    *,
    n_draws: int = 1000,
    floors: Sequence[float] = (0.5, 1.0, 5.0),
    goalpost_jitter: float = 0.10,
    weight_concentration: float = 50.0,
    random_state: int | np.random.Generator | None = None,
) -> dict[str, RankBand]:
    """Median rank and 90 % rank band of several profiles of five capital scores.

    The perturbations are those of :func:`balance_uncertainty` (resilience.md §2), applied to
    capital scores instead of raw indicators: weights from a Dirichlet centred on equal weights,
    a floor from ``floors``, and goalposts moved by up to ± ``goalpost_jitter``: each capital's
    0–100 scale is re-read between a worst of 0 ± 10 and a best of 100 ± 10 points, drawn once
    per draw and capital and shared by every profile (as one indicator's goalposts are shared
    by every city). The choice of mean within capitals has no object here: the capital scores
    are given. Rank 1 is the highest BRI; ties share the better rank.

    ``profiles`` maps a name to its five capital scores (0–100). Refused with a
    :class:`BalanceInputError` subclass: no profile, a profile that is not a mapping, a capital
    unknown or missing (:class:`UnknownCapitalError`, :class:`MissingCapitalError`), a score
    outside 0–100 (:class:`ScoreOutOfRangeError`), a ``None`` score
    (:class:`InsufficientDataError`), and settings out of range.
    """
    _check_draw_settings(n_draws, floors, goalpost_jitter, weight_concentration)
    if not isinstance(profiles, Mapping) or not profiles:
        raise BalanceInputError("profiles must map at least one name to five capital scores")
    names = list(profiles)
    rows = []
    for name in names:
        scores = profiles[name]
        if not isinstance(scores, Mapping):
            raise BalanceInputError(
                f"profile {name!r} must map each capital to a score, got {type(scores).__name__}"
            )
        try:
            rows.append(_checked_scores(scores))
        except BalanceInputError as error:
            raise type(error)(f"profile {name!r}: {error}") from None
    scores_matrix = np.vstack(rows)  # profiles × capitals

    rng = np.random.default_rng(random_state)
    k = len(CAPITALS)
    weights = rng.dirichlet(np.full(k, weight_concentration / k), size=n_draws)
    floor = rng.choice(np.asarray(floors, dtype=float), size=n_draws)
    shift = 100.0 * goalpost_jitter
    worst = rng.uniform(-shift, shift, size=(n_draws, 1, k))
    best = 100.0 + rng.uniform(-shift, shift, size=(n_draws, 1, k))
    rescored = 100.0 * np.clip((scores_matrix[np.newaxis] - worst) / (best - worst), 0.0, 1.0)
    floored = np.maximum(rescored, floor[:, np.newaxis, np.newaxis])
    # weighted geometric mean per draw and profile: exp(Σ_k w_dk · ln C_dpk)
    bri = np.exp(np.einsum("dpk,dk->dp", np.log(floored), weights))

    ranks = rankdata(-bri, axis=1, method="min")
    low, median, high = np.percentile(ranks, [5, 50, 95], axis=0)
    return {
        name: RankBand(float(median[i]), float(low[i]), float(high[i]))
        for i, name in enumerate(names)
    }


def _check_draw_settings(
    n_draws: int, floors: Sequence[float], goalpost_jitter: float, weight_concentration: float
) -> None:
    if isinstance(n_draws, bool) or not isinstance(n_draws, int) or n_draws < 1:
        raise BalanceInputError(f"n_draws must be a whole number >= 1, got {n_draws!r}")
    if not floors or any(not (0 < f <= 100) for f in floors):
        raise BalanceInputError(f"floors must be non-empty values in (0, 100], got {floors}")
    if not 0 <= goalpost_jitter < 1:
        raise BalanceInputError(f"goalpost_jitter must be in [0, 1), got {goalpost_jitter}")
    if not weight_concentration > 0:
        raise BalanceInputError("weight_concentration must be positive")


def _as_float(value: float | None) -> float:
    return math.nan if value is None else float(value)


def _check_sufficiency(raw: FloatArray, indicators: Sequence[Indicator], cities: list[str]) -> None:
    problems = []
    for capital in CAPITALS:
        cols = [j for j, ind in enumerate(indicators) if ind.capital == capital]
        present = (~np.isnan(raw[:, cols])).sum(axis=1) if cols else np.zeros(len(cities))
        enough = (present >= MIN_INDICATORS) & (present >= MIN_SHARE_PRESENT * len(cols))
        problems += [f"{cities[i]}/{capital}" for i in np.flatnonzero(~enough)]
    if problems:
        raise InsufficientDataError(
            "insufficient data, no BRI can be drawn for: " + ", ".join(problems[:20])
        )


def _capital_means(
    y: FloatArray, indicators: Sequence[Indicator], capital: str, geometric: bool, floor: float
) -> FloatArray:
    cols = [j for j, ind in enumerate(indicators) if ind.capital == capital]
    block = y[:, cols]
    if geometric:
        return np.asarray(np.exp(np.nanmean(np.log(np.maximum(block, floor)), axis=1)))
    return np.asarray(np.nanmean(block, axis=1))
