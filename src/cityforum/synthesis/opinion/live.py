"""The live opinion map (issue 16): updates in the background as votes arrive, as Pol.is does.

How an update is triggered, and why it stays off the vote's write path:

* After a vote commits, :func:`note_vote` (a receiver of
  :data:`cityforum.statements.signals.vote_cast`) looks up, in this process's memory, whether the
  consultation's live map is on (one query per consultation every few seconds) and whether an
  update is already due to start after this vote. Only when none is does it enqueue one: at most
  one job per minimum interval (``CITYFORUM_LIVE_MAP_MIN_INTERVAL``, 1 s) per server process, the
  next one delayed to the end of the interval, so every vote is followed by a job that starts
  after it committed. The vote itself pays a dictionary lookup.
* The job (:func:`update_live_map`) takes the consultation's update lock without waiting: a
  PostgreSQL advisory lock, or an ``flock`` beside the SQLite database; both die with the
  process, so a worker killed mid-update never blocks the next. A job that finds the lock
  taken marks the map ``pending`` and leaves; the running update re-enqueues itself once it
  released the lock if the mark is set (coalescing: at most one update in flight, the next one
  takes every vote that arrived meanwhile).
* In the worker, the job that made an update keeps the map current while votes arrive: it rests
  (at least the minimum interval, and long enough that the updates take at most
  ``CITYFORUM_LIVE_MAP_MAX_SHARE`` of a core), updates again, and leaves when nothing new came
  or after ``SLICE_SECONDS``. Jobs queued meanwhile that an update started since has covered
  (``due_at``) leave at once.
* The update reads only the vote history written since the last update (``VoteEvent`` ids above
  a watermark; the whole current votes once per worker), merges it into a
  :class:`~cityforum.analysis.vote_stream.VoteStream` (no sort of the stored votes), fits
  :class:`~cityforum.analysis.opinion.OpinionMap` warm-started from the previous update
  (``previous=``: sticky participants, previous components and clusters, Polis' k smoothing),
  and writes the update, ``LiveMap.latest`` and the retention in **one transaction**: nothing
  half-written is ever served, the previous update stays until the new one commits.

The warm state (the previous fitted map and the vote stream) lives in the worker's memory. A
worker that restarts, or a second worker that did not make the latest update, starts cold: one
full read of the votes and one fit without ``previous=`` (k smoothing starts again).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import math
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np
import rules
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from numpy.typing import NDArray

from cityforum.analysis.opinion import OpinionMap, OpinionMapError
from cityforum.analysis.vote_stream import VoteStream, compact
from cityforum.core.audit import record
from cityforum.programme.models import Consultation
from cityforum.statements.models import Statement, Vote, VoteEvent, Voter

from . import rules as _rules  # noqa: F401  (registers the named rules)
from .live_models import LiveMap, LiveMapUpdate, PolisImportInfo

logger = logging.getLogger(__name__)

IntArray = NDArray[np.int64]

#: How long a server process trusts what it read about a live map being on.
ENABLED_TTL = 2.0
#: PostgreSQL hands out history ids before commit, so a vote may commit after a higher id was
#: read: each update reads again the last ids below its watermark (replaying events in id order
#: is idempotent). SQLite writes one at a time, so ids are in commit order there.
PG_ID_MARGIN = 5_000
ADVISORY_CLASS = 16_016  # first key of the advisory lock: "issue 16"


# --- settings -------------------------------------------------------------------------------


def min_interval() -> float:
    """Seconds between two updates of one consultation (``CITYFORUM_LIVE_MAP_MIN_INTERVAL``)."""
    return float(getattr(settings, "CITYFORUM_LIVE_MAP_MIN_INTERVAL", 1.0))


def max_share() -> float:
    """The largest share of one core a consultation's updates may take
    (``CITYFORUM_LIVE_MAP_MAX_SHARE``, 0.25): an update that took ``w`` CPU seconds is followed
    by a rest of at least ``w × (1 − share) / share``, so that a slow update (a big
    conversation) spaces the next ones out instead of taking the cores the votes need."""
    share = float(getattr(settings, "CITYFORUM_LIVE_MAP_MAX_SHARE", 0.25))
    return min(1.0, max(0.01, share))


def rest_after(cpu: float) -> float:
    """Seconds to wait after an update that took ``cpu`` seconds of CPU before the next starts
    (on top of the minimum interval between two starts). CPU, not wall time: a worker that
    waited for the CPU (niced, on a busy machine) did not use it meanwhile."""
    share = max_share()
    return cpu * (1.0 - share) / share


def keep_updates() -> int:
    """How many unpinned updates are kept per consultation (``CITYFORUM_LIVE_MAP_KEEP``)."""
    return max(1, int(getattr(settings, "CITYFORUM_LIVE_MAP_KEEP", 10)))


def min_group_size() -> int:
    """Smallest group shown to participants (``CITYFORUM_LIVE_MAP_MIN_GROUP``); smaller ones
    are merged into "other", so that no group's vote shares are one person's votes."""
    return max(1, int(getattr(settings, "CITYFORUM_LIVE_MAP_MIN_GROUP", 5)))


# --- the switch and pins (organisers) -------------------------------------------------------

_enabled: dict[int, tuple[float, bool]] = {}
_next_run: dict[int, float] = {}
_guard = threading.Lock()


def set_live_map(consultation: Consultation, enabled: bool, *, by: Any) -> LiveMap:
    """Turn the live map of ``consultation`` on or off (organisers; logged)."""
    if not rules.test_rule("synthesis.run", by, consultation):
        raise PermissionDenied(_("Only organisers may turn the live opinion map on or off."))
    if not isinstance(enabled, bool):
        raise ValidationError(_("Say whether the live map is on or off."), code="enabled")
    with transaction.atomic():
        live, _created = LiveMap.objects.select_for_update().get_or_create(
            consultation=consultation
        )
        live.enabled = enabled
        live.changed_by = by if getattr(by, "pk", None) else None
        live.save(update_fields=["enabled", "changed_by", "changed_at"])
        record("opinion_map.live", consultation, actor=by, enabled=enabled)
        if enabled:
            transaction.on_commit(lambda: request_update(consultation.pk))
    _enabled.pop(consultation.pk, None)
    return live


def pin_update(update: LiveMapUpdate, pinned: bool, *, by: Any) -> LiveMapUpdate:
    """Keep an update past the retention (or let it go again); organisers, logged."""
    if not rules.test_rule("synthesis.run", by, update.consultation):
        raise PermissionDenied(_("Only organisers may pin an update of the live map."))
    with transaction.atomic():
        LiveMapUpdate.objects.filter(pk=update.pk).update(pinned=pinned)
        update.pinned = pinned
        record("opinion_map.live_pin", update, actor=by, pinned=pinned)
    return update


def live_map_of(consultation: Consultation) -> LiveMap | None:
    """The live map with its latest update (from this process's memory when it was read
    before: updates never change once written)."""
    live = LiveMap.objects.filter(consultation=consultation).first()
    if live is not None and live.latest_id is not None:
        live.latest = loaded_update(live.latest_id)
    return live


@dataclass(frozen=True)
class LatestState:
    """What a participant's polling needs to know whether anything changed: one small row,
    no document, no positions (an unchanged map answers ``304`` from this alone)."""

    enabled: bool
    update_id: int | None
    max_event_id: int


def latest_state(consultation_id: int) -> LatestState | None:
    row = (
        LiveMap.objects.filter(consultation_id=consultation_id)
        .values_list("enabled", "latest_id", "latest__max_event_id")
        .first()
    )
    if row is None:
        return None
    return LatestState(bool(row[0]), row[1], int(row[2] or 0))


#: Updates read by this process, newest last: an update is immutable once written (its pin
#: aside, which participants never see), so every poll of every participant need not read and
#: parse its document, nor every position, again.
_loaded: dict[int, LiveMapUpdate] = {}
_positions: dict[int, tuple[NDArray[np.int64], NDArray[np.float32], NDArray[np.int16]]] = {}
LOADED_KEEP = 4


def _remember(cache: dict[int, Any], key: int, value: Any) -> None:
    """Keep ``value`` in ``cache``, forgetting the oldest entries past ``LOADED_KEEP``."""
    with _guard:
        cache[key] = value
        while len(cache) > LOADED_KEEP:
            cache.pop(next(iter(cache)))


def loaded_update(pk: int) -> LiveMapUpdate | None:
    """Update ``pk`` without its positions, read once per process."""
    with _guard:
        update = _loaded.get(pk)
    if update is None:
        update = LiveMapUpdate.objects.defer("positions").filter(pk=pk).first()
        if update is None:
            return None
        _remember(_loaded, pk, update)
    return update


def is_live(consultation_id: int) -> bool:
    """Whether the live map is on, as this process last read it (at most ``ENABLED_TTL`` old)."""
    now = time.monotonic()
    cached = _enabled.get(consultation_id)
    if cached is not None and cached[0] > now:
        return cached[1]
    on = LiveMap.objects.filter(consultation_id=consultation_id, enabled=True).exists()
    _enabled[consultation_id] = (now + ENABLED_TTL, on)
    return on


# --- the vote path's hook -------------------------------------------------------------------


def note_vote(sender: Any = None, *, consultation_id: int, **_kwargs: Any) -> None:
    """A vote was cast in ``consultation_id``: make sure an update starts after it commits.

    Called on every vote, so it must stay cheap: no query except the cached switch, and at
    most one job enqueued per interval per process (a later vote within the interval is covered
    by the job already due to start after it).
    """
    if not is_live(consultation_id):
        return
    now = time.monotonic()
    with _guard:
        due = _next_run.get(consultation_id, -math.inf)
        if due > now:
            return
        run_at = max(now, due + min_interval())
        _next_run[consultation_id] = run_at
    delay = run_at - now
    transaction.on_commit(lambda: request_update(consultation_id, delay=delay))


def request_update(consultation_id: int, delay: float = 0.0) -> None:
    """Enqueue an update job (delayed by ``delay`` seconds)."""
    from cityforum.synthesis import queue

    try:
        queue.schedule(queue.LIVE_MAP, consultation_id, delay)
    except Exception:
        # The vote is written and acknowledged; a queue out of reach (Redis away) must not turn
        # it into an error. The map says it is not current, and the next vote asks again.
        logger.warning("live map update of consultation %s not queued", consultation_id,
                       exc_info=True)
        with _guard:
            _next_run.pop(consultation_id, None)


# --- the update lock ------------------------------------------------------------------------


@contextlib.contextmanager
def _update_lock(consultation_id: int) -> Iterator[bool]:
    """Yield whether this process holds the consultation's update lock (never waits).

    Held by the database session (PostgreSQL) or an open file (SQLite): a killed worker's lock
    goes with it.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [ADVISORY_CLASS, consultation_id])
            held = bool(cursor.fetchone()[0])
        try:
            yield held
        finally:
            if held:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT pg_advisory_unlock(%s, %s)", [ADVISORY_CLASS, consultation_id]
                    )
        return
    name = str(connection.settings_dict.get("NAME") or "")
    folder = (
        os.path.dirname(os.path.abspath(name))
        if name and name != ":memory:" and not name.startswith("file:")
        else str(settings.VAR_DIR)
    )
    os.makedirs(folder, exist_ok=True)
    in_memory = not name or name == ":memory:" or name.startswith("file:")
    base = "memory" if in_memory else os.path.basename(name)
    fd = os.open(
        os.path.join(folder, f".{base}.live-{consultation_id}.lock"), os.O_RDWR | os.O_CREAT, 0o600
    )
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


