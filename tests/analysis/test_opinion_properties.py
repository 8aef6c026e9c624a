"""Properties that must hold for any conversation (hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cityforum.analysis._opinion_matrix import build_vote_matrix
from cityforum.analysis.opinion import ConversationTooSmallError, OpinionMap

Votes = tuple[list[int], list[int], list[int]]
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def conversations(draw: st.DrawFn) -> Votes:
    """A few camps with noisy opinions; each participant votes on a random subset."""
    n_p = draw(st.integers(3, 40))
    n_s = draw(st.integers(2, 12))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    camps = rng.integers(0, draw(st.integers(1, 3)), n_p)
    stance = rng.choice([-1, 0, 1], size=(3, n_s))
    pids, sids, vals = [], [], []
    for p in range(n_p):
        for s in rng.permutation(n_s)[: rng.integers(1, n_s + 1)]:
            noisy = stance[camps[p], s] if rng.random() < 0.8 else rng.choice([-1, 0, 1])
            pids.append(p)
            sids.append(int(s))
            vals.append(int(noisy))
    order = rng.permutation(len(pids))
    return ([pids[i] for i in order], [sids[i] for i in order], [vals[i] for i in order])


def _fit(votes: Votes, moderated: tuple[int, ...] = ()) -> OpinionMap | None:
    try:
        return OpinionMap().fit(*votes, moderated_out=moderated)
    except ConversationTooSmallError:
        return None


def _grouping(model: OpinionMap, pid_map: dict[int, int] | None = None) -> dict[int, int]:
    ids = model.participants_.tolist()
    if pid_map is not None:
        back = {v: k for k, v in pid_map.items()}
        ids = [back[i] for i in ids]
    return dict(zip(ids, model.groups_.tolist(), strict=True))


@SETTINGS
@given(conversations(), st.integers(0, 10_000), st.randoms(use_true_random=False))
def test_relabelling_participants_and_statements_changes_no_grouping(
    votes: Votes, offset: int, rnd: object
) -> None:
    pids, sids, vals = votes
    p_ids, s_ids = sorted(set(pids)), sorted(set(sids))
    new_p = list(range(offset, offset + 3 * len(p_ids), 3))
    new_s = list(range(offset, offset + 7 * len(s_ids), 7))
    rnd.shuffle(new_p)  # type: ignore[attr-defined]
    rnd.shuffle(new_s)  # type: ignore[attr-defined]
    pmap, smap = dict(zip(p_ids, new_p, strict=True)), dict(zip(s_ids, new_s, strict=True))
    before = _fit(votes)
    after = _fit(([pmap[p] for p in pids], [smap[s] for s in sids], vals))
    assert (before is None) == (after is None)
    if before is not None and after is not None:
        assert _grouping(before) == _grouping(after, pmap)
        np.testing.assert_allclose(before.coords_, after.coords_)


@SETTINGS
@given(conversations(), st.data())
def test_a_moderated_out_statement_is_never_representative_or_consensus(
    votes: Votes, data: st.DataObject
) -> None:
    statements = sorted(set(votes[1]))
    moderated = tuple(data.draw(st.lists(st.sampled_from(statements), max_size=3)))
    model = _fit(votes, moderated)
    if model is None:
        return
    shown = {r.statement for group in model.representative_ for r in group}
    shown |= {c.statement for side in model.consensus_.values() for c in side}
    shown |= {d.statement for d in model.divisive_}
    assert not shown & set(moderated)


@SETTINGS
@given(conversations(), st.data())
def test_duplicated_votes_collapse_to_the_last(votes: Votes, data: st.DataObject) -> None:
    pids, sids, vals = votes
    # Before some votes, insert an earlier vote on the same pair with another value.
    where = data.draw(st.sets(st.integers(0, len(pids) - 1), max_size=len(pids)))
    dp, ds, dv = [], [], []
    for i, (p, s, v) in enumerate(zip(pids, sids, vals, strict=True)):
        if i in where:
            dp.append(p)
            ds.append(s)
            dv.append(-v if v else 1)
        dp.append(p)
        ds.append(s)
        dv.append(v)
    plain, doubled = build_vote_matrix(pids, sids, vals), build_vote_matrix(dp, ds, dv)
    assert np.array_equal(plain.indptr, doubled.indptr)
    assert np.array_equal(plain.indices, doubled.indices)
    assert np.array_equal(plain.values, doubled.values)
    before, after = _fit(votes), _fit((dp, ds, dv))
    assert (before is None) == (after is None)
    if before is not None and after is not None:
        assert _grouping(before) == _grouping(after)


@SETTINGS
@given(
    st.lists(
        st.tuples(st.integers(0, 5), st.integers(0, 5), st.sampled_from([-1, 0, 1])),
        min_size=1,
        max_size=60,
    )
)
def test_the_matrix_holds_exactly_the_last_vote_of_every_pair(
    events: list[tuple[int, int, int]],
) -> None:
    expected: dict[tuple[int, int], int] = {}
    for p, s, v in events:
        expected[(p, s)] = v
    m = build_vote_matrix(*zip(*events, strict=True))
    rows = m.cell_rows()
    got = {
        (int(m.participants[r]), int(m.statements[c])): int(v)
        for r, c, v in zip(rows, m.indices, m.values, strict=True)
    }
    assert got == expected


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fitting_twice_gives_identical_results(seed: int) -> None:
    rng = np.random.default_rng(seed)
    pids = rng.integers(0, 200, 3000)
    sids = rng.integers(0, 30, 3000)
    vals = np.where(rng.random(3000) < (pids % 2) * 0.6 + 0.2, 1, -1)
    first = OpinionMap().fit(pids, sids, vals)
    second = OpinionMap(random_state=seed + 1).fit(pids, sids, vals)
    assert np.array_equal(first.groups_, second.groups_)
    assert np.array_equal(first.coords_, second.coords_)
    assert first.representative_ == second.representative_
