"""The live map's vote stream: merging batches of new votes must give exactly what compacting
the whole vote log again gives, in both of its orders, whatever the batches."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cityforum.analysis.opinion import OpinionMap
from cityforum.analysis.vote_stream import VoteStream, compact

votes = st.lists(
    st.tuples(st.integers(0, 12), st.integers(0, 8), st.integers(-1, 1)), min_size=0, max_size=80
)


def _arrays(log: list[tuple[int, int, int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    table = np.array(log, dtype=np.int64).reshape(-1, 3)
    return table[:, 0], table[:, 1], table[:, 2]


def _assert_same(stream: VoteStream, log: list[tuple[int, int, int]]) -> None:
    expected = compact(*_arrays(log))
    for got, want in zip((stream.participants, stream.statements, stream.values), expected,
                         strict=True):
        assert got.tolist() == want.tolist()
    p, s, v = expected
    order = np.lexsort((p, s))
    canonical = stream.canonical()
    assert canonical[0].tolist() == s[order].tolist()
    assert canonical[1].tolist() == p[order].tolist()
    assert canonical[2].tolist() == v[order].tolist()


@settings(max_examples=150, deadline=None)
@given(log=votes, cuts=st.lists(st.integers(0, 80), max_size=5))
def test_merging_batches_equals_compacting_the_whole_log(
    log: list[tuple[int, int, int]], cuts: list[int]
) -> None:
    bounds = sorted({0, len(log), *(c for c in cuts if c <= len(log))})
    stream = VoteStream.from_votes(*_arrays(log[: bounds[1]] if len(bounds) > 1 else []))
    for start, end in zip(bounds[1:], bounds[2:], strict=False):
        stream = stream.merged(*_arrays(log[start:end]))
    _assert_same(stream, log)


def test_a_changed_vote_keeps_its_place_and_takes_the_new_value() -> None:
    stream = VoteStream.from_votes(*_arrays([(5, 1, 1), (3, 1, -1), (5, 2, 0)]))
    later = stream.merged(*_arrays([(9, 2, 1), (5, 1, -1), (5, 1, 0)]))
    assert later.participants.tolist() == [5, 3, 5, 9]
    assert later.statements.tolist() == [1, 1, 2, 2]
    assert later.values.tolist() == [0, -1, 0, 1]
    # The earlier stream is untouched: a fitted model may still hold its arrays.
    assert stream.values.tolist() == [1, -1, 0]
    assert stream.size == 3


def test_ids_too_large_to_pack_still_merge_right() -> None:
    big = 2**40
    log = [(big, 1, 1), (3, big + 7, -1), (big, 1, -1), (4, 2, 0)]
    stream = VoteStream.from_votes(*_arrays(log[:2]))
    assert stream.keys is None
    _assert_same(stream.merged(*_arrays(log[2:])), log)
    small = VoteStream.from_votes(*_arrays([(1, 1, 1)]))
    _assert_same(small.merged(*_arrays(log)), [(1, 1, 1), *log])


def test_the_engine_counts_each_groups_votes_as_its_members_cast_them() -> None:
    rng = np.random.default_rng(4)
    n, m = 60, 12
    camp = rng.integers(0, 2, n)
    p = np.repeat(np.arange(n), m)
    s = np.tile(np.arange(m), n)
    v = np.where(camp[p] == 0, 1, -1) * np.where(rng.random(p.size) < 0.2, 0, 1)
    model = OpinionMap().fit(p, s, v)
    for g in range(model.n_groups_):
        members = set(model.participants_[model.groups_ == g].tolist())
        mine = np.isin(p, list(members))
        for column, statement in enumerate(model.statements_):
            here = mine & (s == statement)
            expected = [int((v[here] == 1).sum()), int((v[here] == -1).sum()),
                        int((v[here] == 0).sum())]
            assert model.group_votes_[g, column].tolist() == expected
