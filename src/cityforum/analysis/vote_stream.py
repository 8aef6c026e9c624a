"""A conversation's current votes, kept up to date from its vote log one batch at a time.

Why this exists: the live opinion map updates every second or two while thousands vote. Each
update used to rebuild the current votes from scratch: sort every stored vote to keep the last
one per (participant, statement) pair, then sort them again into the checksum's canonical
order. At a million votes those two sorts cost more than the fit itself. A :class:`VoteStream`
keeps both orders at once and merges a batch of new votes with binary searches and one copy,
so an update pays for the votes that arrived, not for the ones already there.

The two orders:

* the **stream order**: one vote per pair, at the place of the pair's first vote, holding its
  last value; the engine reads votes in this order, and the order of first appearance seeds its
  clustering (:class:`~cityforum.analysis.opinion.OpinionMap` is deterministic given it);
* the **canonical order**: by statement, then participant; the input checksum hashes the
  votes in this order, so that a live update and an explicit run over the same votes carry the
  same checksum.

Pure numpy: no Django, no database.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]

#: Ids must fit in 31 bits to pack (statement, participant) into one sortable int64 key.
ID_LIMIT = 2**31


def compact(
    participants: IntArray, statements: IntArray, values: IntArray
) -> tuple[IntArray, IntArray, IntArray]:
    """The last vote of each (participant, statement) pair, at the place of its first vote.

    Keeps the order of first appearance of participants and statements, which seeds the
    engine's clustering, and makes the stream exactly what the current votes are.
    """
    if participants.size == 0:
        return participants, statements, values
    key = (participants.astype(np.int64) << 32) | statements.astype(np.int64)
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    starts = np.flatnonzero(np.r_[True, sorted_key[1:] != sorted_key[:-1]])
    ends = np.r_[starts[1:], sorted_key.size] - 1
    first, last = order[starts], order[ends]
    place = np.argsort(first, kind="stable")
    first, last = first[place], last[place]
    return participants[first], statements[first], values[last]


def canonical_keys(statements: IntArray, participants: IntArray) -> IntArray | None:
    """``statement << 32 | participant`` (sorting the keys sorts by statement, then
    participant), or ``None`` when an id does not fit in 31 bits."""
    for ids in (statements, participants):
        if ids.size and (int(ids.min()) < 0 or int(ids.max()) >= ID_LIMIT):
            return None
    return (statements.astype(np.int64) << 32) | participants.astype(np.int64)


def _ints(values: IntArray) -> IntArray:
    return np.asarray(values, dtype=np.int64)


@dataclass(frozen=True)
class VoteStream:
    """Current votes in stream order, with the canonical index over them.

    ``keys`` are the canonical keys, sorted; ``slots[i]`` is the stream position of ``keys[i]``.
    Ids too large to pack leave both ``None``: the stream then compacts and sorts everything on
    each merge, as slowly as before, but right. Immutable: :meth:`merged` returns a new stream,
    so a fitted model that still holds the old arrays never sees them change.
    """

    participants: IntArray
    statements: IntArray
    values: IntArray
    keys: IntArray | None
    slots: IntArray | None

    @classmethod
    def from_votes(
        cls, participants: IntArray, statements: IntArray, values: IntArray
    ) -> VoteStream:
        """The stream of votes given in time order (a later vote on a pair wins)."""
        p, s, v = compact(_ints(participants), _ints(statements), _ints(values))
        keys = canonical_keys(s, p)
        if keys is None:
            return cls(p, s, v, None, None)
        slots = np.argsort(keys)  # keys are distinct: any sort gives the same order
        return cls(p, s, v, keys[slots], slots)

    @property
    def size(self) -> int:
        return int(self.values.size)

    def merged(self, participants: IntArray, statements: IntArray, values: IntArray) -> VoteStream:
        """This stream with later votes (time order) applied, as if the whole log were
        compacted again: a changed vote keeps its pair's place and takes the new value, a new
        pair goes to the end in order of first appearance."""
        if len(participants) == 0:
            return self
        p, s, v = compact(_ints(participants), _ints(statements), _ints(values))
        keys = canonical_keys(s, p)
        if self.keys is None or self.slots is None or keys is None:
            return VoteStream.from_votes(
                np.concatenate([self.participants, p]),
                np.concatenate([self.statements, s]),
                np.concatenate([self.values, v]),
            )
        at = np.searchsorted(self.keys, keys)
        found = at < self.keys.size
        found[found] = self.keys[at[found]] == keys[found]
        new_values = self.values.copy()
        new_values[self.slots[at[found]]] = v[found]
        fresh = ~found
        if not fresh.any():
            return VoteStream(self.participants, self.statements, new_values, self.keys, self.slots)
        added_keys = keys[fresh]
        added_slots = self.size + np.arange(added_keys.size, dtype=np.int64)
        order = np.argsort(added_keys)
        added_keys, added_slots = added_keys[order], added_slots[order]
        where = np.searchsorted(self.keys, added_keys)
        return VoteStream(
            np.concatenate([self.participants, p[fresh]]),
            np.concatenate([self.statements, s[fresh]]),
            np.concatenate([new_values, v[fresh]]),
            np.insert(self.keys, where, added_keys),
            np.insert(self.slots, where, added_slots),
        )

    def canonical(self) -> tuple[IntArray, IntArray, IntArray]:
        """``(statements, participants, values)`` sorted by statement, then participant."""
        if self.keys is None or self.slots is None:
            order = np.lexsort((self.participants, self.statements))
            return self.statements[order], self.participants[order], self.values[order]
        return self.keys >> 32, self.keys & (ID_LIMIT * 2 - 1), self.values[self.slots]
