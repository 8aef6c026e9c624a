"""Prevalence with Wilson intervals, global trends and Monroe–Colaresi–Quinn specificities."""

from __future__ import annotations

import numpy as np
import pytest

from cityforum.analysis.trends import (
    gini,
    global_trends,
    log_odds_dirichlet,
    prevalence,
    specificities,
    wilson_interval,
)


def test_wilson_interval_matches_the_textbook_value():
    low, high = wilson_interval(10, 50)
    assert low == pytest.approx(0.1124, abs=1e-4) and high == pytest.approx(0.3304, abs=1e-4)
    assert wilson_interval(0, 0) == (0.0, 1.0)
    assert wilson_interval(0, 10)[0] == 0.0


def test_gini_is_zero_for_equal_shares_and_one_when_one_region_holds_everything():
    assert gini([0.2, 0.2, 0.2]) == 0.0
    assert gini([0, 0, 1.0]) == pytest.approx(1.0)


def _synthetic(seed: int = 0):
    """Six regions; theme 0 everywhere (40%), theme 1 only in region 'r3' (50% there)."""
    rng = np.random.default_rng(seed)
    regions = [f"r{i}" for i in range(6) for _ in range(200)]
    member = np.zeros((len(regions), 2), dtype=bool)
    member[:, 0] = rng.random(len(regions)) < 0.4
    in_r3 = np.array([r == "r3" for r in regions])
    member[:, 1] = in_r3 & (rng.random(len(regions)) < 0.5)
    concepts = [
        ["water", "housing"] + (["heritage"] if r == "r3" and rng.random() < 0.5 else [])
        for r in regions
    ]
    return regions, member, concepts


def test_a_uniform_theme_is_a_global_trend_and_a_local_one_is_not():
    regions, member, _ = _synthetic()
    prev = prevalence(member, regions, keys=["everywhere", "r3 only"])
    assert prev["everywhere"]["r0"].low < 0.4 < prev["everywhere"]["r0"].high
    assert set(prev["r3 only"]["r3"].documents) == set(np.flatnonzero(member[:, 1]))
    trends = {t.key: t for t in global_trends(prev)}
    assert trends["everywhere"].is_global and len(trends["everywhere"].regions_present) == 6
    assert trends["everywhere"].evenness > 0.9
    assert not trends["r3 only"].is_global
    assert trends["r3 only"].regions_present == ("r3",)
    assert len(trends["r3 only"].regions_absent) == 5


def test_a_planted_regional_specificity_is_found_with_z_above_1_96():
    regions, _, concepts = _synthetic()
    found = specificities(concepts, regions)
    assert [(s.region, s.key) for s in found] == [("r3", "heritage")]
    hit = found[0]
    assert hit.z > 1.96 and hit.count_rest == 0 and hit.count == len(hit.documents)
    assert all(regions[i] == "r3" and "heritage" in concepts[i] for i in hit.documents)


def test_one_region_only_has_no_specificity():
    assert specificities([["a"], ["b"]], ["x", "x"]) == []


def test_log_odds_is_antisymmetric():
    y, yr = np.array([10.0, 5, 1]), np.array([3.0, 9, 8])
    d1, z1 = log_odds_dirichlet(y, yr, 10)
    d2, z2 = log_odds_dirichlet(yr, y, 10)
    assert np.allclose(d1, -d2) and np.allclose(z1, -z2)


def test_mismatched_lengths_are_refused():
    with pytest.raises(ValueError, match="regions"):
        specificities([["a"]], ["x", "y"])
