"""Background jobs of the synthesis (huey): the only module that knows the job queue.

Each job calls a service, never the reverse: the services enqueue through
:func:`cityforum.synthesis.queue.enqueue`, by the names registered below. The app imports this
module when it is ready, so that the worker (``manage.py run_huey``, which looks only for
``tasks`` modules) and the web processes both know the jobs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from django.db import close_old_connections
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, on_startup

from . import queue
from .opinion import live
from .opinion import services as opinion
from .themes import services as themes

#: Where the jobs were defined before they moved here. A queued job is stored under its
#: module's name and its own (``cityforum.synthesis.tasks.compute_themes``), and the worker
#: finds it by that name: the jobs keep it, so that a job queued before an upgrade still runs
#: after it.
QUEUED_AS = "cityforum.synthesis.tasks"

Job = TypeVar("Job", bound=Callable[..., object])


def _queued_as(func: Job) -> Job:
    func.__module__ = QUEUED_AS
    return func


@db_task()
@_queued_as
def compute_opinion_map(run_id: int) -> None:
    """Compute a queued opinion-map run; progress and outcome are stored on the run."""
    opinion.compute_queued_run(run_id)


@db_task()
@_queued_as
def compute_themes(run_id: int) -> None:
    """Compute a queued themes run (themes, trends, specificities); progress and outcome are
    stored on the run, as for the opinion map."""
    themes.compute_queued_theme_run(run_id)


@db_task()
def update_live_opinion_map(consultation_id: int, due_at: float | None = None) -> None:
    """Coalesced updates of a consultation's live opinion map (issue 16): in a worker, the job
    keeps the map current for a slice while votes arrive; run inline (huey's immediate mode,
    in a request), it makes one update and returns. ``due_at`` (epoch seconds) is when it was
    asked to start: a job whose votes an update started since has read does nothing."""
    immediate = update_live_opinion_map.huey.immediate
    live.update_live_map(
        consultation_id, keep_going=0.0 if immediate else live.SLICE_SECONDS, due_at=due_at
    )


def _schedule_live_update(consultation_id: int, delay: float) -> None:
    due_at = time.time() + delay
    if delay > 0:
        update_live_opinion_map.schedule((consultation_id, due_at), delay=delay)
    else:
        update_live_opinion_map(consultation_id, due_at)


queue.register(queue.OPINION_MAP, compute_opinion_map)
queue.register_scheduled(queue.LIVE_MAP, _schedule_live_update)
queue.register(queue.THEMES, compute_themes)


def _requeue_lost() -> list[int]:
    return opinion.requeue_lost_runs() + themes.requeue_lost_theme_runs()


@on_startup()
def requeue_lost_runs_at_start() -> None:
    """A worker (re)starting queues again the runs whose worker died mid-job and whose lease
    has passed: huey's queue forgot their jobs (:mod:`cityforum.synthesis.runs`)."""
    close_old_connections()
    try:
        _requeue_lost()
    finally:
        close_old_connections()


@db_periodic_task(crontab(minute="*"))
def requeue_lost_runs() -> None:
    """The same every minute, for a worker lost while another host's worker keeps running."""
    _requeue_lost()
