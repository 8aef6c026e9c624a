"""Bad input is refused with an OpinionMapError that says what is wrong; nothing crashes."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from cityforum.analysis.opinion import (
    ConversationTooSmallError,
    InvalidVotesError,
    NoVotesError,
    OpinionMap,
    OpinionMapError,
)
from cityforum.analysis.polis_export import PolisExport, PolisExportError, read_polis_export


def test_every_error_is_an_opinion_map_error_and_a_value_error() -> None:
    for exc in (NoVotesError, InvalidVotesError, ConversationTooSmallError, PolisExportError):
        assert issubclass(exc, OpinionMapError)
    assert issubclass(OpinionMapError, ValueError)


def test_no_votes() -> None:
    with pytest.raises(NoVotesError, match="no votes"):
        OpinionMap().fit([], [], [])


@pytest.mark.parametrize(
    ("participants", "statements"),
    [
        (["a", "b"], [0, 1]),
        ([0.5, 1.0], [0, 1]),
        ([0, 1], [0, None]),
        ([-1, 2], [0, 1]),
        ([True, False], [0, 1]),
    ],
)
def test_ids_must_be_non_negative_integers(
    participants: list[object], statements: list[object]
) -> None:
    with pytest.raises(InvalidVotesError, match="ids"):
        OpinionMap().fit(participants, statements, [1, 1])


def test_integral_floats_are_accepted_as_ids() -> None:
    model = OpinionMap().fit(*_small_floats())
    assert model.participants_.dtype == np.int64


def _small_floats() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    pids = np.repeat(np.arange(20.0), 6)
    sids = np.tile(np.arange(6.0), 20)
    return pids, sids, rng.choice([-1, 1], size=pids.size)


@pytest.mark.parametrize("bad", [2, -2, 0.5, float("nan")])
def test_votes_must_be_minus_one_zero_or_one(bad: float) -> None:
    with pytest.raises(InvalidVotesError, match="vote 1 is"):
        OpinionMap().fit([0, 1], [0, 0], [1, bad])


def test_arrays_must_have_the_same_length() -> None:
    with pytest.raises(InvalidVotesError, match="same length"):
        OpinionMap().fit([0, 1], [0], [1, 1])


def test_unknown_moderated_ids_are_ignored_but_non_integer_ones_refused() -> None:
    pids, sids, vals = _small_floats()
    OpinionMap().fit(pids, sids, vals, moderated_out=[12345])
    with pytest.raises(InvalidVotesError, match="moderated_out"):
        OpinionMap().fit(pids, sids, vals, moderated_out=["x"])


def test_invalid_parameters_are_refused_in_fit() -> None:
    with pytest.raises(InvalidVotesError, match="max_groups"):
        OpinionMap(max_groups=1).fit([0], [0], [1])
    with pytest.raises(InvalidVotesError, match="missing_votes must be 'mean' or 'pass'"):
        OpinionMap(missing_votes="zero").fit([0, 1], [0, 0], [1, -1])  # type: ignore[arg-type]


def test_a_single_participant_is_too_small_to_group() -> None:
    with pytest.raises(ConversationTooSmallError, match="at least 2"):
        OpinionMap().fit([5, 5], [0, 1], [1, -1])


def test_identical_voters_give_no_groups_and_say_why() -> None:
    with pytest.raises(ConversationTooSmallError, match="same point"):
        OpinionMap().fit([0, 1, 2], [0, 0, 0], [1, 1, 1])


def test_everything_moderated_out_is_too_small() -> None:
    with pytest.raises(ConversationTooSmallError, match="moderated out"):
        OpinionMap().fit([0, 1], [0, 0], [1, -1], moderated_out=[0])


# Pol.is export reader --------------------------------------------------------------------------

COMMENTS = "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"


def _folder(tmp_path: Path, votes: str, comments: str = "") -> Path:
    (tmp_path / "comments.csv").write_text(
        COMMENTS + (comments or '1,x,0,0,1,0,1,"a, multi\nline body"\n1,x,1,0,0,0,-1,b\n'),
        encoding="utf-8",
    )
    (tmp_path / "votes.csv").write_text(votes, encoding="utf-8")
    return tmp_path


def test_reader_sorts_votes_by_time_and_reads_moderation(tmp_path: Path) -> None:
    export = read_polis_export(
        _folder(tmp_path, "timestamp,datetime,comment-id,voter-id,vote\n20,x,0,1,-1\n10,x,1,2,1\n")
    )
    assert export.participants.tolist() == [2, 1]
    assert export.values.tolist() == [1, -1]
    assert export.timestamps is not None and export.timestamps.tolist() == [10, 20]
    assert export.moderated_out.tolist() == [1]


def test_malformed_csv_names_the_line(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "timestamp,datetime,comment-id,voter-id,vote\n10,x,0,1,1\n11,x,0\n")
    with pytest.raises(PolisExportError, match=r"votes.csv, line 3: expected 5 fields"):
        read_polis_export(folder)


def test_non_integer_id_in_csv_names_the_line(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "timestamp,datetime,comment-id,voter-id,vote\n10,x,0,bob,1\n")
    with pytest.raises(PolisExportError, match=r"line 2: voter-id must be an integer"):
        read_polis_export(folder)


def test_vote_on_an_unknown_statement_is_an_error(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "timestamp,datetime,comment-id,voter-id,vote\n10,x,9,1,1\n")
    with pytest.raises(PolisExportError, match="comment-id 9 is not in comments.csv"):
        read_polis_export(folder)


def test_line_numbers_count_physical_lines_after_a_multiline_field(tmp_path: Path) -> None:
    (tmp_path / "votes.csv").write_text(
        "timestamp,datetime,comment-id,voter-id,vote\n1,x,0,1,1\n", encoding="utf-8"
    )
    (tmp_path / "comments.csv").write_text(
        COMMENTS + '1,x,0,0,1,0,1,"two\nlines"\n1,x,1,0,0,0,oops,b\n', encoding="utf-8"
    )
    with pytest.raises(PolisExportError, match="comments.csv, line 4: moderated"):
        read_polis_export(tmp_path)


def test_missing_folder_files_are_reported(tmp_path: Path) -> None:
    with pytest.raises(PolisExportError, match="comments.csv"):
        read_polis_export(tmp_path)


def _export_with_low_voters(n_low: int) -> PolisExport:
    """20 full voters on 8 statements and ``n_low`` one-vote participants, all grouped by Polis."""
    pids = [p for p in range(20) for _ in range(8)] + list(range(100, 100 + n_low))
    sids = [s for _ in range(20) for s in range(8)] + [0] * n_low
    groups = {p: p % 2 for p in [*range(20), *range(100, 100 + n_low)]}
    return PolisExport(
        np.asarray(pids, dtype=np.int64),
        np.asarray(sids, dtype=np.int64),
        np.ones(len(pids), dtype=np.int8),
        np.zeros(0, dtype=np.int64),
        np.arange(8, dtype=np.int64),
        groups,
    )


def test_an_export_grouping_more_low_voters_than_the_top_up_allows_counted_missing_as_passes() -> (
    None
):
    assert _export_with_low_voters(15).missing_votes == "mean"  # the top-up can explain 15
    assert _export_with_low_voters(16).missing_votes == "pass"
    ungrouped = dataclasses.replace(_export_with_low_voters(20), polis_groups={})
    assert ungrouped.missing_votes == "mean"  # no groups in the export: nothing to read off
