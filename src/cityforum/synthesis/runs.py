"""A background run's hold by its worker: claim, lease, guarded finish, and the lost run's return.

Why: huey takes a job off its Redis queue before running it and never acknowledges it (no
at-least-once delivery, by huey's design: coleifer/huey#418, #571). A worker killed with
SIGKILL mid-job (the kernel's out-of-memory killer, a host lost) takes its job with it, and
huey's ``SIGNAL_INTERRUPTED`` is only sent on SIGTERM. So the run's row is the source of
truth, not the queue:

- a worker **claims** a queued run with one conditional UPDATE (``queued → running``,
  ``attempt + 1``, a lease of ``CITYFORUM_JOB_LEASE_SECONDS``): of two workers given the
  same run, exactly one gets the row; the other finds nothing to do;
- while it works, each progress report **renews** the lease, again conditionally (the run
  still running, and still its attempt);
- it writes the result in one transaction that first **re-takes** the row the same way: a
  worker that lost its run (its lease passed and another worker took it) writes nothing, so a
  run completes once whatever happens to the workers;
- a run "running" whose lease has passed lost its worker: :func:`requeue_lost` puts it back
  to "queued" (the worker's startup hook and a periodic task call it, through
  ``synthesis.jobs``), and the services enqueue it again. A run whose worker died
  :data:`MAX_ATTEMPTS` times fails with the reason instead of killing workers forever. A
  queued run whose lease passed (its job lost from the queue: Redis restarted without its
  append-only file) is enqueued again too; a duplicate job finds its run taken and returns.

Generic over the runs that have ``status``, ``stage``, ``progress``, ``error``,
``finished_at``, ``lease_until`` and ``attempt`` (the opinion map's, the themes'); imports
neither part.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cityforum.core.audit import record

from .provenance import QueuedRun

QUEUED, RUNNING, FAILED = QueuedRun.Status.QUEUED, QueuedRun.Status.RUNNING, QueuedRun.Status.FAILED
#: A run whose worker died this many times fails instead of being queued again.
MAX_ATTEMPTS = 3


class LeaseLost(Exception):
    """The run is no longer this worker's: another took it after its lease passed, or it was
    finished or failed meanwhile. The worker stops and writes nothing."""


def lease() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "CITYFORUM_JOB_LEASE_SECONDS", 900)))


def claim(model: type[models.Model], run_id: int) -> Any:
    """Take queued run ``run_id`` for this worker; ``None`` if it is not queued (taken by
    another worker, finished, failed, or gone)."""
    taken = model.objects.filter(pk=run_id, status=QUEUED).update(
        status=RUNNING, attempt=F("attempt") + 1, lease_until=timezone.now() + lease()
    )
    if not taken:
        return None
    return model.objects.select_related("consultation").get(pk=run_id)


def _mine(run: Any) -> Any:
    return type(run).objects.filter(pk=run.pk, status=RUNNING, attempt=run.attempt)


def renew(run: Any, **fields: Any) -> None:
    """Extend the lease of ``run`` (and save ``fields`` with it); :class:`LeaseLost` if the
    run is no longer this worker's."""
    run.lease_until = timezone.now() + lease()
    for name, value in fields.items():
        setattr(run, name, value)
    if not _mine(run).update(lease_until=run.lease_until, **fields):
        raise LeaseLost(run.pk)


def hold(run: Any) -> None:
    """Inside the transaction that writes the outcome: lock the row if it is still this
    worker's (the UPDATE holds the row until the commit), else :class:`LeaseLost`, which rolls
    the transaction back."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("hold() guards a transaction: call it inside transaction.atomic()")
    renew(run)


def refuse(model: type[models.Model], run_id: int, error: BaseException, verb: str) -> None:
    """The queue refused the run's job (Redis away): the run fails with the reason, instead
    of staying "queued" for a job that does not exist. The request still answers 503."""
    reason = _("The job queue could not be reached (%(error)s); ask again once it is back.") % {
        "error": error
    }
    with transaction.atomic():
        failed = model.objects.filter(pk=run_id, status=QUEUED).update(
            status=FAILED, stage=FAILED, error=reason, finished_at=timezone.now()
        )
        if failed:
            record(verb, model.objects.get(pk=run_id), reason=reason[:500])


def requeue_lost(model: type[models.Model], requeue_verb: str, fail_verb: str) -> list[int]:
    """Put back to "queued" every run whose worker's lease has passed, and return the ids to
    enqueue again (queued runs whose lease passed included). Each run is moved by its own
    conditional UPDATE, so reapers running at once on several hosts move it once."""
    now = timezone.now()
    stale = Q(lease_until__lt=now) & (Q(status=RUNNING) | Q(status=QUEUED))
    to_enqueue: list[int] = []
    for run_id, status, attempt in model.objects.filter(stale).values_list(
        "pk", "status", "attempt"
    ):
        with transaction.atomic():
            this = model.objects.filter(stale, pk=run_id, status=status, attempt=attempt)
            if status == RUNNING and attempt >= MAX_ATTEMPTS:
                reason = _(
                    "The worker stopped %(n)d times while computing this run; it is not "
                    "queued again."
                ) % {"n": attempt}
                if this.update(status=FAILED, stage=FAILED, error=reason, finished_at=now):
                    record(fail_verb, model.objects.get(pk=run_id), reason=reason[:500])
                continue
            moved = this.update(
                status=QUEUED, stage="queued", progress=0, lease_until=now + lease()
            )
            if moved:
                if status == RUNNING:
                    record(
                        requeue_verb,
                        model.objects.get(pk=run_id),
                        attempt=attempt,
                        reason="lease passed",
                    )
                to_enqueue.append(run_id)
    return to_enqueue