# --- the worker's state ---------------------------------------------------------------------


@dataclass
class _Stream:
    """One consultation's current votes (stream and canonical order), and what they came from."""

    votes: VoteStream
    watermark: int  # the highest VoteEvent id read
    update_id: int | None  # the update these were last fitted for
    model: OpinionMap | None = None
    #: CPU seconds the last update took in this process, its write included (what the rest
    #: after it is computed from; the stored timings end before the write).
    cycle_cpu: float = 0.0


_streams: dict[int, _Stream] = {}


def _max_event_id() -> int:
    return int(VoteEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0)


def _q(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _cold_stream(consultation_id: int) -> _Stream:
    """Every current vote, first cast first (as the explicit computation reads them)."""
    watermark = _max_event_id()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT v.public_id, t.statement_id, t.value FROM {_q(Vote)} t"  # noqa: S608 - table names from the models
            f" JOIN {_q(Statement)} s ON s.id = t.statement_id"
            f" JOIN {_q(Voter)} v ON v.id = t.voter_id"
            " WHERE s.consultation_id = %s ORDER BY t.created_at, t.id",
            [consultation_id],
        )
        rows = cursor.fetchall()
    table = np.array(rows, dtype=np.int64).reshape(-1, 3)
    return _Stream(VoteStream.from_votes(table[:, 0], table[:, 1], table[:, 2]), watermark, None)


