"""Read a Pol.is open-data export folder into the arrays :class:`OpinionMap.fit` takes.

A folder holds ``comments.csv`` and either ``votes.csv`` (the vote log, every event) or, when the
log was too large to publish, ``participants-votes.csv`` (each participant's latest votes, one
column per statement). Moderated out = ``moderated == -1`` (the export has no meta flag).

Why the csv module and not pandas: the files are small enough, statement texts contain quoted
newlines that the csv module handles, and the analysis package stays free of heavy dependencies.

Errors are :class:`PolisExportError` (an :class:`OpinionMapError`) and name the file and line.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from cityforum.analysis._opinion_errors import OpinionMapError
from cityforum.analysis._opinion_matrix import build_vote_matrix
from cityforum.analysis.opinion import MIN_PARTICIPANTS, MIN_VOTES

__all__ = ["PolisExport", "PolisExportError", "read_polis_export"]

IntArray = NDArray[np.int64]


class PolisExportError(OpinionMapError):
    """A missing or malformed export file; the message names the file and the line number."""


@dataclass(frozen=True)
class PolisExport:
    """Votes in time order, moderation, and Polis' own groups (``participant id -> group``)."""

    participants: IntArray
    statements: IntArray
    values: NDArray[np.int8]
    moderated_out: IntArray
    statement_ids: IntArray  # every statement of comments.csv, voted on or not
    polis_groups: dict[int, int] = field(default_factory=dict)
    timestamps: IntArray | None = None  # milliseconds, one per vote (None without votes.csv)

    @property
    def missing_votes(self) -> Literal["mean", "pass"]:
        """How the Polis version that computed ``polis_groups`` treated missing votes.

        Why it can be read off the export: Polis since October 2017 groups a participant only
        from ``min(7, M)`` votes on (``M`` statements with votes), topping the grouped set up to
        15 at most, so at most about 15 grouped participants can have fewer votes. From February
        to October 2017 its math turned every empty cell into a pass whenever a statement was
        moderated out, so everyone had ``M`` "votes" and was grouped. An export whose groups
        hold more than :data:`MIN_PARTICIPANTS` participants below the threshold was computed
        that way: ``"pass"`` (``OpinionMap(missing_votes="pass")`` reproduces it); otherwise
        ``"mean"``, Polis' current method and our default. Of the public conversations, only
        scoop-hivemind.ubi (August 2017: all 234 grouped, 60 with fewer than 7 votes) is
        ``"pass"``.
        """
        if not self.polis_groups or self.participants.size == 0:
            return "mean"
        matrix = build_vote_matrix(self.participants, self.statements, self.values)
        n_votes = np.diff(
            matrix.indptr
        )  # votes per participant, as the in-conversation rule counts
        grouped = np.isin(matrix.participants, np.fromiter(self.polis_groups, dtype=np.int64))
        below = int(np.sum(grouped & (n_votes < min(MIN_VOTES, matrix.shape[1]))))
        return "pass" if below > MIN_PARTICIPANTS else "mean"


