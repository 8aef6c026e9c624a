"""Every synthesis run goes through here: the admin action, the CLI, the background job.

:func:`run_opinion_map` turns a consultation's current votes into arrays, fits
:class:`cityforum.analysis.opinion.OpinionMap` with explicit parameters and the stored seed, and
saves a snapshot (:class:`~.models.OpinionMapRun`). A finished run with the same input checksum
and parameters is returned instead of computing again. Consultations of more than
``CITYFORUM_OPINION_BACKGROUND_VOTES`` votes (200,000 by default) are computed by a huey job,
which stores its progress on the run.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import rules
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityforum.analysis.opinion import OpinionMap, OpinionMapError
from cityforum.analysis.opinion_document import result_document
from cityforum.core.audit import record
from cityforum.programme.models import Consultation
from cityforum.synthesis import queue, runs
from cityforum.synthesis.provenance import MAX_SEED, engine_version

from . import rules as _rules  # noqa: F401  (registers the named rules)
from .figures import figures
from .input import OpinionInput, count_votes, read_opinion_input
from .models import OpinionMapRun

#: Past this many votes, a run goes to the background job queue.
BACKGROUND_VOTES = 200_000


def background_threshold() -> int:
    return int(getattr(settings, "CITYFORUM_OPINION_BACKGROUND_VOTES", BACKGROUND_VOTES))


def opinion_parameters(seed: Any = 0, groups: Any = None) -> dict[str, Any]:
    """The engine's full parameter set, explicit, after checking ``seed`` and ``groups``."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise ValidationError(
            _("The seed is a whole number from 0 to %(max)d, not “%(value)s”.")
            % {"max": MAX_SEED, "value": seed},
            code="seed",
        )
    if groups is not None and (
        isinstance(groups, bool) or not isinstance(groups, int) or not 2 <= groups <= 9
    ):
        raise ValidationError(
            _("The number of groups is a whole number from 2 to 9, not “%(value)s”.")
            % {"value": groups},
            code="groups",
        )
    return OpinionMap(random_state=seed, n_groups=groups).get_params()


def latest_run(consultation: Consultation, *, with_result: bool = True) -> OpinionMapRun | None:
    """The consultation's most recent finished run (what pages and the API show)."""
    runs = OpinionMapRun.objects.filter(
        consultation=consultation, status=OpinionMapRun.Status.DONE
    ).order_by("-finished_at", "-pk")
    return (runs if with_result else runs.defer("result")).first()


def _reusable(consultation: Consultation, sha256: str, parameters: dict[str, Any]) -> Any:
    for run in (
        OpinionMapRun.objects.filter(
            consultation=consultation, status=OpinionMapRun.Status.DONE, input_sha256=sha256
        )
        .defer("result", "figures")
        .order_by("-finished_at", "-pk")
    ):
        if run.parameters == parameters:
            return run
    return None


def run_opinion_map(
    consultation: Consultation,
    *,
    by: Any = None,
    seed: Any = 0,
    groups: Any = None,
    background: bool = False,
) -> OpinionMapRun:
    """Compute (or reuse) the opinion map of ``consultation``'s current votes.

    ``by`` is the person asking (organisers only); ``None`` is the server's operator at the
    command line. Returns a finished run, or a queued one when the work goes to the background
    (``background=True``, or more votes than the threshold). A consultation too small to group
    raises :class:`ValidationError` and stores nothing.
    """
    if by is not None and not rules.test_rule("synthesis.run", by, consultation):
        raise PermissionDenied(_("Only organisers may compute an opinion map."))
    parameters = opinion_parameters(seed, groups)
    requested_by = by if getattr(by, "pk", None) else None
    if background or count_votes(consultation) > background_threshold():
        return _queue(consultation, parameters, requested_by)

    started = time.perf_counter()
    data = read_opinion_input(consultation)
    reused = _reusable(consultation, data.sha256, parameters)
    if reused is not None:
        return reused
    read_s = time.perf_counter() - started
    model, fit_s = _fit(data, parameters)
    with transaction.atomic():
        run = OpinionMapRun.objects.create(
            consultation=consultation,
            status=OpinionMapRun.Status.RUNNING,
            parameters=parameters,
            seed=parameters["random_state"],
            input_sha256=data.sha256,
            n_votes=data.n_votes,
            engine_version=engine_version(),
            requested_by=requested_by,
        )
        _finish(run, consultation, model, data, {"read": read_s, "fit": fit_s})
    return run


def _queue(
    consultation: Consultation, parameters: dict[str, Any], requested_by: Any
) -> OpinionMapRun:
    with transaction.atomic():
        run = OpinionMapRun.objects.create(
            consultation=consultation,
            status=OpinionMapRun.Status.QUEUED,
            parameters=parameters,
            seed=parameters["random_state"],
            engine_version=engine_version(),
            requested_by=requested_by,
            stage="queued",
            lease_until=timezone.now() + runs.lease(),  # past it, a lost job is queued again
        )
        record("opinion_map.queue", run, actor=requested_by)
        queue.enqueue(queue.OPINION_MAP, run.pk, _refused(run.pk))  # once the row is committed
    return run


def _refused(run_id: int) -> Any:
    return lambda error: runs.refuse(OpinionMapRun, run_id, error, "opinion_map.fail")


