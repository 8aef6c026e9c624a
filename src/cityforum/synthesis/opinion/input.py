"""The opinion map's input, read from the database as arrays, with its checksum.

Votes are streamed in chunks of plain integers (``values_list(...).iterator()``), never one
model instance per vote, so a consultation of millions of votes costs three integer arrays.
The engine receives them in the order they were first cast (``created_at``: a participant's
first vote on any statement is the earliest ``created_at`` of their current votes), as Pol.is
does, since the order of first appearance seeds its clustering. The SHA-256 is taken over the
canonical order — statement id, voter public id, value — so that it depends on the votes only.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from cityforum.programme.models import Consultation
from cityforum.statements.models import Statement, Vote

CHUNK = 50_000

IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class OpinionInput:
    """One consultation's current votes: voter public ids, statement ids, values (−1/0/1)."""

    participants: IntArray
    statements: IntArray
    values: IntArray
    moderated_out: IntArray  # rejected statements' ids, sorted
    sha256: str

    @property
    def n_votes(self) -> int:
        return int(self.values.size)


def count_votes(consultation: Consultation) -> int:
    return Vote.objects.filter(statement__consultation=consultation).count()


def read_opinion_input(
    consultation: Consultation, on_chunk: Callable[[int], None] | None = None
) -> OpinionInput:
    """Stream the votes of ``consultation``; ``on_chunk(n_read)`` is called after each chunk."""
    rows = (
        Vote.objects.filter(statement__consultation=consultation)
        .order_by("created_at", "pk")
        .values_list("statement_id", "voter__public_id", "value")
        .iterator(chunk_size=CHUNK)
    )
    digest = hashlib.sha256(b"cityforum opinion input v1\nvotes (statement, voter, value)\n")
    blocks: list[IntArray] = []
    n_read = 0
    while True:
        chunk = list(itertools.islice(rows, CHUNK))
        if not chunk:
            break
        block = np.fromiter(
            itertools.chain.from_iterable(chunk), dtype=np.int64, count=3 * len(chunk)
        ).reshape(-1, 3)
        del chunk
        blocks.append(block)
        n_read += block.shape[0]
        if on_chunk is not None:
            on_chunk(n_read)
    table = np.concatenate(blocks) if blocks else np.empty((0, 3), dtype=np.int64)
    del blocks
    canonical = table[np.lexsort((table[:, 1], table[:, 0]))]
    for start in range(0, canonical.shape[0], CHUNK):
        digest.update(canonical[start : start + CHUNK].astype("<i8", copy=False).tobytes())
    del canonical
    moderated = np.fromiter(
        Statement.objects.filter(consultation=consultation, status=Statement.Status.REJECTED)
        .order_by("pk")
        .values_list("pk", flat=True),
        dtype=np.int64,
    )
    digest.update(b"\nmoderated out\n")
    digest.update(moderated.astype("<i8", copy=False).tobytes())
    return OpinionInput(
        participants=np.ascontiguousarray(table[:, 1]),
        statements=np.ascontiguousarray(table[:, 0]),
        values=np.ascontiguousarray(table[:, 2]),
        moderated_out=moderated,
        sha256=digest.hexdigest(),
    )
