"""Replay a vote log the way Polis' live math saw it: one update per polling interval.

Why: Polis does not compute its groups once from the final votes. Its math worker polls new
votes every second and updates the conversation, each update warm-started from the last one
(sticky participants, previous components, previous base clusters and groups for every k) and
with the number of groups smoothed over updates. The groups in a Polis export are the state
after the last of those updates, so on a conversation without clear structure they depend on
the order and timing of the votes, which one fit of the final votes cannot see
(docs/methods/opinion.md, "Polis' history: the replay"). With the vote log's timestamps,
:func:`replay` chains :meth:`OpinionMap.fit` calls with ``previous=`` at the same moments
Polis' worker would have.

Cost: one fit per update, each over the votes so far, so this is for reproducing Polis on
conversations of live-workshop size, not for large ones (use one fit there).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from cityforum.analysis._opinion_errors import ConversationTooSmallError, InvalidVotesError
from cityforum.analysis.opinion import OpinionMap, _one_blas_thread
from cityforum.analysis.polis_export import PolisExport

__all__ = ["POLIS_POLL_SECONDS", "replay", "replay_export", "update_points"]

# Polis' math worker polls for new votes every 1,000 ms (math/src/polismath/components/config.clj,
# :poller :votes :polling-interval).
POLIS_POLL_SECONDS = 1.0


def update_points(timestamps: NDArray[np.float64], interval: float) -> NDArray[np.int64]:
    """Where the updates fall: the exclusive end of each vote prefix an update sees.

    ``timestamps`` are sorted seconds. A window opens at a vote and closes at the first vote
    ``interval`` or more later, which starts the next window; the last update sees every vote.
    """
    ends: list[int] = []
    start = float(timestamps[0]) if timestamps.size else 0.0
    for i in range(1, timestamps.size):
        if timestamps[i] - start >= interval:
            ends.append(i)
            start = float(timestamps[i])
    ends.append(int(timestamps.size))
    return np.asarray(ends, dtype=np.int64)


def replay(
    estimator: OpinionMap,
    participants: Any,
    statements: Any,
    values: Any,
    timestamps: Any,
    moderated_out: Any = (),
    interval: float = POLIS_POLL_SECONDS,
) -> OpinionMap:
    """Fit ``estimator``'s parameters as a chain of updates over the vote log; return the last.

    ``timestamps`` are seconds (any origin), one per vote; votes are taken in timestamp order
    (ties keep input order). Each update is a fresh estimator with the same parameters, fitted
    on the votes so far with ``previous=`` the update before (so Polis' k smoothing applies).
    Updates too early to form groups are skipped, as Polis shows no groups then; if even the
    whole log cannot be grouped, the last fit's :class:`ConversationTooSmallError` is raised.
    """
    try:
        stamps = np.asarray(timestamps, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidVotesError("timestamps must be numbers (seconds)") from None
    if isinstance(interval, bool) or not isinstance(interval, int | float) or not interval > 0:
        raise InvalidVotesError(f"interval must be a positive number of seconds; got {interval!r}")
    if stamps.ndim != 1 or stamps.size != np.asarray(participants).size:
        raise InvalidVotesError("timestamps must give one time per vote")
    if not np.all(np.isfinite(stamps)):
        raise InvalidVotesError("timestamps must be finite numbers (seconds)")
    order = np.argsort(stamps, kind="stable")
    stamps = stamps[order]
    pids, sids, vals = (np.asarray(a)[order] for a in (participants, statements, values))
    moderated = list(moderated_out)
    params = estimator.get_params()
    estimator._validate_params()
    previous: OpinionMap | None = None
    ends = update_points(stamps, float(interval))
    with _one_blas_thread():
        for n, end in enumerate(ends):
            last = n == ends.size - 1
            model = OpinionMap(**params)
            try:
                # Only the last update's statements are kept: the others skip them.
                model._fit(pids[:end], sids[:end], vals[:end], moderated, previous, last)  # noqa: SLF001
            except ConversationTooSmallError:
                if last:
                    raise
                continue
            previous = model
    assert previous is not None
    return previous


def replay_export(
    export: PolisExport,
    estimator: OpinionMap | None = None,
    interval: float = POLIS_POLL_SECONDS,
) -> OpinionMap:
    """A Pol.is export's groups as Polis computed them, as far as the export tells.

    The estimator defaults to ``OpinionMap(missing_votes=export.missing_votes)`` (the treatment
    of missing votes of the Polis version that computed the export); the vote log is replayed
    at ``interval``, or, for an export without ``votes.csv``, the final votes are fitted once.
    """
    if estimator is None:
        estimator = OpinionMap(missing_votes=export.missing_votes)
    votes = (export.participants, export.statements, export.values)
    if export.timestamps is None:
        return estimator.fit(*votes, export.moderated_out)
    return replay(
        estimator, *votes, export.timestamps / 1000, export.moderated_out, interval=interval
    )