def _new_events(consultation_id: int, since: int) -> tuple[IntArray, int]:
    """History rows above ``since`` (minus the PostgreSQL margin): ``(rows, highest id)``."""
    start = max(0, since - PG_ID_MARGIN) if connection.vendor == "postgresql" else since
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT e.id, v.public_id, e.statement_id, e.value FROM {_q(VoteEvent)} e"  # noqa: S608 - table names from the models
            f" JOIN {_q(Statement)} s ON s.id = e.statement_id"
            f" JOIN {_q(Voter)} v ON v.id = e.voter_id"
            " WHERE e.id > %s AND s.consultation_id = %s ORDER BY e.id",
            [start, consultation_id],
        )
        rows = cursor.fetchall()
    table = np.array(rows, dtype=np.int64).reshape(-1, 4)
    top = int(table[:, 0].max()) if table.size else since
    return table, max(top, since)


def has_new_votes(consultation_id: int, since: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {_q(VoteEvent)} e JOIN {_q(Statement)} s ON s.id = e.statement_id"  # noqa: S608 - table names from the models
            " WHERE e.id > %s AND s.consultation_id = %s LIMIT 1",
            [since, consultation_id],
        )
        return cursor.fetchone() is not None


def input_checksum(
    participants: IntArray, statements: IntArray, values: IntArray, moderated: IntArray
) -> str:
    """The SHA-256 of the current votes and rejected statements, in the canonical order of
    :func:`cityforum.synthesis.opinion.input.read_opinion_input` (equal for the same votes, so
    a live update and an explicit run can be held against each other)."""
    order = np.lexsort((participants, statements))
    return canonical_checksum(statements[order], participants[order], values[order], moderated)


