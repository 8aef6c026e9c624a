"""Specification of the balance index (resilience.md §2), read as examples.

The worked rows of resilience.md are the contract: a change that moves one of them is a
change of method, to be versioned, not a refactoring.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cityforum.analysis import capitals
from cityforum.analysis.capitals import (
    CAPITALS,
    BalanceInputError,
    Goalposts,
    GoalpostsError,
    Indicator,
    InsufficientDataError,
    MissingCapitalError,
    ScoreOutOfRangeError,
    TargetBand,
    UnknownCapitalError,
    WeightsError,
    balance_index,
    balance_uncertainty,
    capital_score,
    normalise_indicator,
    normalise_target,
    rank_bands,
)


def profile(*values: float) -> dict[str, float]:
    return dict(zip(CAPITALS, values, strict=True))


# Profile, AM (level), GM (BRI), GM/AM (balance), 1 − G/Gmax — resilience.md §2, to its rounding.
WORKED_ROWS = [
    ((60, 60, 60, 60, 60), 60, 60.0, 1.000, 1.000),
    ((70, 65, 60, 55, 50), 60, 59.6, 0.993, 0.917),
    ((80, 80, 80, 80, 20), 68, 60.6, 0.892, 0.824),
    ((90, 90, 20, 20, 20), 48, 36.5, 0.760, 0.562),
    ((100, 100, 100, 100, 5), 81, 54.9, 0.678, 0.765),
]


class TestWorkedRows:
    @pytest.mark.parametrize(("scores", "am", "gm", "ratio", "gini"), WORKED_ROWS)
    def test_level_bri_balance_and_gini_match_the_table(
        self, scores: tuple[float, ...], am: float, gm: float, ratio: float, gini: float
    ) -> None:
        result = balance_index(profile(*scores))
        assert result.level == pytest.approx(am, abs=0.05)
        assert result.bri == pytest.approx(gm, abs=0.05)
        assert result.balance == pytest.approx(ratio, abs=0.0005)
        assert result.evenness_gini == pytest.approx(gini, abs=0.0005)

    def test_a_lopsided_city_ranks_below_a_balanced_one_unlike_the_mpi_penalty(self) -> None:
        # Row 5 is why Mazziotta–Pareto was rejected: its penalty scores it 63 > 60.
        balanced = balance_index(profile(60, 60, 60, 60, 60))
        lopsided = balance_index(profile(100, 100, 100, 100, 5))
        assert lopsided.bri < balanced.bri
        assert lopsided.level > balanced.level

    def test_bands_follow_the_thresholds(self) -> None:
        assert balance_index(profile(60, 60, 60, 60, 60)).band == "balanced"
        assert balance_index(profile(70, 65, 60, 55, 50)).band == "balanced"
        assert balance_index(profile(80, 80, 80, 80, 20)).band == "unbalanced"
        assert balance_index(profile(90, 90, 90, 50, 40)).band == "uneven"

    def test_capitals_below_half_the_level_are_flagged(self) -> None:
        assert balance_index(profile(60, 60, 60, 60, 60)).flags == ()
        assert balance_index(profile(80, 80, 80, 80, 20)).flags == ("environmental",)
        assert balance_index(profile(90, 90, 20, 20, 20)).flags == (
            "economic",
            "cultural",
            "environmental",
        )

    def test_weakest_ratio_is_lowest_over_highest(self) -> None:
        assert balance_index(profile(100, 100, 100, 100, 5)).weakest_ratio == pytest.approx(0.05)


class TestFloorWeightsEpsilon:
    def test_a_zero_score_is_floored_so_the_bri_stays_positive(self) -> None:
        result = balance_index(profile(0, 50, 50, 50, 50))
        assert result.bri == pytest.approx(50 * (1 / 50) ** 0.2)
        assert result.level == pytest.approx((1 + 200) / 5)

    def test_weights_shift_the_level_and_the_bri(self) -> None:
        weights = profile(0.6, 0.1, 0.1, 0.1, 0.1)
        result = balance_index(profile(100, 25, 25, 25, 25), weights=weights)
        assert result.level == pytest.approx(70)
        assert result.bri == pytest.approx(math.exp(0.6 * math.log(100) + 0.4 * math.log(25)))

    def test_epsilon_two_is_the_harmonic_mean(self) -> None:
        result = balance_index(profile(20, 40, 40, 40, 40), epsilon=2)
        assert result.bri == pytest.approx(5 / (1 / 20 + 4 / 40))

    def test_epsilon_zero_is_the_arithmetic_mean_and_perfect_balance(self) -> None:
        assert balance_index(profile(90, 90, 20, 20, 20), epsilon=0).balance == pytest.approx(1)

    @settings(max_examples=60, deadline=None)
    @given(st.lists(st.floats(0, 100), min_size=5, max_size=5))
    def test_bri_never_exceeds_the_level_and_balance_stays_in_0_1(
        self, values: list[float]
    ) -> None:
        result = balance_index(profile(*values))
        assert result.bri <= result.level + 1e-9
        assert 0 < result.balance <= 1 + 1e-12
        assert 0 <= result.evenness_gini <= 1 + 1e-12


class TestBadInputIsRefused:
    def test_unknown_capital_code(self) -> None:
        scores = profile(50, 50, 50, 50, 50) | {"built": 50}
        with pytest.raises(UnknownCapitalError, match="built"):
            balance_index(scores)

    def test_missing_capital(self) -> None:
        scores = profile(50, 50, 50, 50, 50)
        del scores["cultural"]
        with pytest.raises(MissingCapitalError, match="cultural"):
            balance_index(scores)

    @pytest.mark.parametrize("bad", [-1, 100.5, math.nan, math.inf])
    def test_score_out_of_range(self, bad: float) -> None:
        with pytest.raises(ScoreOutOfRangeError, match="human"):
            balance_index(profile(bad, 50, 50, 50, 50))

    def test_score_that_is_not_a_number(self) -> None:
        with pytest.raises(ScoreOutOfRangeError, match="social"):
            balance_index(profile(50, "high", 50, 50, 50))  # type: ignore[arg-type]

    def test_insufficient_capital_gives_no_bri(self) -> None:
        scores: dict[str, float | None] = dict(profile(50, 50, 50, 50, 50))
        scores["environmental"] = None
        with pytest.raises(InsufficientDataError, match="environmental"):
            balance_index(scores)

    def test_weights_that_do_not_sum_to_one(self) -> None:
        with pytest.raises(WeightsError, match="sum to 1"):
            balance_index(profile(50, 50, 50, 50, 50), weights=profile(1, 1, 1, 1, 1))

    def test_negative_weights(self) -> None:
        with pytest.raises(WeightsError, match=">= 0"):
            balance_index(profile(50, 50, 50, 50, 50), weights=profile(-0.2, 0.3, 0.3, 0.3, 0.3))

    @pytest.mark.parametrize(("floor", "epsilon"), [(0, 1), (1, -1)])
    def test_bad_floor_or_epsilon(self, floor: float, epsilon: float) -> None:
        with pytest.raises(BalanceInputError):
            balance_index(profile(50, 50, 50, 50, 50), floor=floor, epsilon=epsilon)

    def test_every_error_is_a_value_error(self) -> None:
        for error in (
            UnknownCapitalError,
            MissingCapitalError,
            ScoreOutOfRangeError,
            WeightsError,
            GoalpostsError,
            InsufficientDataError,
        ):
            assert issubclass(error, BalanceInputError)
            assert issubclass(error, ValueError)


class TestNormalisation:
    def test_linear_goalposts(self) -> None:
        assert normalise_indicator(50, 0, 100) == 50
        assert normalise_indicator(120, 0, 100) == 100
        assert normalise_indicator(-5, 0, 100) == 0

    def test_a_negative_indicator_has_its_worst_bound_above_its_best(self) -> None:
        # H1 under-5 mortality, GP[2, 100] with lower better: worst = 100, best = 2.
        assert normalise_indicator(2, 100, 2) == 100
        assert normalise_indicator(51, 100, 2) == pytest.approx(50)

    def test_log_goalposts_apply_to_ln_x(self) -> None:
        # S4 homicides, log GP[0.5, 50], lower better: the geometric midpoint scores 50.
        assert normalise_indicator(5, 50, 0.5, scale="log") == pytest.approx(50)
        assert normalise_indicator(0, 50, 0.5, scale="log") == 100

    def test_one_sided_saturation_is_linear_goalposts(self) -> None:
        # S3 women's council share saturates at 50 %; N5 land-use ratio best at <= 1.
        assert normalise_indicator(60, 0, 50) == 100
        assert normalise_indicator(0.8, 3, 1) == 100
        assert normalise_indicator(2, 3, 1) == pytest.approx(50)

    def test_target_band(self) -> None:
        assert normalise_target(10, target=10, tolerance=4) == 100
        assert normalise_target(12, target=10, tolerance=4) == pytest.approx(50)
        assert normalise_target(3, target=10, tolerance=4) == 0

    def test_missing_values_stay_missing(self) -> None:
        assert np.isnan(Goalposts(0, 100).normalise([np.nan])[0])

    @pytest.mark.parametrize(
        ("worst", "best", "scale"), [(5, 5, "linear"), (0, 20, "log"), (1, math.inf, "linear")]
    )
    def test_unusable_goalposts(self, worst: float, best: float, scale: str) -> None:
        with pytest.raises(GoalpostsError):
            Goalposts(worst, best, scale)  # type: ignore[arg-type]

    def test_goalposts_with_l_equal_u_say_so(self) -> None:
        with pytest.raises(GoalpostsError, match="L = U"):
            normalise_indicator(3, 7, 7)

    def test_target_band_needs_a_positive_tolerance(self) -> None:
        with pytest.raises(GoalpostsError, match="tolerance"):
            TargetBand(10, 0)


class TestCapitalScore:
    def test_mean_of_present_indicators(self) -> None:
        score = capital_score([40, 60, None, 80, 20])
        assert score.value == pytest.approx(50)
        assert (score.present, score.expected, score.sufficient) == (4, 5, True)

    def test_fewer_than_three_indicators_is_insufficient(self) -> None:
        assert not capital_score([40, 60]).sufficient

    def test_under_sixty_percent_present_is_insufficient(self) -> None:
        score = capital_score([40, 60, 80, None, None, None])
        assert score.value is None
        assert (score.present, score.expected) == (3, 6)

    def test_exactly_sixty_percent_is_enough(self) -> None:
        assert capital_score([40, 60, 80, None, None]).sufficient

    def test_geometric_mean_within_a_capital(self) -> None:
        assert capital_score([5, 20, 80], mean="geometric").value == pytest.approx(20)

    def test_out_of_range_indicator(self) -> None:
        with pytest.raises(ScoreOutOfRangeError):
            capital_score([40, 60, 180])


def three_per_capital() -> list[Indicator]:
    return [
        Indicator(f"{capital[:3]}{i}", capital, Goalposts(0, 100))
        for capital in CAPITALS
        for i in range(1, 4)
    ]


def city_values(indicators: list[Indicator], per_capital: dict[str, float]) -> dict[str, float]:
    return {ind.code: per_capital[ind.capital] for ind in indicators}


class TestUncertainty:
    def test_band_contains_the_median_and_ranks_are_separated(self) -> None:
        indicators = three_per_capital()
        values = {
            "even": city_values(indicators, profile(60, 60, 60, 60, 60)),
            "lopsided": city_values(indicators, profile(100, 100, 100, 100, 5)),
        }
        band = balance_uncertainty(values, indicators, n_draws=300, random_state=7)
        even, lopsided = band["even"], band["lopsided"]
        assert even.low <= even.median <= even.high
        assert even.median == pytest.approx(60, abs=3)
        assert lopsided.high - lopsided.low > even.high - even.low
        assert (even.rank_median, lopsided.rank_median) == (1, 2)

    @pytest.mark.parametrize("seed", [0, 1, 2])
    def test_the_same_seed_gives_the_same_band(self, seed: int) -> None:
        indicators = three_per_capital()
        values = {"a": city_values(indicators, profile(70, 50, 30, 60, 40))}
        first = balance_uncertainty(values, indicators, n_draws=50, random_state=seed)
        again = balance_uncertainty(values, indicators, n_draws=50, random_state=seed)
        assert first == again

    def test_a_thin_capital_is_refused(self) -> None:
        indicators = three_per_capital()
        values: dict[str, dict[str, float | None]] = {
            "a": dict(city_values(indicators, profile(70, 50, 30, 60, 40)))
        }
        values["a"]["cul1"] = None
        with pytest.raises(InsufficientDataError, match="a/cultural"):
            balance_uncertainty(values, indicators, n_draws=10, random_state=0)

    def test_an_indicator_of_an_unknown_capital_is_refused(self) -> None:
        with pytest.raises(UnknownCapitalError):
            Indicator("B1", "built", Goalposts(0, 100))


class TestRankBands:
    """The rank band of resilience.md §2 across several profiles of five capital scores."""

    def test_a_clearly_dominant_profile_ranks_first_in_every_draw(self) -> None:
        bands = rank_bands(
            {
                "strong": profile(90, 85, 88, 92, 87),
                "middling": profile(60, 55, 65, 50, 58),
                "weak": profile(20, 25, 30, 15, 22),
            },
            n_draws=500,
            random_state=0,
        )
        assert (bands["strong"].median, bands["strong"].low, bands["strong"].high) == (1, 1, 1)
        assert (bands["middling"].low, bands["middling"].high) == (2, 2)
        assert (bands["weak"].low, bands["weak"].high) == (3, 3)

    def test_two_near_identical_profiles_get_overlapping_bands(self) -> None:
        bands = rank_bands(
            {"a": profile(61, 60, 59, 60, 60), "b": profile(59, 60, 61, 60, 60)},
            n_draws=500,
            random_state=3,
        )
        a, b = bands["a"], bands["b"]
        assert a.low <= b.high and b.low <= a.high
        assert (a.low, a.high, b.low, b.high) == (1, 2, 1, 2)

    def test_the_balanced_profile_outranks_the_lopsided_one_of_higher_level(self) -> None:
        bands = rank_bands(
            {"even": profile(60, 60, 60, 60, 60), "lopsided": profile(100, 100, 100, 100, 5)},
            n_draws=300,
            random_state=1,
        )
        assert bands["even"].median == 1 and bands["lopsided"].median == 2

    def test_a_single_profile_ranks_first(self) -> None:
        only = rank_bands({"only": profile(10, 20, 30, 40, 50)}, n_draws=20, random_state=0)
        assert only["only"] == capitals.RankBand(1, 1, 1)

    @pytest.mark.parametrize("seed", [0, 1, 2])
    def test_the_same_seed_gives_the_same_bands(self, seed: int) -> None:
        profiles = {
            "a": profile(70, 50, 30, 60, 40),
            "b": profile(50, 55, 45, 52, 48),
            "c": profile(65, 40, 50, 45, 55),
        }
        first = rank_bands(profiles, n_draws=200, random_state=seed)
        assert first == rank_bands(profiles, n_draws=200, random_state=seed)
        generator = rank_bands(profiles, n_draws=200, random_state=np.random.default_rng(seed))
        assert generator == first

    @pytest.mark.parametrize(
        ("profiles", "error", "match"),
        [
            ({}, BalanceInputError, "at least one"),
            ({"a": [60, 60, 60, 60, 60]}, BalanceInputError, "'a' must map each capital"),
            ({"a": {**profile(1, 2, 3, 4, 5), "built": 3}}, UnknownCapitalError, "built"),
            ({"a": {c: 50 for c in CAPITALS[:4]}}, MissingCapitalError, "'a'.*environmental"),
            ({"a": profile(50, 50, 50, 50, 101)}, ScoreOutOfRangeError, "0–100"),
            ({"a": profile(50, 50, math.nan, 50, 50)}, ScoreOutOfRangeError, "economic"),
            ({"a": {**profile(1, 2, 3, 4, 5), "social": None}}, InsufficientDataError, "social"),
        ],
    )
    def test_bad_profiles_are_refused_with_a_named_error(
        self, profiles: object, error: type[Exception], match: str
    ) -> None:
        with pytest.raises(error, match=match):
            rank_bands(profiles, n_draws=10, random_state=0)  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        "options",
        [{"n_draws": 0}, {"floors": ()}, {"goalpost_jitter": 1.5}, {"weight_concentration": 0}],
    )
    def test_bad_settings_are_refused(self, options: dict[str, object]) -> None:
        with pytest.raises(BalanceInputError):
            rank_bands({"a": profile(50, 50, 50, 50, 50)}, **options)  # type: ignore[arg-type]


def test_public_surface_is_complete() -> None:
    for name in capitals.__all__:
        assert getattr(capitals, name) is not None
    assert {"balance_index", "normalise_indicator", "capital_score", "balance_uncertainty"} <= set(
        capitals.__all__
    )
    assert {"rank_bands", "RankBand"} <= set(capitals.__all__)
