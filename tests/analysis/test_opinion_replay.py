"""Polis' history: k smoothing across fits, and the replay of a vote log at Polis' update times.

Polis updates a conversation every time its worker polls new votes (every second), each update
warm-started from the last, and changes the number of groups only after the silhouette has
preferred the new k four updates in a row (polis-math §8, docs/methods/opinion.md).
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from cityforum.analysis.opinion import InvalidVotesError, OpinionMap
from cityforum.analysis.opinion_replay import (
    POLIS_POLL_SECONDS,
    replay,
    replay_export,
    update_points,
)
from cityforum.analysis.polis_export import read_polis_export

from .test_opinion_polis_data import DATA


def camps(n_camps: int, n_each: int = 20, seed: int = 0) -> tuple[list[int], list[int], list[int]]:
    """Camps that agree with everything, disagree with everything, or split half and half;
    every participant votes on all 12 statements, 15 % of votes against their camp."""
    rng = np.random.default_rng(seed)
    stance = np.array([[1] * 12, [-1] * 12, [1] * 6 + [-1] * 6])
    pids, sids, vals = [], [], []
    for c in range(n_camps):
        for i in range(n_each):
            for s in range(12):
                pids.append(c * 100 + i)
                sids.append(s)
                vals.append(int(stance[c, s] * (1 if rng.random() > 0.15 else -1)))
    return pids, sids, vals


def test_k_changes_only_after_the_new_k_wins_four_fits_in_a_row() -> None:
    two = OpinionMap().fit(*camps(2))
    assert two.n_groups_ == 2
    assert OpinionMap().fit(*camps(3)).n_groups_ == 3  # alone, the third camp shows at once
    shown, previous = [], two
    for _ in range(5):
        previous = OpinionMap().fit(*camps(3), previous=previous)
        shown.append(previous.n_groups_)
    assert shown == [2, 2, 2, 3, 3]
    assert previous.k_smoother_ == (3, 5, 3)


def test_k_buffer_one_follows_the_silhouette_and_a_forced_k_is_never_smoothed() -> None:
    two = OpinionMap().fit(*camps(2))
    assert OpinionMap(k_buffer=1).fit(*camps(3), previous=two).n_groups_ == 3
    assert OpinionMap(n_groups=4).fit(*camps(3), previous=two).n_groups_ == 4
    with pytest.raises(InvalidVotesError, match="k_buffer"):
        OpinionMap(k_buffer=0).fit(*camps(2))


def test_an_update_without_new_votes_changes_no_group() -> None:
    once = OpinionMap().fit(*camps(3))
    again = OpinionMap().fit(*camps(3), previous=once)
    assert again.groups_.tolist() == once.groups_.tolist()
    assert set(again.group_candidates_) == set(once.group_candidates_) == {2, 3, 4, 5}


def test_updates_fall_where_a_polling_interval_has_passed() -> None:
    stamps = np.array([0.0, 0.5, 1.0, 1.2, 5.0])
    assert update_points(stamps, 1.0).tolist() == [2, 4, 5]
    assert update_points(stamps, 10.0).tolist() == [5]
    assert update_points(stamps, 0.1).tolist() == [1, 2, 3, 4, 5]


def test_replay_is_the_chain_of_fits_on_each_prefix() -> None:
    pids, sids, vals = camps(3)
    stamps = np.arange(len(pids)) * 0.05  # 20 votes a second: an update every 20 votes
    result = replay(OpinionMap(), pids[::-1], sids[::-1], vals[::-1], stamps[::-1])
    # The log is given backwards: replay puts it in time order first.
    previous = None
    for end in update_points(stamps, POLIS_POLL_SECONDS):
        try:
            model = OpinionMap().fit(pids[:end], sids[:end], vals[:end], previous=previous)
        except ValueError:
            continue
        previous = model
    assert previous is not None
    assert result.groups_.tolist() == previous.groups_.tolist()
    assert result.k_smoother_ == previous.k_smoother_


@pytest.mark.parametrize(
    ("stamps", "interval", "message"),
    [
        ([0.0, 1.0], 1.0, "one time per vote"),
        (["a"] * 3, 1.0, "timestamps must be numbers"),
        ([0.0, float("nan"), 2.0], 1.0, "finite"),
        ([0.0, 1.0, 2.0], 0, "interval must be a positive number"),
    ],
)
def test_replay_refuses_bad_timestamps_and_intervals(
    stamps: list[object], interval: float, message: str
) -> None:
    with pytest.raises(InvalidVotesError, match=message):
        replay(OpinionMap(), [0, 1, 2], [0, 0, 0], [1, -1, 1], stamps, interval=interval)


def test_london_replayed_at_polis_polling_interval_finds_polis_structure() -> None:
    # 26 people, 638 votes in 14 minutes of a workshop: Polis' groups are the state after its
    # last live update. One fit of the final votes is at chance level (ARI -0.019); replaying
    # the log at Polis' 1 s polling gives the same groups for any interval from 0.5 s to 10 s.
    folder = DATA / "london.youth.policing"
    if not folder.exists():
        pytest.fail(f"public data not found at {folder}: the tests read ../shared/data")
    export = read_polis_export(folder)
    assert export.timestamps is not None
    figures = set()
    for interval in (0.5, 1.0, 10.0):
        model = replay_export(export, interval=interval)
        ours = dict(zip(model.participants_.tolist(), model.groups_.tolist(), strict=True))
        both = [p for p in export.polis_groups if ours.get(p, -1) >= 0]
        figures.add(
            round(
                adjusted_rand_score(
                    [export.polis_groups[p] for p in both], [ours[p] for p in both]
                ),
                3,
            )
        )
    assert len(figures) == 1  # the same groups at every realistic polling interval
    assert figures.pop() > 0.122  # red-dwarf's figure (ours: 0.178)


def test_an_export_without_a_vote_log_is_fitted_once_with_its_polis_version() -> None:
    folder = DATA / "american-assembly.bowling-green"  # participants-votes.csv only
    if not folder.exists():
        pytest.fail(f"public data not found at {folder}: the tests read ../shared/data")
    export = read_polis_export(folder)
    assert export.timestamps is None
    once = OpinionMap().fit(
        export.participants, export.statements, export.values, export.moderated_out
    )
    assert replay_export(export).groups_.tolist() == once.groups_.tolist()
