"""A background run's hold by its worker (``cityforum.synthesis.runs``): the run's row, not
huey's queue, says who computes it. One worker claims a queued run; its lease, renewed by each
progress report, keeps it; a run whose lease passed (its worker killed mid-job: huey's Redis
queue never acknowledges a job) is queued again, and the worker that lost it writes nothing —
so a run completes once. A job the queue refuses (Redis away) leaves a failed run with the
reason, never a "queued" one waiting for a job that does not exist.

On SQLite here; the same with real processes, PostgreSQL and Redis in
``tests/core/test_two_servers.py``.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import huey
import pytest
import redis
from django.db import transaction
from django.utils import timezone

from cityforum.core.models import AuditEvent
from cityforum.programme.models import Consultation
from cityforum.synthesis import queue, runs
from cityforum.synthesis.models import OpinionMapRun, ThemeRun
from cityforum.synthesis.opinion import services
from cityforum.synthesis.themes import services as themes_services
from cityforum.testing.postgres import free_port

from .test_runs import _cast

#: Two camps of four voters on four statements: enough to group, computed in a blink.
CAMPS = [(v, s, 1 if (v < 4) == (s < 2) else -1) for v in range(8) for s in range(4)]


@pytest.fixture
def queued(consultation: Consultation) -> OpinionMapRun:
    """A run as ``run_opinion_map(..., background=True)`` leaves it, its job not yet taken."""
    _cast(consultation, CAMPS)
    return OpinionMapRun.objects.create(
        consultation=consultation,
        status=OpinionMapRun.Status.QUEUED,
        stage="queued",
        parameters=services.opinion_parameters(0, 2),
        lease_until=timezone.now() + runs.lease(),
    )


def _lease_passes(run: OpinionMapRun) -> None:
    OpinionMapRun.objects.filter(pk=run.pk).update(
        lease_until=timezone.now() - timedelta(seconds=1)
    )


def test_one_worker_claims_a_queued_run_the_next_finds_it_taken(queued: OpinionMapRun) -> None:
    first = runs.claim(OpinionMapRun, queued.pk)
    assert first is not None and first.status == "running" and first.attempt == 1
    assert first.lease_until > timezone.now() + runs.lease() - timedelta(minutes=1)
    assert runs.claim(OpinionMapRun, queued.pk) is None, "a second job of the run does nothing"


def test_a_running_run_whose_lease_passed_is_queued_again_once_and_recorded(
    queued: OpinionMapRun, settings: Any
) -> None:
    lost = runs.claim(OpinionMapRun, queued.pk)
    _lease_passes(lost)
    alive = OpinionMapRun.objects.create(
        consultation=queued.consultation,
        status="running",
        attempt=1,
        lease_until=timezone.now() + timedelta(minutes=5),
    )
    assert services.requeue_lost_runs() == [queued.pk], "the live run is left alone"
    assert services.requeue_lost_runs() == [], "moved once: the new lease has not passed"
    queued.refresh_from_db()
    alive.refresh_from_db()
    assert (queued.status, queued.stage, queued.attempt) == ("queued", "queued", 1)
    assert alive.status == "running"
    event = AuditEvent.objects.get(verb="opinion_map.requeue", target_id=str(queued.pk))
    assert event.data["attempt"] == 1


def test_a_queued_run_whose_job_was_lost_from_the_queue_is_enqueued_again(
    queued: OpinionMapRun,
) -> None:
    _lease_passes(queued)
    assert services.requeue_lost_runs() == [queued.pk]
    queued.refresh_from_db()
    assert queued.status == "queued" and queued.lease_until > timezone.now()
    assert not AuditEvent.objects.filter(verb="opinion_map.requeue").exists()


def test_a_run_whose_worker_died_three_times_fails_with_the_reason(
    queued: OpinionMapRun,
) -> None:
    for _attempt in range(runs.MAX_ATTEMPTS):
        assert runs.claim(OpinionMapRun, queued.pk) is not None
        _lease_passes(queued)
        services.requeue_lost_runs()
    queued.refresh_from_db()
    assert queued.status == "failed" and queued.attempt == runs.MAX_ATTEMPTS
    assert "stopped 3 times" in queued.error
    assert AuditEvent.objects.filter(verb="opinion_map.fail", target_id=str(queued.pk)).exists()


def test_the_worker_that_lost_its_run_writes_nothing_and_the_run_completes_once(
    queued: OpinionMapRun,
) -> None:
    """Worker A took the run and went silent past its lease; the run was queued again and
    worker B computed it. A's late progress and late result are refused."""
    worker_a = runs.claim(OpinionMapRun, queued.pk)
    _lease_passes(worker_a)
    services.requeue_lost_runs()
    done = services.compute_queued_run(queued.pk)  # worker B
    assert done.status == "done" and done.attempt == 2 and done.n_groups >= 1
    with pytest.raises(runs.LeaseLost):
        runs.renew(worker_a, progress=50)
    with pytest.raises(runs.LeaseLost), transaction.atomic():
        runs.hold(worker_a)
        OpinionMapRun.objects.filter(pk=queued.pk).update(error="A's late write")
    done.refresh_from_db()
    assert done.status == "done" and done.error == "" and done.progress == 100
    assert services.compute_queued_run(queued.pk).status == "done", "a late duplicate job"
    assert (
        AuditEvent.objects.filter(
            verb__in=["opinion_map.done", "opinion_map.reuse"], target_id=str(queued.pk)
        ).count()
        == 1
    )


