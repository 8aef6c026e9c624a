"""The themes synthesis in the platform (issue 5): compute, reuse, approve, read.

:func:`run_themes` reads the visible contributions of one consultation (or of all of them),
fits :class:`cityforum.analysis.themes.Themes`, measures each theme's prevalence per region,
the global trends and the regional specificities (:mod:`cityforum.analysis.trends`), and stores
one :class:`~.models.ThemeRun` whose every claim lists the contribution ids behind it,
with the per-contribution assignment that the review recomputes from (:mod:`.review`).
A finished run with the same input checksum and parameters is returned instead. Large corpora,
or ``background=True``, go to a huey job that records its progress on the run. Only a run an
organiser approved (:func:`approve_themes`) is public.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityforum.analysis.text import CONCEPT_PREFIX
from cityforum.analysis.themes import LABEL_LANGUAGES, Themes
from cityforum.analysis.trends import global_trends, prevalence, specificities
from cityforum.core.audit import record
from cityforum.participation.models import Contribution, Visibility
from cityforum.programme.models import Consultation, Region
from cityforum.synthesis import queue, runs
from cityforum.synthesis.capitals.services import capitals_profile
from cityforum.synthesis.provenance import MAX_SEED, engine_version

from . import rules as _rules  # noqa: F401  (registers the named rules)
from .models import ThemeRun
from .review import term_labels

#: Fewer visible contributions than this give no themes worth reading.
MIN_CONTRIBUTIONS = 20
MAX_THEMES = 30
QUOTE_CHARS = 400
NO_REGION = "none"
#: A contribution's share of a theme is kept in the assignment from this value up. Merging m
#: themes is exact while m · SHARE_FLOOR < τ (six themes at the default τ = 0.3).
SHARE_FLOOR = 0.05
#: Past this many visible contributions, a run goes to the background job queue.
BACKGROUND_CONTRIBUTIONS = 20_000


def background_threshold() -> int:
    from django.conf import settings

    return int(
        getattr(settings, "CITYFORUM_THEMES_BACKGROUND_CONTRIBUTIONS", BACKGROUND_CONTRIBUTIONS)
    )


@dataclass(frozen=True)
class ThemesInput:
    ids: list[int]
    texts: list[str]
    languages: list[str]
    regions: list[str]
    sha256: str


def _visible(consultation: Consultation | None) -> Any:
    rows = Contribution.objects.filter(status=Visibility.VISIBLE)
    if consultation is not None:
        rows = rows.filter(consultation=consultation)
    return rows


def read_themes_input(consultation: Consultation | None) -> ThemesInput:
    """The visible contributions in id order, each text its title and body; region codes
    (a contribution without one takes its consultation's region, else ``"none"``)."""
    rows = _visible(consultation)
    values = rows.order_by("pk").values_list(
        "pk", "title", "body", "language", "region__code", "consultation__region__code"
    )
    ids, texts, languages, regions = [], [], [], []
    digest = hashlib.sha256()
    for pk, title, body, language, region, consultation_region in values.iterator():
        text = f"{title}\n{body}"
        code = region or consultation_region or NO_REGION
        ids.append(pk)
        texts.append(text)
        languages.append(language)
        regions.append(code)
        digest.update(json.dumps([pk, text, language, code], ensure_ascii=False).encode())
        digest.update(b"\n")
    return ThemesInput(ids, texts, languages, regions, digest.hexdigest())


def themes_parameters(n_themes: Any, seed: Any, n_contributions: int) -> dict[str, Any]:
    """The explicit parameters, after checking ``n_themes`` and ``seed``."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise ValidationError(
            _("The seed is a whole number from 0 to %(max)d, not “%(value)s”.")
            % {"max": MAX_SEED, "value": seed},
            code="seed",
        )
    if n_themes is None:
        n_themes = int(min(12, max(3, n_contributions // 15)))
    if isinstance(n_themes, bool) or not isinstance(n_themes, int) or not 2 <= n_themes <= 30:
        raise ValidationError(
            _("The number of themes is a whole number from 2 to %(max)d, not “%(value)s”.")
            % {"max": MAX_THEMES, "value": n_themes},
            code="n_themes",
        )
    return {"n_themes": n_themes, "seed": seed, **_fixed_parameters()}


def _fixed_parameters() -> dict[str, Any]:
    model = Themes()
    return {
        "min_df": model.min_df,
        "max_df": model.max_df,
        "tau": model.tau,
        "n_terms": model.n_terms,
        "n_quotes": model.n_quotes,
        "max_iter": model.max_iter,
    }


def _reusable(consultation: Consultation | None, sha256: str, parameters: dict[str, Any]) -> Any:
    for run in (
        ThemeRun.objects.filter(
            consultation=consultation, status=ThemeRun.Status.DONE, input_sha256=sha256
        )
        .defer("result", "assignment", "reviewed")
        .order_by("-finished_at", "-pk")
    ):
        if run.parameters == parameters:
            return run
    return None


def _ids(ids: Sequence[int], indices: Sequence[int]) -> list[int]:
    return [ids[i] for i in indices]


def _term_weights(model: Themes, j: int, terms: Sequence[str]) -> list[float]:
    column = {name: i for i, name in enumerate(model.feature_names_)}
    return [round(float(model.components_[j, column[t]]), 6) for t in terms]


def assignment_document(
    model: Themes, data: ThemesInput, themes: Sequence[dict[str, Any]], parameters: dict[str, Any]
) -> dict[str, Any]:
    """What the review recomputes from: every contribution's region and language, its share of
    each theme (from :data:`SHARE_FLOOR` up, at full precision so that memberships are those of
    the model) and which of the themes' words it uses (indices into ``terms``)."""
    terms = list(dict.fromkeys(t for theme in themes for t in theme["terms"]))
    index = {t: i for i, t in enumerate(terms)}
    shares = np.asarray(model.shares_, dtype=np.float64)
    rows = []
    for i in range(shares.shape[0]):
        kept = np.flatnonzero(shares[i] >= SHARE_FLOOR)
        rows.append({str(int(j)): float(shares[i, j]) for j in kept})
    words = [sorted({index[f] for f in feats if f in index}) for feats in model.features_]
    return {
        "version": 1,
        "floor": SHARE_FLOOR,
        "tau": parameters["tau"],
        "n_terms": parameters["n_terms"],
        "n_quotes": parameters["n_quotes"],
        "terms": terms,
        "ids": list(data.ids),
        "regions": list(data.regions),
        "languages": list(data.languages),
        "shares": rows,
        "words": words,
    }


def compute_documents(
    data: ThemesInput, parameters: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The stored result and the per-contribution assignment behind it."""
    options = {k: v for k, v in parameters.items() if k not in ("seed",)}
    model = Themes(random_state=parameters["seed"], **options).fit(
        data.texts, data.languages, data.regions
    )
    k = len(model.labels_)
    per_theme = prevalence(model.memberships_, data.regions, keys=list(range(k)))
    themes = []
    for j, summary in enumerate(model.summary()):
        members = np.flatnonzero(model.memberships_[:, j]).tolist()
        themes.append(
            {
                "id": j,
                "labels": summary["labels"],
                "terms": summary["terms"],
                "term_weights": _term_weights(model, j, summary["terms"]),
                "size": summary["size"],
                "contributions": _ids(data.ids, members),
                "quotes": [
                    {
                        "contribution": data.ids[i],
                        "language": data.languages[i],
                        "region": data.regions[i],
                        "text": data.texts[i][:QUOTE_CHARS],
                    }
                    for i in summary["quotes"]
                ],
                "prevalence": {
                    region: {
                        "count": p.count,
                        "total": p.total,
                        "share": p.share,
                        "low": p.low,
                        "high": p.high,
                    }
                    for region, p in per_theme[j].items()
                },
            }
        )
    trends = [
        {
            "theme": int(t.key),
            "overall": t.overall,
            "is_global": t.is_global,
            "regions_present": list(t.regions_present),
            "regions_absent": list(t.regions_absent),
            "regions_total": t.regions_total,
            "evenness": t.evenness,
            "contributions": _ids(data.ids, t.documents),
        }
        for t in global_trends(per_theme)
    ]
    concept_items = [
        [f for f in feats if f.startswith(CONCEPT_PREFIX)] for feats in model.features_
    ]
    theme_items = [[str(j) for j in np.flatnonzero(row)] for row in model.memberships_]
    specific = []
    for kind, items in (("theme", theme_items), ("concept", concept_items)):
        for s in specificities(items, data.regions, kind=kind):
            labels = themes[int(s.key)]["labels"] if kind == "theme" else term_labels(s.key)
            specific.append(
                {
                    "region": s.region,
                    "kind": kind,
                    "key": s.key,
                    "labels": labels,
                    "z": s.z,
                    "count": s.count,
                    "count_rest": s.count_rest,
                    "contributions": _ids(data.ids, s.documents),
                }
            )
    codes = sorted(set(data.regions))
    names = {r.code: r for r in Region.objects.filter(code__in=codes)}
    regions = {
        code: {
            lang: (getattr(names[code], f"name_{lang}") or names[code].name_fr)
            if code in names
            else code
            for lang in LABEL_LANGUAGES
        }
        for code in codes
    }
    result = {
        "themes": themes,
        "trends": trends,
        "specificities": specific,
        "regions": regions,
        "converged": model.converged_,
    }
    return result, assignment_document(model, data, themes, parameters)


def _too_few(n: int) -> ValidationError:
    return ValidationError(
        _("The themes need at least %(min)d visible contributions; there are %(n)d.")
        % {"min": MIN_CONTRIBUTIONS, "n": n},
        code="too_few",
    )


def _fit(data: ThemesInput, parameters: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        return compute_documents(data, parameters)
    except ValueError as error:
        raise ValidationError(
            _("No themes could be found in these contributions: %(error)s") % {"error": error},
            code="no_themes",
        ) from error


def run_themes(
    scope: Consultation | None,
    *,
    by: Any = None,
    n_themes: Any = None,
    seed: Any = 0,
    background: bool = False,
) -> ThemeRun:
    """Compute (or reuse) the themes of ``scope``'s visible contributions (``None``: all
    consultations). ``by`` is the organiser asking; ``None`` the operator at the command line.
    Too few contributions raise :class:`ValidationError` and store nothing. With
    ``background=True``, or more contributions than the threshold, the run is queued for the
    background job and returned at once."""
    if by is not None and not rules.test_rule("synthesis.run", by, scope):
        raise PermissionDenied(_("Only organisers may compute the themes."))
    requested_by = by if getattr(by, "pk", None) else None
    n = _visible(scope).count()
    if background or n > background_threshold():
        if n < MIN_CONTRIBUTIONS:
            raise _too_few(n)
        return _queue(scope, themes_parameters(n_themes, seed, n), requested_by)
    data = read_themes_input(scope)
    if len(data.ids) < MIN_CONTRIBUTIONS:
        raise _too_few(len(data.ids))
    parameters = themes_parameters(n_themes, seed, len(data.ids))
    reused = _reusable(scope, data.sha256, parameters)
    if reused is not None:
        return reused
    result, assignment = _fit(data, parameters)
    with transaction.atomic():
        run = ThemeRun.objects.create(
            consultation=scope,
            status=ThemeRun.Status.DONE,
            progress=100,
            stage="done",
            parameters=parameters,
            seed=parameters["seed"],
            input_sha256=data.sha256,
            n_contributions=len(data.ids),
            engine_version=engine_version(),
            result=result,
            assignment=assignment,
            requested_by=requested_by,
            finished_at=timezone.now(),
        )
        record(
            "synthesis.themes_run",
            run,
            actor=by,
            consultation=getattr(scope, "pk", None),
            input_sha256=data.sha256,
            n_contributions=len(data.ids),
            n_themes=run.n_themes,
        )
    return run


def _queue(scope: Consultation | None, parameters: dict[str, Any], requested_by: Any) -> ThemeRun:
    with transaction.atomic():
        run = ThemeRun.objects.create(
            consultation=scope,
            status=ThemeRun.Status.QUEUED,
            stage="queued",
            parameters=parameters,
            seed=parameters["seed"],
            engine_version=engine_version(),
            requested_by=requested_by,
            lease_until=timezone.now() + runs.lease(),  # past it, a lost job is queued again
        )
        record("synthesis.themes_queue", run, actor=requested_by)
        queue.enqueue(queue.THEMES, run.pk, _refused(run.pk))  # once the row is committed
    return run


def _refused(run_id: int) -> Any:
    return lambda error: runs.refuse(ThemeRun, run_id, error, "synthesis.themes_fail")


def requeue_lost_theme_runs() -> list[int]:
    """Queue again the runs whose worker died mid-job (their lease passed), as for the
    opinion map (:mod:`cityforum.synthesis.runs`)."""
    ids = runs.requeue_lost(ThemeRun, "synthesis.themes_requeue", "synthesis.themes_fail")
    for run_id in ids:
        queue.enqueue(queue.THEMES, run_id)
    return ids


def _progress(run: ThemeRun, percent: int, stage: str) -> None:
    """Save how far the job is, so that the organisers' page polling the run sees it; each
    report renews the worker's lease on the run."""
    runs.renew(run, progress=percent, stage=stage)


def compute_queued_theme_run(run_id: int) -> ThemeRun:
    """The background job's work: read, reuse a run with the same input and parameters, or
    fit; with progress. A failure leaves a failed run with the reason, never a running one.
    Claimed first and written only while still this worker's, as the opinion map's
    (:mod:`cityforum.synthesis.runs`); a run that is not this worker's is returned as it
    stands."""
    run = runs.claim(ThemeRun, run_id)
    if run is None:  # taken by another worker, finished, or failed: as it stands
        return ThemeRun.objects.get(pk=run_id)
    try:
        return _compute_theme_run(run)
    except runs.LeaseLost:  # another worker took the run after this one's lease passed
        return ThemeRun.objects.get(pk=run_id)


def _compute_theme_run(run: ThemeRun) -> ThemeRun:
    try:
        _progress(run, 5, "reading")
        data = read_themes_input(run.consultation)
        if len(data.ids) < MIN_CONTRIBUTIONS:
            raise _too_few(len(data.ids))
        run.input_sha256, run.n_contributions = data.sha256, len(data.ids)
        reused = _reusable(run.consultation, data.sha256, run.parameters)
        if reused is not None:
            full = ThemeRun.objects.only("result", "assignment").get(pk=reused.pk)
            result, assignment, verb = full.result, full.assignment, "synthesis.themes_reuse"
        else:
            _progress(run, 20, "fitting")
            result, assignment = _fit(data, run.parameters)
            verb = "synthesis.themes_run"
        _progress(run, 90, "saving")
        with transaction.atomic():
            runs.hold(run)  # still this worker's run, locked until the result is written
            run.result, run.assignment = result, assignment
            run.status, run.progress, run.stage = ThemeRun.Status.DONE, 100, "done"
            run.error, run.finished_at = "", timezone.now()
            run.save()
            record(
                verb,
                run,
                actor=run.requested_by,
                consultation=run.consultation_id,
                input_sha256=run.input_sha256,
                n_contributions=run.n_contributions,
                n_themes=run.n_themes,
                reused_run=reused.pk if reused is not None else None,
            )
    except runs.LeaseLost:
        raise  # no longer this worker's run: nothing to write
    except Exception as error:  # the job must leave a failed run, never a running one
        run.status, run.stage = ThemeRun.Status.FAILED, "failed"
        run.error = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        run.finished_at = timezone.now()
        with transaction.atomic():
            runs.hold(run)
            run.save(update_fields=["status", "stage", "error", "finished_at"])
            record("synthesis.themes_fail", run, reason=run.error[:500])
        if not isinstance(error, ValidationError):
            raise
    return run


def approve_themes(run: ThemeRun, *, by: Any) -> ThemeRun:
    """Make ``run`` public: organisers only, finished runs only, once. The capitals profile of
    the contributions in scope is kept with it, as it is at the approval."""
    if not rules.test_rule("synthesis.approve_themes", by, run):
        raise PermissionDenied(_("Only organisers may approve a synthesis."))
    if run.status != ThemeRun.Status.DONE:
        raise ValidationError(_("Only a finished synthesis can be approved."), code="not_done")
    if run.is_approved:
        raise ValidationError(_("This synthesis is already approved."), code="approved")
    with transaction.atomic():
        run.approved_by = by
        run.approved_at = timezone.now()
        run.capitals_profile = capitals_profile(run.consultation).as_dict()
        run.save(update_fields=["approved_by", "approved_at", "capitals_profile"])
        record(
            "synthesis.themes_approve",
            run,
            actor=by,
            input_sha256=run.input_sha256,
            reviewed=run.is_reviewed,
        )
    return run


def reopen_themes(run: ThemeRun, *, by: Any, reason: Any = "") -> ThemeRun:
    """Withdraw an approval so that the synthesis can be reviewed again; until it is approved
    again, the public sees the scope's previous approved synthesis, if any."""
    if not rules.test_rule("synthesis.review_themes", by, run):
        raise PermissionDenied(_("Only organisers may reopen a synthesis."))
    if not run.is_approved:
        raise ValidationError(_("This synthesis is not approved: nothing to reopen."), code="open")
    reason = str(reason or "").strip()
    if len(reason) > 1000:
        raise ValidationError(_("The reason is at most 1,000 characters."), code="reason")
    with transaction.atomic():
        previous = {
            "approved_by": getattr(run.approved_by, "pk", None),
            "approved_at": run.approved_at.isoformat() if run.approved_at else None,
        }
        run.approved_by = None
        run.approved_at = None
        run.capitals_profile = None
        run.save(update_fields=["approved_by", "approved_at", "capitals_profile"])
        record("synthesis.themes_reopen", run, actor=by, reason=reason, **previous)
    return run


def latest_approved(consultation: Consultation | None = None) -> ThemeRun | None:
    """The most recently approved finished run of this scope (what the public sees)."""
    return (
        ThemeRun.objects.filter(
            consultation=consultation, status=ThemeRun.Status.DONE, approved_at__isnull=False
        )
        .select_related("approved_by", "consultation")
        .defer("assignment")
        .order_by("-approved_at", "-pk")
        .first()
    )


def pending_runs(limit: int = 10, consultation: Any = ...) -> list[ThemeRun]:
    """Runs awaiting approval (queued, running, finished or failed), newest first; organisers
    see them. ``consultation``: only that scope (``None``: all consultations)."""
    runs = ThemeRun.objects.filter(approved_at__isnull=True)
    if consultation is not ...:
        runs = runs.filter(consultation=consultation)
    return list(
        runs.select_related("consultation")
        .defer("result", "assignment", "reviewed")
        .order_by("-created_at", "-pk")[:limit]
    )