def canonical_checksum(
    statements: IntArray, participants: IntArray, values: IntArray, moderated: IntArray
) -> str:
    """:func:`input_checksum` of votes already in canonical order (by statement, then
    participant, one vote per pair), as :meth:`VoteStream.canonical` gives them: no sort."""
    digest = hashlib.sha256(b"cityforum opinion input v1\nvotes (statement, voter, value)\n")
    digest.update(np.stack([statements, participants, values], axis=1).astype("<i8").tobytes())
    digest.update(b"\nmoderated out\n")
    digest.update(np.sort(moderated).astype("<i8").tobytes())
    return digest.hexdigest()


def _moderated(consultation_id: int) -> IntArray:
    return np.fromiter(
        Statement.objects.filter(
            consultation_id=consultation_id, status=Statement.Status.REJECTED
        ).values_list("pk", flat=True),
        dtype=np.int64,
    )


# --- the update -----------------------------------------------------------------------------


#: Seconds by which an update's start must follow a job's due time for the job to count as
#: done: room for the clocks of two hosts (a web server's and the worker's) to disagree.
CLOCK_MARGIN = 0.5
#: How long one job keeps a consultation's map current before it hands the consultation back
#: to the queue, so that other jobs (an organiser's explicit computation) get the worker too.
SLICE_SECONDS = 30.0


def update_live_map(
    consultation_id: int, keep_going: float = 0.0, due_at: float | None = None
) -> LiveMapUpdate | None:
    """The background job: coalesced updates of the consultation's live map.

    With ``keep_going`` seconds (the worker's job; not in a request), the job that made an
    update keeps the map current while votes keep arriving: it rests (:func:`rest_after`, at
    least the minimum interval between two starts), updates again if there are new votes, and
    leaves when there are none or when ``keep_going`` is spent, asking for the next update then.
    A queued job would wait for the queue's scheduler (a tick a second) and a free worker,
    which adds a second or more to every update's freshness; resting in the job does not.

    ``due_at`` (epoch seconds) is when the job was asked to start: every vote it stands for
    committed before then, so if an update started after it, that update read them all and the
    job has nothing to do. This keeps the jobs that queued up while one job kept the map
    current from each starting a slice of their own (and starving the other jobs).

    Returns the last update made, or ``None`` when there was nothing to do (map off, another
    update running, no new vote, too soon, too few votes to group).
    """
    live = LiveMap.objects.filter(consultation_id=consultation_id).first()
    if live is None or not live.enabled:
        return None
    if (
        due_at is not None
        and live.last_started_at is not None
        and live.last_started_at.timestamp() > due_at + CLOCK_MARGIN
    ):
        return None
    with _update_lock(consultation_id) as held:
        if not held:
            LiveMap.objects.filter(pk=live.pk).update(pending=True)
            # The holder may have checked the mark just before we set it: try once more.
            with _update_lock(consultation_id) as again:
                if not again:
                    return None
                return _keep_current(consultation_id, keep_going)
        result = _keep_current(consultation_id, keep_going)
    # Released: an update asked for while this one ran starts after a rest (at least one
    # interval, longer after a slow update: see max_share), with every vote since. The rest
    # bounds the worker's share of a core, which keeps the votes' own throughput.
    if LiveMap.objects.filter(consultation_id=consultation_id, pending=True).exists():
        spent = _cpu_of(result) if result is not None else 0.0
        request_update(consultation_id, delay=max(min_interval(), rest_after(spent)))
    return result


