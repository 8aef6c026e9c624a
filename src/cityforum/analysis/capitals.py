"""The five capitals of resilience: the public face of their arithmetic.

The balance index, indicator normalisation, capital scores and the Monte Carlo band live in
the private module :mod:`cityforum.analysis._balance`; this module is the curated surface that
the apps, the CLI and the tests import, so the private layout can change without breaking them.
"""

from cityforum.analysis._balance import (
    BALANCED_AT,
    CAPITALS,
    DEFAULT_FLOOR,
    UNEVEN_AT,
    BalanceInputError,
    BalanceResult,
    BriUncertainty,
    CapitalScore,
    Goalposts,
    GoalpostsError,
    Indicator,
    InsufficientDataError,
    MissingCapitalError,
    RankBand,
    ScoreOutOfRangeError,
    TargetBand,
    UnknownCapitalError,
    WeightsError,
    balance_band,
    balance_index,
    balance_uncertainty,
    capital_score,
    normalise_indicator,
    normalise_target,
    rank_bands,
)
from cityforum.analysis._tagging import (
    CapitalClassifier,
    blend_scores,
    capital_scores,
    suggest_capitals,
)

__all__ = [
    "BALANCED_AT",
    "CAPITALS",
    "DEFAULT_FLOOR",
    "UNEVEN_AT",
    "BalanceInputError",
    "BalanceResult",
    "BriUncertainty",
    "CapitalScore",
    "Goalposts",
    "GoalpostsError",
    "Indicator",
    "InsufficientDataError",
    "MissingCapitalError",
    "RankBand",
    "ScoreOutOfRangeError",
    "TargetBand",
    "UnknownCapitalError",
    "WeightsError",
    "balance_band",
    "balance_index",
    "balance_uncertainty",
    "capital_score",
    "normalise_indicator",
    "normalise_target",
    "rank_bands",
    "CapitalClassifier",
    "blend_scores",
    "capital_scores",
    "suggest_capitals",
]