def _rows(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) with the header checked; line numbers count physical lines."""
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as exc:
        raise PolisExportError(f"{path}: cannot be read ({exc.strerror})") from exc
    with handle:
        reader = csv.reader(handle, strict=True)
        try:
            header = next(reader)
        except StopIteration:
            raise PolisExportError(f"{path}: the file is empty") from None
        except csv.Error as exc:
            raise PolisExportError(f"{path}, line {reader.line_num}: {exc}") from exc
        missing = [name for name in required if name not in header]
        if missing:
            raise PolisExportError(f"{path}, line 1: missing column(s) {', '.join(missing)}")
        while True:
            start = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise PolisExportError(f"{path}, line {start}: {exc}") from exc
            if not cells:
                continue
            if len(cells) != len(header):
                raise PolisExportError(
                    f"{path}, line {start}: expected {len(header)} fields, found {len(cells)}"
                )
            yield start, dict(zip(header, cells, strict=True))


def _int(path: Path, line: int, column: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise PolisExportError(
            f"{path}, line {line}: {column} must be an integer, found {text!r}"
        ) from None


def _vote(path: Path, line: int, text: str) -> int:
    value = _int(path, line, "vote", text)
    if value not in (-1, 0, 1):
        raise PolisExportError(f"{path}, line {line}: vote must be -1, 0 or 1, found {value}")
    return value


def read_polis_export(folder: str | Path) -> PolisExport:
    """Read ``votes.csv`` (or ``participants-votes.csv``) and ``comments.csv`` from ``folder``.

    Votes come back in time order (the log is not sorted; ties keep file order). A vote on a
    statement that ``comments.csv`` does not list is an error: the export is inconsistent.
    """
    folder = Path(folder)
    comments = folder / "comments.csv"
    statement_ids: list[int] = []
    moderated: list[int] = []
    for line, row in _rows(comments, ("comment-id", "moderated")):
        sid = _int(comments, line, "comment-id", row["comment-id"])
        statement_ids.append(sid)
        if _int(comments, line, "moderated", row["moderated"]) == -1:
            moderated.append(sid)
    known = set(statement_ids)

    groups: dict[int, int] = {}
    wide = folder / "participants-votes.csv"
    votes_log = folder / "votes.csv"
    if wide.exists():
        for line, row in _rows(wide, ("participant", "group-id")):
            if row["group-id"].strip():
                pid = _int(wide, line, "participant", row["participant"])
                groups[pid] = _int(wide, line, "group-id", row["group-id"])

    stamp_arr: IntArray | None = None
    if votes_log.exists():
        stamps: list[int] = []
        pids: list[int] = []
        sids: list[int] = []
        vals: list[int] = []
        for line, row in _rows(votes_log, ("timestamp", "comment-id", "voter-id", "vote")):
            sid = _int(votes_log, line, "comment-id", row["comment-id"])
            if sid not in known:
                raise PolisExportError(
                    f"{votes_log}, line {line}: comment-id {sid} is not in comments.csv"
                )
            stamps.append(_int(votes_log, line, "timestamp", row["timestamp"]))
            pids.append(_int(votes_log, line, "voter-id", row["voter-id"]))
            sids.append(sid)
            vals.append(_vote(votes_log, line, row["vote"]))
        stamp_arr = np.asarray(stamps, dtype=np.int64)
        order = np.argsort(stamp_arr, kind="stable")
        stamp_arr = stamp_arr[order]
        p_arr = np.asarray(pids, dtype=np.int64)[order]
        s_arr = np.asarray(sids, dtype=np.int64)[order]
        v_arr = np.asarray(vals, dtype=np.int8)[order]
    elif wide.exists():
        p_arr, s_arr, v_arr = _wide_votes(wide, known)
    else:
        raise PolisExportError(f"{folder}: neither votes.csv nor participants-votes.csv found")
    return PolisExport(
        p_arr,
        s_arr,
        v_arr,
        np.asarray(moderated, dtype=np.int64),
        np.asarray(statement_ids, dtype=np.int64),
        groups,
        stamp_arr,
    )


def _wide_votes(path: Path, known: set[int]) -> tuple[IntArray, IntArray, NDArray[np.int8]]:
    """Votes from the wide matrix, row by row (no time information: file order stands in)."""
    pids: list[int] = []
    sids: list[int] = []
    vals: list[int] = []
    columns: list[tuple[str, int]] | None = None
    for line, row in _rows(path, ("participant",)):
        if columns is None:
            columns = []
            for name in row:
                if name.strip().lstrip("-").isdigit():
                    sid = int(name)
                    if sid not in known:
                        raise PolisExportError(
                            f"{path}, line 1: statement column {sid} is not in comments.csv"
                        )
                    columns.append((name, sid))
        pid = _int(path, line, "participant", row["participant"])
        for name, sid in columns:
            text = row[name].strip()
            if text:
                pids.append(pid)
                sids.append(sid)
                vals.append(_vote(path, line, text))
    return (
        np.asarray(pids, dtype=np.int64),
        np.asarray(sids, dtype=np.int64),
        np.asarray(vals, dtype=np.int8),
    )