def _keep_current(consultation_id: int, keep_going: float) -> LiveMapUpdate | None:
    """Updates while the lock is held: one, then more while votes arrive within ``keep_going``."""
    stop = time.monotonic() + keep_going
    last = None
    while True:
        update, wait = _update_held(consultation_id)
        if update is not None:
            last = update
            spent = getattr(_streams.get(consultation_id), "cycle_cpu", 0.0) or _cpu_of(update)
            wait = max(min_interval(), rest_after(spent))
        elif wait is None:
            return last  # off, nothing new, or too few votes
        if time.monotonic() + wait > stop:
            if last is None:  # too soon, and no time to wait here (inline): come back then
                transaction.on_commit(
                    lambda delay=wait: request_update(consultation_id, delay=delay)
                )
            # Else the slice is spent. Votes still arriving are not lost: each vote is
            # followed by a job (note_vote) due after it, which an earlier update cannot skip.
            return last
        time.sleep(wait)


def _cpu_of(update: LiveMapUpdate) -> float:
    """The CPU seconds an update took (its wall time for updates stored before it was kept)."""
    timings = update.timings or {}
    return float(timings.get("cpu", timings.get("wall", 0.0)))


def _not_before(live: LiveMap, latest: LiveMapUpdate | None) -> Any:
    """When the next update may start: one interval after the last start, and the rest its
    cost asks for after the last update's end (:func:`rest_after`)."""
    times = []
    if live.last_started_at is not None:
        times.append(live.last_started_at + timedelta(seconds=min_interval()))
    if latest is not None and latest.kind == LiveMapUpdate.Kind.LIVE and latest.finished_at:
        times.append(latest.finished_at + timedelta(seconds=rest_after(_cpu_of(latest))))
    return max(times, default=None)


def _update_held(consultation_id: int) -> tuple[LiveMapUpdate | None, float | None]:
    """One update, the lock held: ``(update, None)``; ``(None, seconds)`` when it is too soon
    for the next (come back then); ``(None, None)`` when there is nothing to do."""
    live = (
        LiveMap.objects.select_related("latest")
        .defer("latest__positions")
        .get(consultation_id=consultation_id)
    )
    if not live.enabled:  # turned off while this job kept the map current
        return None, None
    LiveMap.objects.filter(pk=live.pk).update(pending=False)
    latest = live.latest
    stream = _streams.get(consultation_id)
    latest_id = latest.pk if latest is not None else None
    if stream is not None and stream.update_id != latest_id:
        stream = None  # another worker made the latest update: our state is stale
    moderated = _moderated(consultation_id)
    if (
        stream is not None
        and latest is not None
        and not has_new_votes(consultation_id, stream.watermark)
        and latest.document.get("moderated", []) == sorted(moderated.tolist())
    ):
        return None, None
    not_before = _not_before(live, latest)
    if not_before is not None:
        wait = (not_before - timezone.now()).total_seconds()
        if wait > 0:  # too soon after the last update
            return None, wait
    started_at = timezone.now()
    LiveMap.objects.filter(pk=live.pk).update(last_started_at=started_at)
    cpu, wall = time.process_time(), time.perf_counter()
    if stream is None:
        stream = _cold_stream(consultation_id)
        previous = None
    else:
        previous = stream.model
    events, watermark = _new_events(consultation_id, stream.watermark)
    votes = stream.votes.merged(events[:, 1], events[:, 2], events[:, 3])
    stream = _Stream(votes, watermark, stream.update_id, previous)
    _streams[consultation_id] = stream
    participants, statements, values = votes.participants, votes.statements, votes.values
    read_s = time.perf_counter() - wall
    sha = canonical_checksum(*votes.canonical(), moderated)
    parameters = OpinionMap().get_params()
    try:
        model = OpinionMap(**parameters).fit(
            participants, statements, values, moderated, previous=previous
        )
    except OpinionMapError:
        return None, None
    fit_s = time.perf_counter() - wall - read_s
    document = map_document(model, moderated)
    positions = pack_positions(model)
    timings = {
        "read": round(read_s, 4),
        "fit": round(fit_s, 4),
        "cpu": round(time.process_time() - cpu, 4),
        "wall": round(time.perf_counter() - wall, 4),
        "warm": previous is not None,
    }
    with transaction.atomic():
        update = LiveMapUpdate.objects.create(
            consultation_id=consultation_id,
            kind=LiveMapUpdate.Kind.LIVE,
            parameters=parameters,
            seed=parameters["random_state"],
            input_sha256=sha,
            engine_version=_engine_version(),
            n_votes=int(values.size),
            n_participants=int(model.participants_.size),
            max_event_id=watermark,
            started_at=started_at,
            finished_at=timezone.now(),
            document=document,
            positions=positions,
            timings=timings,
        )
        LiveMap.objects.filter(pk=live.pk).update(latest=update)
        _prune(consultation_id, keep_updates())
    stream.update_id, stream.model = update.pk, model
    stream.cycle_cpu = time.process_time() - cpu
    return update, None