def requeue_lost_runs() -> list[int]:
    """Queue again the runs whose worker died mid-job (their lease passed): the job queue
    forgets a job once a worker takes it (:mod:`cityforum.synthesis.runs`)."""
    ids = runs.requeue_lost(OpinionMapRun, "opinion_map.requeue", "opinion_map.fail")
    for run_id in ids:
        queue.enqueue(queue.OPINION_MAP, run_id)
    return ids


def compute_queued_run(run_id: int) -> OpinionMapRun:
    """The background job's work: read, check for a reusable run, fit, save; with progress.

    The run is claimed first (one worker only, :func:`cityforum.synthesis.runs.claim`) and
    its outcome written only while it is still this worker's, so a run completes once even
    when a worker killed mid-job left it to another. A run that is not this worker's is
    returned as it stands.
    """
    run = runs.claim(OpinionMapRun, run_id)
    if run is None:  # taken by another worker, finished, or failed: as it stands
        return OpinionMapRun.objects.get(pk=run_id)
    try:
        return _compute(run)
    except runs.LeaseLost:  # another worker took the run after this one's lease passed
        return OpinionMapRun.objects.get(pk=run_id)


def _compute(run: OpinionMapRun) -> OpinionMapRun:
    consultation = run.consultation
    try:
        _progress(run, 5, "reading")
        started = time.perf_counter()
        expected = max(count_votes(consultation), 1)
        data = read_opinion_input(
            consultation, on_chunk=lambda n: _progress(run, 5 + 35 * min(n, expected) // expected)
        )
        read_s = time.perf_counter() - started
        run.input_sha256, run.n_votes = data.sha256, data.n_votes
        reused = _reusable(consultation, data.sha256, run.parameters)
        if reused is not None:
            run.result, run.figures = _stored(reused)
            run.timings = {"read": round(read_s, 4), "reused_run": reused.pk}
            with transaction.atomic():
                runs.hold(run)
                _mark_done(run, "opinion_map.reuse")
            return run
        _progress(run, 40, "fitting")
        model, fit_s = _fit(data, run.parameters)
        _progress(run, 80, "saving")
        with transaction.atomic():
            runs.hold(run)  # still this worker's run, locked until the result is written
            _finish(run, consultation, model, data, {"read": read_s, "fit": fit_s})
    except runs.LeaseLost:
        raise  # no longer this worker's run: nothing to write
    except Exception as error:  # the job must leave a failed run, never a running one
        run.status = OpinionMapRun.Status.FAILED
        run.error = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        run.stage = "failed"
        run.finished_at = timezone.now()
        with transaction.atomic():
            runs.hold(run)
            run.save(update_fields=["status", "error", "stage", "finished_at"])
            record("opinion_map.fail", run, reason=run.error[:500])
        if not isinstance(error, ValidationError):
            raise
    return run


def _stored(run: OpinionMapRun) -> tuple[Any, Any]:
    full = OpinionMapRun.objects.only("result", "figures").get(pk=run.pk)
    return full.result, full.figures


def _progress(run: OpinionMapRun, percent: int, stage: str | None = None) -> None:
    """Save how far the job is, renewing its lease: each report is a sign of life."""
    fields: dict[str, Any] = {"progress": percent}
    if stage is not None:
        fields["stage"] = stage
    runs.renew(run, **fields)


def _fit(data: OpinionInput, parameters: dict[str, Any]) -> tuple[OpinionMap, float]:
    min_votes = int(parameters["min_votes"])
    votes_each = np.unique(data.participants, return_counts=True)[1]
    n_statements = np.unique(data.statements).size
    needed = min(min_votes, n_statements) if n_statements else min_votes
    qualified = int((votes_each >= needed).sum())
    too_small = ValidationError(
        _("Not enough votes to group: %(n)d participants with ≥ %(votes)d votes.")
        % {"n": qualified, "votes": needed},
        code="too_small",
    )
    if qualified < 2:
        raise too_small
    started = time.perf_counter()
    try:
        model = OpinionMap(**parameters).fit(
            data.participants, data.statements, data.values, data.moderated_out
        )
    except OpinionMapError:
        raise too_small from None
    return model, time.perf_counter() - started


def _finish(
    run: OpinionMapRun,
    consultation: Consultation,
    model: OpinionMap,
    data: OpinionInput,
    timings: dict[str, float],
) -> None:
    started = time.perf_counter()
    result = result_document(model, run.parameters, data.sha256)
    # The page's copy of the lists, so that it never loads every participant's position.
    listing = {key: result[key] for key in ("groups", "consensus", "divisive")}
    run.figures = {**figures(consultation, model, data), "listing": listing}
    timings["serialise"] = time.perf_counter() - started
    result["timings"] = {name: round(seconds, 4) for name, seconds in timings.items()}
    run.result = result
    run.timings = result["timings"]
    run.input_sha256, run.n_votes = data.sha256, data.n_votes
    _mark_done(run, "opinion_map.done")


def _mark_done(run: OpinionMapRun, verb: str) -> None:
    run.status = OpinionMapRun.Status.DONE
    run.progress = 100
    run.stage = "done"
    run.error = ""
    run.finished_at = timezone.now()
    run.save()
    record(
        verb,
        run,
        actor=run.requested_by,
        consultation=run.consultation_id,
        input_sha256=run.input_sha256,
        groups=run.n_groups,
    )
