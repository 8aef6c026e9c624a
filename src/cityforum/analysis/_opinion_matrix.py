"""The vote matrix of the opinion map: input checks and last-vote-wins de-duplication.

polis-math.md §3. Rows and columns are numbered in order of *first appearance* in the vote
stream (the input is in time order), which is how a live Polis matrix grows. That order is the
documented row order for the k-means initialisation (§7), and, unlike sorting by id, it does not
change when participants or statements are relabelled, so relabelling cannot change a grouping.

Why a sort of packed integers rather than ``np.unique(..., return_index=True)``: at 50 million
votes the stable argsort behind ``return_index`` costs several seconds, while sorting one int64
array that packs (cell, position in the stream) is a plain SIMD quicksort, and "the last vote
wins" becomes "the largest position in each run of equal cells".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from cityforum.analysis._opinion_errors import InvalidVotesError, NoVotesError

IntArray = NDArray[np.int64]

# A dense id -> row lookup table is used when ids are at most this many times the vote count;
# beyond that (very sparse ids) the sort-based np.unique path is cheaper in memory.
_DENSE_ID_FACTOR = 4


@dataclass(frozen=True)
class VoteMatrix:
    """Latest vote per (participant, statement), rows and columns in first-appearance order.

    ``indptr``/``indices``/``values`` are a CSR layout whose stored cells are exactly the cast
    votes; passes are stored as explicit 0 (a pass is a vote, a missing cell is not).
    """

    participants: IntArray
    statements: IntArray
    indptr: IntArray
    indices: NDArray[np.int32]
    values: NDArray[np.int8]

    @property
    def shape(self) -> tuple[int, int]:
        return (self.participants.size, self.statements.size)

    def csr(self, data: NDArray[Any]) -> sp.csr_array:
        """A CSR array with this matrix's pattern and the given cell data (zeros are kept)."""
        return sp.csr_array((data, self.indices, self.indptr), shape=self.shape)

    def cell_rows(self) -> NDArray[np.intp]:
        """Row number of every stored cell (the COO row vector)."""
        return np.repeat(np.arange(self.shape[0], dtype=np.intp), np.diff(self.indptr))


def as_ids(name: str, raw: Any) -> IntArray:
    """Check that ``raw`` is a 1-D array of non-negative integers and return it as int64."""
    arr = np.asarray(raw)
    if arr.ndim != 1:
        raise InvalidVotesError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if arr.size == 0:
        return arr.astype(np.int64)
    if arr.dtype.kind in "iu":
        out = arr.astype(np.int64, copy=False)
    elif arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or not np.all(arr == np.floor(arr)):
            raise InvalidVotesError(f"{name} must be integer ids; found a non-integer value")
        out = arr.astype(np.int64)
    elif arr.dtype.kind == "O" and all(
        isinstance(v, int | np.integer) and not isinstance(v, bool | np.bool_) for v in arr
    ):
        out = arr.astype(np.int64)
    else:
        sample = next(iter(arr.tolist()))
        raise InvalidVotesError(f"{name} must be integer ids; found {sample!r} ({arr.dtype})")
    if out.min() < 0:
        raise InvalidVotesError(f"{name} must be non-negative ids; found {int(out.min())}")
    return out


def as_values(raw: Any) -> NDArray[np.int8]:
    """Check that every vote is -1, 0 or +1 and return them as int8."""
    arr = np.asarray(raw)
    if arr.ndim != 1:
        raise InvalidVotesError(f"values must be one-dimensional, got shape {arr.shape}")
    if arr.dtype.kind not in "iuf":
        raise InvalidVotesError(f"values must be numbers -1, 0 or 1; got dtype {arr.dtype}")
    # Two or three comparisons instead of np.isin, which sorts (0.5 ms at 225,000 votes).
    if arr.dtype.kind == "f":
        bad = ~((arr == 0) | (arr == 1) | (arr == -1))  # NaN and fractions are bad too
    else:
        bad = (arr < -1) | (arr > 1)
    if np.any(bad):
        first = int(np.flatnonzero(bad)[0])
        raise InvalidVotesError(
            f"values must be -1 (disagree), 0 (pass) or 1 (agree); vote {first} is {arr[first]!r}"
        )
    return arr.astype(np.int8)


def _codes_by_first_appearance(ids: IntArray) -> tuple[IntArray, NDArray[np.int64]]:
    """Map ids to 0..n-1 in order of first appearance; return (distinct ids, codes)."""
    top = int(ids.max())
    if top <= _DENSE_ID_FACTOR * ids.size + 1_000_000:
        first = np.full(top + 1, ids.size, dtype=np.int64)
        # Fancy assignment with repeated indices keeps the last write; writing the stream
        # backwards therefore leaves each id's first position.
        first[ids[::-1]] = np.arange(ids.size - 1, -1, -1, dtype=np.int64)
        present = np.flatnonzero(first < ids.size)
        distinct = present[np.argsort(first[present], kind="stable")].astype(np.int64)
        lookup = np.empty(top + 1, dtype=np.int64)
        lookup[distinct] = np.arange(distinct.size, dtype=np.int64)
        return distinct, lookup[ids]
    uniq, first_idx, inverse = np.unique(ids, return_index=True, return_inverse=True)
    order = np.argsort(first_idx, kind="stable")
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size, dtype=np.int64)
    return uniq[order].astype(np.int64), rank[inverse.ravel()]


def _latest_cells(rows: IntArray, cols: IntArray, n_cols: int) -> tuple[IntArray, IntArray]:
    """Sorted distinct cell keys ``row * n_cols + col`` and the stream position of the last vote."""
    n = rows.size
    cells = rows * n_cols + cols
    pos_bits = max(int(n - 1).bit_length(), 1)
    if int(cells.max()).bit_length() + pos_bits <= 62:
        packed = (cells << pos_bits) | np.arange(n, dtype=np.int64)
        packed.sort()
        keys = packed >> pos_bits
        positions = packed & ((1 << pos_bits) - 1)
    else:  # too many cells to pack: fall back to a stable argsort
        order = np.argsort(cells, kind="stable")
        keys, positions = cells[order], order.astype(np.int64)
    last = np.ones(n, dtype=bool)
    last[:-1] = keys[1:] != keys[:-1]
    return keys[last], positions[last]


def build_vote_matrix(participants: Any, statements: Any, values: Any) -> VoteMatrix:
    """Validate three parallel vote arrays (time order) and keep the last vote per cell."""
    pids = as_ids("participants", participants)
    sids = as_ids("statements", statements)
    vals = as_values(values)
    if not (pids.size == sids.size == vals.size):
        raise InvalidVotesError(
            "participants, statements and values must have the same length; got "
            f"{pids.size}, {sids.size} and {vals.size}"
        )
    if pids.size == 0:
        raise NoVotesError("there are no votes to analyse")
    participant_ids, rows = _codes_by_first_appearance(pids)
    statement_ids, cols = _codes_by_first_appearance(sids)
    n_rows, n_cols = participant_ids.size, statement_ids.size
    keys, positions = _latest_cells(rows, cols, n_cols)
    del rows, cols
    cell_rows = keys // n_cols
    indices = (keys - cell_rows * n_cols).astype(np.int32)
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(cell_rows, minlength=n_rows), out=indptr[1:])
    return VoteMatrix(participant_ids, statement_ids, indptr, indices, vals[positions])