def _engine_version() -> str:
    from cityforum.synthesis.provenance import engine_version

    return engine_version()


def _prune(consultation_id: int, keep: int) -> None:
    """Delete the live updates past the newest ``keep``, except pinned ones."""
    kept = list(
        LiveMapUpdate.objects.filter(consultation_id=consultation_id, kind=LiveMapUpdate.Kind.LIVE)
        .order_by("-pk")
        .values_list("pk", flat=True)[:keep]
    )
    LiveMapUpdate.objects.filter(
        consultation_id=consultation_id, kind=LiveMapUpdate.Kind.LIVE, pinned=False
    ).exclude(pk__in=kept).delete()


def map_document(model: OpinionMap, moderated: IntArray) -> dict[str, Any]:
    """What an update shows: each group's size, centre, representative statements and vote
    counts per statement; the consensus statements. Aggregates only, never a person."""
    k = int(model.n_groups_)
    groups = model.groups_
    coords = model.coords_
    # The engine counted each group's votes per statement while fitting (columns in first
    # appearance order): reorder by statement id rather than count the million votes again.
    by_id = np.argsort(model.statements_)
    statement_ids = model.statements_[by_id]
    counts = model.group_votes_[:, by_id, :]
    doc_groups = []
    for g in range(k):
        members = groups == g
        doc_groups.append(
            {
                "id": g,
                "size": int(members.sum()),
                "centre": [float(coords[members, 0].mean()), float(coords[members, 1].mean())],
                "representative": [
                    {
                        "statement": int(r.statement),
                        "direction": r.direction,
                        "probability": round(float(r.probability), 4),
                    }
                    for r in model.representative_[g]
                ],
                "counts": counts[g].tolist(),
            }
        )
    return {
        "statements": statement_ids.tolist(),
        "groups": doc_groups,
        "consensus": {
            direction: [
                {"statement": int(c.statement), "probability": round(float(c.probability), 4)}
                for c in model.consensus_[direction]
            ]
            for direction in ("agree", "disagree")
        },
        "n_clustered": int((groups >= 0).sum()),
        "moderated": sorted(moderated.tolist()),
        "min_votes": int(model.min_votes),
    }


def pack_positions(model: OpinionMap) -> bytes:
    """Every participant's position and group, sorted by public id, as raw little-endian
    arrays (ids int64, x and y float32, group int16): read back only for one participant."""
    order = np.argsort(model.participants_)
    return b"".join(
        (
            model.participants_[order].astype("<i8").tobytes(),
            model.coords_[order].astype("<f4").tobytes(),
            model.groups_[order].astype("<i2").tobytes(),
        )
    )


def position_of(update: LiveMapUpdate, public_id: int) -> tuple[float, float, int] | None:
    """``(x, y, group)`` of one participant in ``update`` (group −1: not grouped), or ``None``.

    The positions are read and decoded once per update and process, then searched in memory.
    """
    n = update.n_participants
    if n == 0:
        return None
    with _guard:
        decoded = _positions.get(update.pk)
    if decoded is None:
        blob = bytes(
            LiveMapUpdate.objects.filter(pk=update.pk).values_list("positions", flat=True).first()
            or b""
        )
        if len(blob) != 18 * n:
            return None
        decoded = (
            np.frombuffer(blob, dtype="<i8", count=n),
            np.frombuffer(blob, dtype="<f4", count=2 * n, offset=8 * n).reshape(n, 2),
            np.frombuffer(blob, dtype="<i2", count=n, offset=16 * n),
        )
        _remember(_positions, update.pk, decoded)
    ids, xy, group = decoded
    i = int(np.searchsorted(ids, public_id))
    if i >= n or ids[i] != public_id:
        return None
    return float(xy[i, 0]), float(xy[i, 1]), int(group[i])


