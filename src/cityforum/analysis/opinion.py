"""The opinion map: Pol.is' groups, representative and consensus statements, from raw votes.

:class:`OpinionMap` follows the scikit-learn estimator contract and the method of
``polis-math.md`` step by step (the section numbers below refer to it); ``docs/methods/opinion.md``
explains where and why we depart from Polis. It is pure numpy / scipy: no Django, no pandas.

Design for scale: votes stay in a sparse matrix from the first step to the last (the imputed,
centred matrix has the sparsity of the votes), the principal directions come from the sparse
matrix without densifying it, and after the projection all clustering works on at most a few
tens of thousands of pooled positions and 100 base clusters, so no step is quadratic in
participants.

Exceptions (all :class:`ValueError` subclasses)::

    OpinionMapError                anything this module refuses
    ├── NoVotesError               the input holds no votes
    ├── InvalidVotesError          non-integer or negative ids, votes outside -1/0/1,
    │                              arrays of unequal length, invalid parameters
    └── ConversationTooSmallError  too few participants, statements or distinct opinions
                                   to form two groups (the message says which)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cityforum.analysis._opinion_clusters import (
    choose_groups,
    initial_centres,
    kmeans,
    pool_points,
    warm_centres,
)
from cityforum.analysis._opinion_errors import (
    ConversationTooSmallError,
    InvalidVotesError,
    NoVotesError,
    OpinionMapError,
)
from cityforum.analysis._opinion_matrix import VoteMatrix, as_ids, build_vote_matrix
from cityforum.analysis._opinion_pca import (
    MissingVotes,
    centred_ratings,
    principal_components,
    project,
)
from cityforum.analysis._opinion_statements import (
    ConsensusStatement,
    DivisiveStatement,
    RepresentativeStatement,
    consensus,
    divisive,
    group_counts,
    group_informed_consensus,
    representative,
)

__all__ = [
    "ConsensusStatement",
    "ConversationTooSmallError",
    "DivisiveStatement",
    "InvalidVotesError",
    "NoVotesError",
    "OpinionMap",
    "OpinionMapError",
    "RepresentativeStatement",
]

IntArray = NDArray[np.int64]

MIN_VOTES = 7  # Polis: a participant is clustered from min(7, M) votes on
MIN_PARTICIPANTS = 15  # Polis tops the clustered set up to this many
BASE_CLUSTERS = 100
BASE_MAX_ITER = 100
GROUP_MAX_ITER = 20  # what Polis effectively runs (its "100" is passed under an unread key)


class OpinionMap:
    """Opinion groups of a conversation, as Pol.is computes them (polis-math.md §3–11).

    Parameters
    ----------
    random_state : int or None, default 0
        Accepted for the scikit-learn contract. The method draws no random numbers (exact
        eigenvectors, first-distinct-points initialisation), so results do not depend on it.
    min_votes : int, default 7
        A participant is clustered from ``min(min_votes, M)`` votes on (passes count).
    max_groups : int, default 5
        Upper bound for k; Polis also caps it at ``2 + B // 12`` for B base clusters.
    n_groups : int or None, default None
        Force the number of groups instead of choosing it by silhouette.
    min_participants : int, default 15
        Top the clustered set up to this many, taking the most active participants first.
    n_base_clusters : int, default 100
        k of the base clustering that the groups are built from.
    weighted_silhouette : bool, default False
        Weight base clusters by size in the silhouette (Polis counts each once).
    missing_votes : {"mean", "pass"}, default "mean"
        How the map treats a statement a participant did not vote on. ``"mean"`` (Polis since
        October 2017): imputed by the statement's mean, so it carries no opinion, and only
        participants with ``min(min_votes, M)`` votes are clustered. ``"pass"``: counted as a
        pass, so every participant is clustered and projected without the sparsity scaling.
        This is what Polis computed from February to October 2017 on any conversation with a
        moderated-out statement (empty cells became 0 when moderated columns were zeroed; fixed
        in Polis commits 90b5b9e6 and 30355e11), and it reproduces exports made then (see
        :attr:`cityforum.analysis.polis_export.PolisExport.missing_votes`). Representative,
        consensus and divisive statements always count real votes only.
    k_buffer : int, default 4
        Polis' k smoothing, applied when fitting with ``previous=``: the number of groups
        changes only once the silhouette has preferred the new k in this many consecutive fits
        (Polis' ``group-k-buffer``), so a live map does not flip between k at every update.
    max_representative, max_consensus, max_divisive : int, default 5
        Lengths of the statement lists.

    Attributes
    ----------
    participants_, statements_ : ndarray of int
        Ids in order of first vote; rows and columns of everything below.
    coords_ : ndarray (n_participants, 2)
        Position on the opinion map (everyone who voted, clustered or not).
    groups_ : ndarray of int
        Group 0..k-1 (0 = largest), or -1 for participants not clustered.
    in_conversation_ : ndarray of bool
        Participants who were clustered (the "in-conv" rule with top-up).
    base_clusters_ : ndarray of int
        Base cluster of each participant, -1 if not clustered; ``base_centers_`` their centres.
    components_, center_ : ndarray
        The two principal directions (2 x M) and the column means used for centring.
    n_groups_ : int
    silhouettes_ : dict[int, float]
        Silhouette of each candidate k.
    group_candidates_ : dict[int, ndarray of int]
        For each k tried, the group of each base cluster (the next fit's warm start for that k).
    k_smoother_ : tuple[int, int, int]
        Polis' k-smoothing state: the k the silhouette preferred, for how many consecutive fits,
        and the k used.
    moderated_ : ndarray of bool
        Statements treated as moderated out.
    representative_ : list[list[RepresentativeStatement]]
        Per group, its representative statements in Polis' order.
    consensus_ : dict[str, list[ConsensusStatement]]
        ``"agree"`` and ``"disagree"`` lists over all participants.
    group_informed_consensus_ : ndarray of float
        Per statement, the product over groups of the smoothed agree share.
    divisive_ : list[DivisiveStatement]
        Statements with the largest gap in agreement between groups.
    group_votes_ : ndarray of shape (n_groups_, n_statements, 3)
        Agree, disagree and pass counts per group and statement (columns as ``statements_``):
        the tallies the statements' selections read, kept so that a caller showing each
        group's shares (the live map) need not count a million votes again.
    """

    def __init__(
        self,
        random_state: int | None = 0,
        min_votes: int = MIN_VOTES,
        max_groups: int = 5,
        n_groups: int | None = None,
        min_participants: int = MIN_PARTICIPANTS,
        n_base_clusters: int = BASE_CLUSTERS,
        weighted_silhouette: bool = False,
        missing_votes: MissingVotes = "mean",
        k_buffer: int = 4,
        max_representative: int = 5,
        max_consensus: int = 5,
        max_divisive: int = 5,
    ) -> None:
        self.random_state = random_state
        self.min_votes = min_votes
        self.max_groups = max_groups
        self.n_groups = n_groups
        self.min_participants = min_participants
        self.n_base_clusters = n_base_clusters
        self.weighted_silhouette = weighted_silhouette
        self.missing_votes = missing_votes
        self.k_buffer = k_buffer
        self.max_representative = max_representative
        self.max_consensus = max_consensus
        self.max_divisive = max_divisive

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Constructor parameters (scikit-learn contract)."""
        names = (
            "random_state",
            "min_votes",
            "max_groups",
            "n_groups",
            "min_participants",
            "n_base_clusters",
            "weighted_silhouette",
            "missing_votes",
            "k_buffer",
            "max_representative",
            "max_consensus",
            "max_divisive",
        )
        return {name: getattr(self, name) for name in names}

    def set_params(self, **params: Any) -> OpinionMap:
        """Set constructor parameters (scikit-learn contract)."""
        valid = self.get_params()
        for name, value in params.items():
            if name not in valid:
                raise InvalidVotesError(f"unknown parameter {name!r}")
            setattr(self, name, value)
        return self

    def _validate_params(self) -> None:
        def check_int(name: str, low: int, allow_none: bool = False) -> None:
            value = getattr(self, name)
            if value is None and allow_none:
                return
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
                raise InvalidVotesError(f"{name} must be an integer ≥ {low}; got {value!r}")

        check_int("random_state", 0, allow_none=True)
        check_int("min_votes", 1)
        check_int("max_groups", 2)
        check_int("n_groups", 2, allow_none=True)
        check_int("min_participants", 0)
        check_int("n_base_clusters", 2)
        check_int("k_buffer", 1)
        for name in ("max_representative", "max_consensus", "max_divisive"):
            check_int(name, 0)
        if self.missing_votes not in ("mean", "pass"):
            raise InvalidVotesError(
                f"missing_votes must be 'mean' or 'pass'; got {self.missing_votes!r}"
            )

    def fit(
        self,
        participants: Any,
        statements: Any,
        values: Any,
        moderated_out: Iterable[int] = (),
        previous: OpinionMap | None = None,
    ) -> OpinionMap:
        """Compute the map from votes given in time order (a later vote on a pair wins).

        ``moderated_out`` lists rejected statement ids (ids nobody voted on are ignored).
        ``previous``, a fitted map of the same conversation, plays Polis' history: its clustered
        participants stay clustered, its components orient the new ones, and its base clusters
        and groups seed the k-means (polis-math §4, §5.3, §7).
        """
        self._validate_params()
        with _one_blas_thread():
            return self._fit(participants, statements, values, moderated_out, previous)

    def _fit(
        self,
        participants: Any,
        statements: Any,
        values: Any,
        moderated_out: Iterable[int],
        previous: OpinionMap | None,
        with_statements: bool = True,
    ) -> OpinionMap:
        """The body of :meth:`fit`, run with BLAS held to one thread.

        ``with_statements=False`` stops after the groups (no representative, consensus or
        divisive statements): what the intermediate updates of a replay need, a third faster.
        """
        matrix = build_vote_matrix(participants, statements, values)
        mod_ids = as_ids("moderated_out", np.fromiter(moderated_out, dtype=object))
        moderated = np.isin(matrix.statements, mod_ids)
        n_rows, n_cols = matrix.shape
        if np.all(moderated):
            raise ConversationTooSmallError("every statement with votes is moderated out")
        prev = previous if previous is not None and hasattr(previous, "groups_") else None

        in_conv = self._in_conversation(matrix, prev)
        centred = centred_ratings(matrix, moderated, self.missing_votes)
        start, previous_comps = self._previous_components(matrix, prev)
        comps = principal_components(centred, start, previous_comps)
        if self.missing_votes == "pass":
            n_cast = np.full(n_rows, n_cols, dtype=np.int64)
        else:
            n_cast = np.bincount(matrix.cell_rows()[~moderated[matrix.indices]], minlength=n_rows)
            n_cast += int(moderated.sum())
        coords = project(centred, comps, n_cast, n_cols)

        rows = np.flatnonzero(in_conv)
        if rows.size < 2:
            raise ConversationTooSmallError(
                f"only {rows.size} participant(s) voted; at least 2 are needed to form groups"
            )
        base, base_centres = self._base_clusters(coords[rows], matrix, rows, prev)
        if base_centres.shape[0] < 2:
            raise ConversationTooSmallError(
                "all clustered participants sit at the same point of the map (they voted "
                "identically); there are no opinion groups to find"
            )
        sizes = np.bincount(base, minlength=base_centres.shape[0]).astype(np.float64)
        grouping = choose_groups(
            base_centres,
            sizes,
            self.max_groups,
            self.n_groups,
            GROUP_MAX_ITER,
            self.weighted_silhouette,
            self._warm_group_labels(matrix, rows, base, prev),
        )
        smoother = self._smoothed_k(grouping.k, grouping.candidates, prev)
        member_group = _by_size(grouping.candidates[smoother[2]][base], rows)
        k = int(member_group.max()) + 1

        groups = np.full(n_rows, -1, dtype=np.int64)
        groups[rows] = member_group
        base_clusters = np.full(n_rows, -1, dtype=np.int64)
        base_clusters[rows] = base

        self.participants_ = matrix.participants
        self.statements_ = matrix.statements
        self.coords_ = coords
        self.groups_ = groups
        self.in_conversation_ = in_conv
        self.base_clusters_ = base_clusters
        self.base_centers_ = base_centres
        self.components_ = comps
        self.center_ = centred.means
        self.moderated_ = moderated
        self.n_groups_ = k
        self.silhouettes_ = grouping.silhouettes
        self.group_candidates_ = grouping.candidates
        self.k_smoother_ = smoother
        if not with_statements:
            return self
        counts = group_counts(matrix, groups, k)
        self.group_votes_ = np.stack(
            [counts.agree, counts.disagree, counts.trials - counts.agree - counts.disagree], axis=2
        )
        self.representative_ = representative(
            counts, moderated, matrix.statements, self.max_representative
        )
        self.consensus_ = consensus(matrix, moderated, matrix.statements, self.max_consensus)
        self.group_informed_consensus_ = group_informed_consensus(counts)
        self.divisive_ = divisive(counts, moderated, matrix.statements, self.max_divisive)
        return self

    def _in_conversation(self, matrix: VoteMatrix, prev: OpinionMap | None) -> NDArray[np.bool_]:
        """§4: ``n_p ≥ min(min_votes, M)`` on the raw matrix, topped up, sticky across fits.

        With missing votes counted as passes everyone has ``M`` votes, so everyone is in.
        """
        if self.missing_votes == "pass":
            return np.ones(matrix.shape[0], dtype=bool)
        n_votes = np.diff(matrix.indptr)
        in_conv = n_votes >= min(self.min_votes, matrix.shape[1])
        if prev is not None:
            in_conv |= np.isin(matrix.participants, prev.participants_[prev.in_conversation_])
        missing = self.min_participants - int(in_conv.sum())
        if missing > 0:
            rest = np.flatnonzero(~in_conv)
            rest = rest[np.argsort(-n_votes[rest], kind="stable")][:missing]
            in_conv[rest] = True
        return in_conv

    @staticmethod
    def _previous_components(
        matrix: VoteMatrix, prev: OpinionMap | None
    ) -> tuple[NDArray[np.float64] | None, NDArray[np.float64] | None]:
        """The previous components on the current columns: new statements 1 (start) or 0 (sign)."""
        if prev is None:
            return None, None
        lookup = {int(s): i for i, s in enumerate(prev.statements_)}
        where = np.array([lookup.get(int(s), -1) for s in matrix.statements])
        aligned = np.zeros((2, matrix.shape[1]))
        aligned[:, where >= 0] = prev.components_[:, where[where >= 0]]
        start = np.where(where >= 0, aligned[0], 1.0)
        return start, aligned

    def _base_clusters(
        self, xy: NDArray[np.float64], matrix: VoteMatrix, rows: IntArray, prev: OpinionMap | None
    ) -> tuple[IntArray, NDArray[np.float64]]:
        """§7: k-means (k = n_base_clusters) of the clustered participants' positions."""
        pooled = pool_points(xy)
        if prev is None:
            init = initial_centres(pooled.points, self.n_base_clusters)
        else:
            before = _previous_labels(prev, prev.base_clusters_, matrix.participants[rows])
            first_member = np.full(pooled.points.shape[0], -1, dtype=np.int64)
            first_member[pooled.member_of[::-1]] = np.arange(rows.size - 1, -1, -1)
            init = warm_centres(
                pooled.points, pooled.weights, before[first_member], self.n_base_clusters
            )
        centres, labels = kmeans(pooled.points, pooled.weights, init, BASE_MAX_ITER)
        return labels[pooled.member_of], centres

    def _warm_group_labels(
        self, matrix: VoteMatrix, rows: IntArray, base: IntArray, prev: OpinionMap | None
    ) -> dict[int, IntArray]:
        """For each k of the previous fit, each base cluster's most common previous group.

        Polis warm-starts the k-means of every k from that k's previous grouping, not only the
        k it showed (polis-math §8).
        """
        if prev is None:
            return {}
        n_base = int(base.max()) + 1
        warm: dict[int, IntArray] = {}
        clustered = prev.base_clusters_ >= 0
        for k, base_labels in prev.group_candidates_.items():
            labels_then = np.full(prev.base_clusters_.size, -1, dtype=np.int64)
            labels_then[clustered] = base_labels[prev.base_clusters_[clustered]]
            before = _previous_labels(prev, labels_then, matrix.participants[rows])
            known = before >= 0
            table = np.zeros((n_base, k), dtype=np.int64)
            np.add.at(table, (base[known], before[known]), 1)
            warm[k] = np.where(table.sum(axis=1) > 0, table.argmax(axis=1), -1).astype(np.int64)
        return warm

    def _smoothed_k(
        self, best_k: int, candidates: dict[int, IntArray], prev: OpinionMap | None
    ) -> tuple[int, int, int]:
        """Polis' k smoothing: (k the silhouette prefers, consecutive fits it has, k used).

        Without a previous fit, or with ``n_groups`` forced, the k used is the best one.
        """
        if prev is None or self.n_groups is not None:
            return best_k, 1, best_k
        last_k, count, smoothed = prev.k_smoother_
        count = count + 1 if best_k == last_k else 1
        if count >= self.k_buffer or smoothed not in candidates:
            smoothed = best_k
        return best_k, count, smoothed


_BLAS_CONTROLLER: Any = None


@contextmanager
def _one_blas_thread() -> Iterator[None]:
    """Hold BLAS (numpy's and scipy's OpenBLAS) to one thread while a fit runs.

    Why: the fit's BLAS calls are small (a Gram matrix of a few hundred columns, matrix-vector
    products inside Lanczos, 2-D distance tables), each a millisecond or less on one core. Split
    over threads they gain little on an idle machine, but on a busy one every call waits for a
    second core to be scheduled: on the shared 2-core development machine that made the PCA of
    austria-climate take 30-60 ms instead of 2-7 ms. scikit-learn holds BLAS to one thread in its
    own k-means for the same reason. The limit is process-wide while it lasts (OpenBLAS has one
    setting), and it is given back on exit. ``threadpoolctl`` comes with scikit-learn; without it
    the fit runs on the default threads, with the same results up to rounding.
    """
    global _BLAS_CONTROLLER
    if _BLAS_CONTROLLER is None:
        try:
            from threadpoolctl import ThreadpoolController  # noqa: PLC0415
        except ImportError:  # pragma: no cover - threadpoolctl ships with scikit-learn
            _BLAS_CONTROLLER = False
        else:
            _BLAS_CONTROLLER = ThreadpoolController()
    if _BLAS_CONTROLLER is False:
        yield
        return
    with _BLAS_CONTROLLER.limit(limits=1, user_api="blas"):
        yield


def _previous_labels(prev: OpinionMap, labels: IntArray, participant_ids: IntArray) -> IntArray:
    """``labels`` of a previous fit looked up for ``participant_ids`` (-1 where unknown)."""
    order = np.argsort(prev.participants_)
    pos = np.searchsorted(prev.participants_, participant_ids, sorter=order)
    pos = np.minimum(pos, order.size - 1)
    hit = prev.participants_[order[pos]] == participant_ids
    return np.where(hit, labels[order[pos]], -1)


def _by_size(labels: IntArray, rows: IntArray) -> IntArray:
    """Renumber groups 0..k-1 by size (largest first), ties by first row: labels mean something."""
    used, dense = np.unique(labels, return_inverse=True)
    dense = dense.ravel()
    size = np.bincount(dense)
    first = np.full(used.size, rows.size, dtype=np.int64)
    first[dense[::-1]] = np.arange(rows.size - 1, -1, -1)
    order = np.lexsort((first, -size))
    rank = np.empty(used.size, dtype=np.int64)
    rank[order] = np.arange(used.size)
    return rank[dense]