def test_progress_renews_the_lease(queued: OpinionMapRun, settings: Any) -> None:
    settings.CITYFORUM_JOB_LEASE_SECONDS = 60
    run = runs.claim(OpinionMapRun, queued.pk)
    OpinionMapRun.objects.filter(pk=run.pk).update(lease_until=timezone.now())
    services._progress(run, 40, "fitting")
    stored = OpinionMapRun.objects.get(pk=run.pk)
    assert (stored.progress, stored.stage) == (40, "fitting")
    assert stored.lease_until > timezone.now() + timedelta(seconds=50)


@pytest.fixture
def unreachable_queue(monkeypatch: pytest.MonkeyPatch) -> None:
    """The jobs on a real Redis queue whose server is away (nothing listens on the port):
    enqueuing raises redis's own ConnectionError, as with ``REDIS_URL`` and Redis stopped."""
    away = huey.RedisHuey("cityforum-away", url=f"redis://127.0.0.1:{free_port()}/0")
    for name in (queue.OPINION_MAP, queue.THEMES):
        monkeypatch.setitem(queue._jobs, name, away.task(name=f"away.{name}")(lambda run_id: None))


def test_a_job_the_queue_refuses_leaves_a_failed_run_with_the_reason_not_a_queued_one(
    consultation: Consultation, unreachable_queue: None, django_capture_on_commit_callbacks: Any
) -> None:
    _cast(consultation, CAMPS)
    with pytest.raises(redis.ConnectionError), django_capture_on_commit_callbacks(execute=True):
        services.run_opinion_map(consultation, background=True)
    assert not OpinionMapRun.objects.filter(status="queued").exists()
    run = OpinionMapRun.objects.get()
    assert run.status == "failed" and run.finished_at is not None
    assert "job queue could not be reached" in run.error
    assert AuditEvent.objects.filter(verb="opinion_map.fail", target_id=str(run.pk)).exists()
    assert services.requeue_lost_runs() == [], "a refused run is not picked up later"


def test_a_themes_job_the_queue_refuses_fails_its_run_too(
    consultation: Consultation, unreachable_queue: None, django_capture_on_commit_callbacks: Any
) -> None:
    with pytest.raises(redis.ConnectionError), django_capture_on_commit_callbacks(execute=True):
        themes_services._queue(consultation, {"seed": 0}, None)
    run = ThemeRun.objects.get()
    assert run.status == "failed" and "job queue could not be reached" in run.error
    assert AuditEvent.objects.filter(verb="synthesis.themes_fail").exists()


def _claim(run_id: int, barrier: threading.Barrier, won: list[bool]) -> None:
    from django.db import connection

    try:
        barrier.wait()
        won.append(runs.claim(OpinionMapRun, run_id) is not None)
    finally:
        connection.close()  # this thread's own connection


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_workers_claiming_one_run_at_the_same_moment_only_one_gets_it(
    transactional_db: None,
) -> None:
    """On PostgreSQL, eight workers' claims in parallel transactions, five times over: the
    conditional UPDATE is re-checked once the row lock is free, so exactly one wins."""
    from django.db import connection

    from cityforum.programme.seed import load_programme

    assert connection.vendor == "postgresql"
    load_programme()
    consultation = Consultation.objects.get(slug="regional-africa")
    for _round in range(5):
        run = OpinionMapRun.objects.create(consultation=consultation, status="queued")
        barrier = threading.Barrier(8)
        won: list[bool] = []

        threads = [threading.Thread(target=_claim, args=(run.pk, barrier, won)) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(won) == [False] * 7 + [True]
        run.refresh_from_db()
        assert run.status == "running" and run.attempt == 1