# --- what participants see ------------------------------------------------------------------

OTHER = "other"


def public_view(update: LiveMapUpdate, min_size: int | None = None) -> dict[str, Any]:
    """The update as participants see it: groups of at least ``min_size`` members by their
    number (1, 2, …), the smaller ones merged into "other"; an "other" still below the size
    shows its size only (its vote shares could be one person's votes)."""
    min_size = min_group_size() if min_size is None else min_size
    document = update.document or {}
    statements = document.get("statements", [])
    shown: list[dict[str, Any]] = []
    merged: list[dict[str, Any]] = []
    for group in document.get("groups", []):
        (shown if group["size"] >= min_size else merged).append(group)
    groups = [
        {
            "label": str(n),
            "size": g["size"],
            "centre": g["centre"],
            "representative": g["representative"],
            "shares": _shares(statements, g["counts"]),
        }
        for n, g in enumerate(shown, 1)
    ]
    if merged:
        size = sum(g["size"] for g in merged)
        other: dict[str, Any] = {
            "label": OTHER,
            "size": size,
            "centre": None,
            "representative": [],
            "shares": {},
        }
        if size >= min_size:
            counts = np.sum([g["counts"] for g in merged], axis=0).tolist()
            other["centre"] = [
                sum(g["centre"][i] * g["size"] for g in merged) / size for i in (0, 1)
            ]
            other["shares"] = _shares(statements, counts)
        groups.append(other)
    return {
        "update": update.pk,
        "kind": update.kind,
        "finished_at": update.finished_at.isoformat() if update.finished_at else None,
        "n_votes": update.n_votes,
        "n_participants": update.n_participants,
        "n_grouped": document.get("n_clustered", 0),
        "min_group_size": min_size,
        "min_votes": document.get("min_votes", 7),
        "groups": groups,
        "consensus": document.get("consensus", {"agree": [], "disagree": []}),
        "input_sha256": update.input_sha256,
        "engine_version": update.engine_version,
    }


def _shares(statements: list[int], counts: list[list[int]]) -> dict[str, dict[str, int]]:
    return {
        str(sid): {"agree": c[0], "disagree": c[1], "pass": c[2]}
        for sid, c in zip(statements, counts, strict=True)
        if c[0] or c[1] or c[2]
    }


def own_view(
    update: LiveMapUpdate, voter: Voter, public: dict[str, Any] | None = None
) -> dict[str, Any]:
    """One participant's place in ``update``: their position, the group they are shown in, and
    their current votes beside that group's shares. Only ever built for the voter asking."""
    public = public_view(update) if public is None else public
    votes = dict(
        Vote.objects.filter(voter=voter, statement__status=Statement.Status.ACCEPTED).values_list(
            "statement_id", "value"
        )
    )
    needed = min(int(public["min_votes"]), max(len(update.document.get("statements", [])), 1))
    found = position_of(update, voter.public_id)
    group_label = None
    if found is not None and found[2] >= 0:
        size = update.document["groups"][found[2]]["size"]
        group_label = _label_of(update, found[2]) if size >= public["min_group_size"] else OTHER
    group = next((g for g in public["groups"] if g["label"] == group_label), None)
    shares = group["shares"] if group is not None else {}
    names = {1: "agree", -1: "disagree", 0: "pass"}
    return {
        "n_votes": len(votes),
        "votes_needed": needed,
        "included": found is not None,
        "position": [found[0], found[1]] if found is not None else None,
        "group": group_label,
        "comparison": [
            {"statement": sid, "you": names[value], "group": shares.get(str(sid))}
            for sid, value in sorted(votes.items())
        ],
    }


def _label_of(update: LiveMapUpdate, group_id: int) -> str:
    min_size = min_group_size()
    n = 0
    for group in update.document["groups"]:
        if group["size"] >= min_size:
            n += 1
        if group["id"] == group_id:
            return str(n)
    return OTHER


def not_current_since(consultation: Consultation, update: LiveMapUpdate | int | None) -> Any:
    """When the first vote the latest update (or the update that read up to this vote
    history id) does not include was cast, if that is longer ago than a few intervals (the
    worker is down or behind); else ``None``."""
    since = update if isinstance(update, int) else getattr(update, "max_event_id", 0)
    first = (
        VoteEvent.objects.filter(statement__consultation=consultation, pk__gt=since)
        .order_by("pk")
        .values_list("cast_at", flat=True)
        .first()
    )
    if first is None:
        return None
    grace = max(5.0, 5 * min_interval())
    return first if (timezone.now() - first).total_seconds() > grace else None


