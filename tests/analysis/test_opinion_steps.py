"""Each step of the opinion map on cases small enough to work out by hand (polis-math.md §3–11)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cityforum.analysis import _opinion_clusters
from cityforum.analysis._opinion_clusters import choose_groups, kmeans, pool_points, silhouette
from cityforum.analysis._opinion_matrix import build_vote_matrix
from cityforum.analysis._opinion_pca import (
    Centred,
    centred_ratings,
    principal_components,
    project,
)
from cityforum.analysis._opinion_statements import (
    Counts,
    consensus,
    group_informed_consensus,
    representative,
)
from cityforum.analysis.opinion import OpinionMap


def two_camps(n_each: int = 10, n_statements: int = 8) -> tuple[list[int], list[int], list[int]]:
    """Camp A agrees with every statement, camp B disagrees with every one."""
    pids, sids, vals = [], [], []
    for p in range(2 * n_each):
        for s in range(n_statements):
            pids.append(p)
            sids.append(s)
            vals.append(1 if p < n_each else -1)
    return pids, sids, vals


# §3 vote matrix -------------------------------------------------------------------------------


def test_the_last_vote_on_a_pair_wins_and_rows_follow_first_appearance() -> None:
    m = build_vote_matrix([7, 3, 7, 3], [10, 10, 11, 10], [1, -1, 0, 1])
    assert m.participants.tolist() == [7, 3]
    assert m.statements.tolist() == [10, 11]
    dense = m.csr(m.values.astype(float)).toarray()
    assert dense.tolist() == [[1.0, 0.0], [1.0, 0.0]]  # 3 changed -1 to 1
    assert np.diff(m.indptr).tolist() == [2, 1]  # the pass of 7 on 11 is a cast vote


def test_a_pass_is_stored_but_a_missing_vote_is_not() -> None:
    m = build_vote_matrix([0, 1], [0, 1], [0, 1])
    assert m.indices.size == 2
    assert m.values.tolist() == [0, 1]


# §5 PCA and §6 projection --------------------------------------------------------------------


def test_missing_cells_are_imputed_with_the_column_mean_so_they_centre_to_zero() -> None:
    m = build_vote_matrix([0, 1, 2, 0], [0, 0, 0, 1], [1, 1, -1, 1])
    centred = centred_ratings(m, np.zeros(2, dtype=bool))
    assert centred.means.tolist() == pytest.approx([1 / 3, 1.0])
    assert centred.offset is None
    assert centred.sparse.toarray() == pytest.approx(
        np.array([[2 / 3, 0.0], [2 / 3, 0.0], [-4 / 3, 0.0]])
    )


def test_a_moderated_column_becomes_zero_for_everyone() -> None:
    m = build_vote_matrix([0, 1], [0, 1], [1, -1])
    centred = centred_ratings(m, np.array([False, True]))
    assert centred.means[1] == 0.0
    assert centred.sparse.toarray()[:, 1].tolist() == [0.0, 0.0]


def test_first_component_of_two_opposed_camps_loads_every_statement_equally() -> None:
    m = build_vote_matrix(*two_camps(n_statements=4))
    comps = principal_components(centred_ratings(m, np.zeros(4, dtype=bool)))
    assert comps[0] == pytest.approx(np.full(4, 0.5))  # sign rule: largest loading positive
    assert np.linalg.norm(comps[0]) == pytest.approx(1.0)


def test_projection_scales_sparse_voters_out_as_if_they_had_voted_on_everything() -> None:
    y = build_vote_matrix([0], [0], [1]).csr(np.array([1.0]))
    comps = np.array([[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]])
    y4 = type(y)((y.data, y.indices, y.indptr), shape=(1, 4))
    xy = project(Centred(y4, np.zeros(4)), comps, np.array([1]), 4)
    assert xy.tolist() == [[2.0, 0.0]]  # sqrt(4 / 1) * 1


# §7 k-means -----------------------------------------------------------------------------------


def test_kmeans_starts_from_the_first_distinct_points_and_drops_empty_clusters() -> None:
    points = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 0.0], [5.2, 0.0]])
    centres, labels = kmeans(points, np.ones(4), points[:3].copy(), max_iter=100)
    assert labels.tolist() in ([0, 0, 1, 1], [0, 1, 2, 2])
    assert centres.shape[0] == labels.max() + 1


def test_weighted_kmeans_centre_is_the_weighted_mean() -> None:
    points = np.array([[0.0, 0.0], [3.0, 0.0]])
    centres, labels = kmeans(points, np.array([2.0, 1.0]), points[:1].copy(), max_iter=5)
    assert labels.tolist() == [0, 0]
    assert centres[0] == pytest.approx([1.0, 0.0])


def test_identical_positions_are_pooled_into_one_weighted_point() -> None:
    pooled = pool_points(np.array([[1.0, 1.0], [2.0, 2.0], [1.0, 1.0]]))
    assert pooled.points.tolist() == [[1.0, 1.0], [2.0, 2.0]]
    assert pooled.weights.tolist() == [2.0, 1.0]
    assert pooled.member_of.tolist() == [0, 1, 0]


# §8 silhouette -------------------------------------------------------------------------------


def test_silhouette_of_two_tight_far_apart_pairs_is_near_one() -> None:
    centres = np.array([[0.0, 0.0], [0.0, 1.0], [10.0, 0.0], [10.0, 1.0]])
    score = silhouette(centres, np.array([0, 0, 1, 1]), None)
    # a = 1, b = mean(10, sqrt(101)) for every centre
    b = (10 + math.sqrt(101)) / 2
    assert score == pytest.approx((b - 1) / b)


def test_a_lone_centre_has_silhouette_zero() -> None:
    centres = np.array([[0.0, 0.0], [0.0, 1.0], [10.0, 0.0]])
    score = silhouette(centres, np.array([0, 0, 1]), None)
    b0 = (10 + math.sqrt(101)) / 2
    b1 = (math.sqrt(101) + 10) / 2
    assert score == pytest.approx(((b0 - 1) / b0 + (b1 - 1) / b1 + 0.0) / 3)


def test_an_exact_silhouette_tie_goes_to_the_larger_k_as_in_polis(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 24 base clusters allow k = 2..4 (2 + 24 // 12); Polis' arg-max keeps the last of equal scores.
    monkeypatch.setattr(_opinion_clusters, "silhouette", lambda *args: 0.5)
    centres = np.column_stack([np.arange(24.0), np.zeros(24)])
    grouping = choose_groups(centres, np.ones(24), 5, None, 20, False, {})
    assert grouping.silhouettes == {2: 0.5, 3: 0.5, 4: 0.5}
    assert int(grouping.labels.max()) + 1 == 4


# §9 repness ---------------------------------------------------------------------------------


def test_repness_figures_match_the_formulas_worked_by_hand() -> None:
    # group 0: 8 of 10 agree; group 1: 1 of 10 agree, 9 disagree. One statement.
    counts = Counts(
        agree=np.array([[8], [1]]), disagree=np.array([[2], [9]]), trials=np.array([[10], [10]])
    )
    reps = representative(counts, np.array([False]), np.array([42]), 5)
    first = reps[0][0]
    assert first.statement == 42 and first.direction == "agree"
    assert first.probability == pytest.approx(9 / 12)
    assert first.repness == pytest.approx((9 / 12) / (2 / 12))
    assert first.p_test == pytest.approx(2 * math.sqrt(11) * (9 / 11 - 0.5))
    p1, p2, pooled = 9 / 11, 2 / 11, 11 / 22
    assert first.z == pytest.approx((p1 - p2) / math.sqrt(pooled * pooled * (2 / 11)))
    assert first.best_agree
    assert reps[1][0].direction == "disagree"


def test_a_moderated_statement_is_never_representative() -> None:
    counts = Counts(
        agree=np.array([[8, 8], [1, 1]]),
        disagree=np.array([[2, 2], [9, 9]]),
        trials=np.array([[10, 10], [10, 10]]),
    )
    reps = representative(counts, np.array([True, False]), np.array([1, 2]), 5)
    assert all(r.statement == 2 for group in reps for r in group)


# §10 consensus, §11 group-informed consensus ---------------------------------------------------


def test_consensus_needs_a_majority_and_a_significant_one_proportion_test() -> None:
    # statement 0: 9 agree, 1 disagree; statement 1: 5 agree, 5 disagree.
    pids = list(range(10)) * 2
    sids = [0] * 10 + [1] * 10
    vals = [1] * 9 + [-1] + [1] * 5 + [-1] * 5
    m = build_vote_matrix(pids, sids, vals)
    result = consensus(m, np.zeros(2, dtype=bool), m.statements, 5)
    assert [c.statement for c in result["agree"]] == [0]
    assert result["agree"][0].probability == pytest.approx(10 / 12)
    assert result["disagree"] == []


def test_group_informed_consensus_is_the_product_of_smoothed_agree_shares() -> None:
    counts = Counts(
        agree=np.array([[3], [1]]), disagree=np.array([[0], [1]]), trials=np.array([[4], [2]])
    )
    assert group_informed_consensus(counts)[0] == pytest.approx((4 / 6) * (2 / 4))


def test_missing_votes_as_passes_centre_on_every_participant_and_project_without_scaling() -> None:
    # Statement 0: 1, 1, -1; statement 1: only participant 0 voted (1). As passes the missing
    # cells are 0, so the means are over all three participants: 1/3 and 1/3.
    m = build_vote_matrix([0, 1, 2, 0], [0, 0, 0, 1], [1, 1, -1, 1])
    centred = centred_ratings(m, np.zeros(2, dtype=bool), missing="pass")
    assert centred.means.tolist() == pytest.approx([1 / 3, 1 / 3])
    dense_y = centred.sparse.toarray() - centred.offset
    assert dense_y == pytest.approx(np.array([[2 / 3, 2 / 3], [2 / 3, -1 / 3], [-4 / 3, -1 / 3]]))
    comps = np.array([[1.0, 0.0], [0.0, 1.0]])
    xy = project(centred, comps, np.full(3, 2), 2)
    assert xy == pytest.approx(dense_y)  # every cell counts as cast: scale sqrt(2 / 2) = 1


def test_missing_votes_as_passes_equal_explicit_pass_votes_for_the_map_and_the_groups() -> None:
    rng = np.random.default_rng(5)
    pids, sids, vals = [], [], []
    for p in range(40):
        for s in rng.choice(12, size=int(rng.integers(1, 12)), replace=False):
            pids.append(p)
            sids.append(int(s))
            vals.append(1 if (p % 2 == 0) == (s % 3 == 0) else -1)
    have = set(zip(pids, sids, strict=True))
    fill = [(p, s) for p in dict.fromkeys(pids) for s in dict.fromkeys(sids) if (p, s) not in have]
    filled = OpinionMap().fit(
        pids + [p for p, _ in fill], sids + [s for _, s in fill], vals + [0] * len(fill), [3]
    )
    as_pass = OpinionMap(missing_votes="pass").fit(pids, sids, vals, [3])
    assert as_pass.coords_ == pytest.approx(filled.coords_, abs=1e-12)
    assert as_pass.groups_.tolist() == filled.groups_.tolist()
    assert as_pass.in_conversation_.all()  # nobody falls below min(7, M)
    default = OpinionMap().fit(pids, sids, vals, [3])
    assert not default.in_conversation_.all()
    # Statistics count real votes only: a missing vote is not a "seen" pass there.
    assert [r.statement for r in as_pass.consensus_["agree"]] == [
        r.statement for r in OpinionMap().fit(pids, sids, vals, [3]).consensus_["agree"]
    ]


# §4 in-conversation rule, end to end ---------------------------------------------------------


def test_participants_below_the_vote_threshold_are_not_grouped_once_15_qualify() -> None:
    pids, sids, vals = two_camps(n_each=10, n_statements=8)
    pids += [99, 99]
    sids += [0, 1]
    vals += [1, 1]
    model = OpinionMap().fit(pids, sids, vals)
    row = model.participants_.tolist().index(99)
    assert model.groups_[row] == -1
    assert not model.in_conversation_[row]
    assert np.all(model.groups_[:20] >= 0)


def test_the_clustered_set_is_topped_up_to_15_with_the_most_active() -> None:
    pids, sids, vals = two_camps(n_each=5, n_statements=8)  # 10 qualify
    for p, n in ((50, 6), (51, 5), (52, 4), (53, 3), (54, 2), (55, 1)):
        pids += [p] * n
        sids += list(range(n))
        vals += [1] * n
    model = OpinionMap().fit(pids, sids, vals)
    grouped = set(model.participants_[model.in_conversation_].tolist())
    assert grouped == set(range(10)) | {50, 51, 52, 53, 54}


def test_two_opposed_camps_become_two_groups_with_telling_statements() -> None:
    model = OpinionMap().fit(*two_camps())
    assert model.n_groups_ == 2
    assert sorted(np.bincount(model.groups_).tolist()) == [10, 10]
    camp_a = model.groups_[0]
    assert all(r.direction == "agree" for r in model.representative_[camp_a])
    assert model.consensus_ == {"agree": [], "disagree": []}
    assert len(model.divisive_) == 5
