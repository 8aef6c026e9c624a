"""How a service hands a run to the background worker without knowing the job queue.

The services own the runs; :mod:`cityforum.synthesis.jobs` (the only module that knows huey)
owns the jobs, and its jobs call the services. Were the services to import the jobs to
enqueue them, each would import the other. Instead the job module registers each job here
under a name when the app is ready (:meth:`~cityforum.synthesis.apps.SynthesisConfig.ready`),
and a service enqueues by that name.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

#: The jobs' names, which both sides know.
OPINION_MAP = "opinion_map"
THEMES = "themes"
LIVE_MAP = "live_map"

_jobs: dict[str, Callable[[int], object]] = {}
_scheduled: dict[str, Callable[[int, float], object]] = {}


def register(name: str, job: Callable[[int], object]) -> None:
    """Make ``job`` (a huey task taking a run's id) the job :func:`enqueue` runs for ``name``."""
    _jobs[name] = job


def enqueue(
    name: str, run_id: int, on_refused: Callable[[BaseException], None] | None = None
) -> None:
    """Queue job ``name`` for run ``run_id`` once the current transaction commits: the worker
    must find the run's row, which it cannot before the commit.

    If the queue refuses the job (Redis away), ``on_refused`` is called with the error before
    it propagates (the request answers 503): the run was committed already, and must not stay
    "queued" for a job that does not exist.
    """
    job = _jobs[name]  # a KeyError here is a job module that was never loaded: a bug

    def send() -> None:
        try:
            job(run_id)
        except Exception as error:
            if on_refused is not None:
                on_refused(error)
            raise

    transaction.on_commit(send)


def register_scheduled(name: str, schedule: Callable[[int, float], object]) -> None:
    """Make ``schedule(arg, delay)`` what :func:`schedule` calls for ``name`` (a job that may
    wait: the live opinion map's coalesced updates)."""
    _scheduled[name] = schedule


def schedule(name: str, arg: int, delay: float = 0.0) -> None:
    """Queue job ``name`` for ``arg`` now, to run in ``delay`` seconds. The caller chooses the
    moment (the live map calls it once its vote has committed)."""
    _scheduled[name](arg, delay)