def latest_live_update(consultation: Consultation) -> tuple[LiveMap | None, LiveMapUpdate | None]:
    live = live_map_of(consultation)
    return live, (live.latest if live is not None else None)


# --- imported Pol.is conversations: "as Polis computed it" ----------------------------------


def remember_polis_import(
    sender: Any = None, *, consultation: Consultation, export: Any, events: int, **_kw: Any
) -> None:
    """Receiver of :data:`cityforum.statements.signals.polis_imported`: keep what the export
    says about the Polis that computed it (its treatment of missing votes, whether its vote
    log had times), inside the import's transaction."""
    PolisImportInfo.objects.update_or_create(
        consultation=consultation,
        defaults={
            "missing_votes": export.missing_votes,
            "has_vote_log": export.timestamps is not None,
            "n_events": events,
        },
    )


def replay_polis_import(
    consultation: Consultation, *, by: Any, interval: float = 1.0
) -> LiveMapUpdate:
    """The imported conversation's groups as Polis computed them: the export's Polis version
    and its vote log replayed at Polis' 1 s polling
    (:func:`cityforum.analysis.opinion_replay.replay`), stored as a pinned update so that an
    organiser can hold it against the platform's own map."""
    from cityforum.analysis.opinion_replay import replay

    if not rules.test_rule("synthesis.run", by, consultation):
        raise PermissionDenied(_("Only organisers may replay an imported conversation."))
    info = PolisImportInfo.objects.filter(consultation=consultation).first()
    if info is None:
        raise ValidationError(
            _("This consultation holds no imported Pol.is conversation."), code="not_imported"
        )
    started_at = timezone.now()
    cpu, wall = time.process_time(), time.perf_counter()
    rows = np.array(
        list(
            VoteEvent.objects.filter(statement__consultation=consultation)
            .order_by("cast_at", "pk")
            .values_list("voter__public_id", "statement_id", "value")
        ),
        dtype=np.int64,
    ).reshape(-1, 3)
    stamps = np.array(
        [
            t.timestamp()
            for t in VoteEvent.objects.filter(statement__consultation=consultation)
            .order_by("cast_at", "pk")
            .values_list("cast_at", flat=True)
        ],
        dtype=np.float64,
    )
    moderated = _moderated(consultation.pk)
    estimator = OpinionMap(missing_votes=info.missing_votes)
    try:
        if info.has_vote_log:
            model = replay(
                estimator, rows[:, 0], rows[:, 1], rows[:, 2], stamps, moderated, interval=interval
            )
        else:
            model = estimator.fit(rows[:, 0], rows[:, 1], rows[:, 2], moderated)
    except OpinionMapError as error:
        raise ValidationError(
            _("The imported votes cannot be grouped: %(error)s") % {"error": error},
            code="too_small",
        ) from None
    participants, statements, values = compact(rows[:, 0], rows[:, 1], rows[:, 2])
    parameters = {
        **estimator.get_params(),
        "replay_interval": interval if info.has_vote_log else None,
    }
    with transaction.atomic():
        update = LiveMapUpdate.objects.create(
            consultation=consultation,
            kind=LiveMapUpdate.Kind.POLIS_REPLAY,
            parameters=parameters,
            seed=0,
            input_sha256=input_checksum(participants, statements, values, moderated),
            engine_version=_engine_version(),
            n_votes=int(values.size),
            n_participants=int(model.participants_.size),
            max_event_id=_max_event_id(),
            started_at=started_at,
            finished_at=timezone.now(),
            pinned=True,
            document=map_document(model, moderated),
            positions=pack_positions(model),
            timings={
                "fit": round(time.perf_counter() - wall, 4),
                "cpu": round(time.process_time() - cpu, 4),
            },
            requested_by=by if getattr(by, "pk", None) else None,
        )
        record("opinion_map.polis_replay", update, actor=by, groups=int(model.n_groups_))
    return update


def reset_process_state() -> None:
    """Forget what this process remembers (switch cache, due jobs, warm state, updates read):
    for tests and for a worker that must start cold."""
    _enabled.clear()
    _next_run.clear()
    _streams.clear()
    _loaded.clear()
    _positions.clear()
