"""The themes synthesis in the platform (issue 5): compute, reuse, approve, read.

:func:`run_themes` reads the visible contributions of one consultation (or of all of them),
fits :class:`cityforum.analysis.themes.Themes`, measures each theme's prevalence per region,
the global trends and the regional specificities (:mod:`cityforum.analysis.trends`), and stores
one :class:`~.themes_models.ThemeRun` whose every claim lists the contribution ids behind it.
A finished run with the same input checksum and parameters is returned instead. Only a run an
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

from cityforum.analysis.text import CONCEPT_PREFIX, lexicon
from cityforum.analysis.themes import LABEL_LANGUAGES, Themes
from cityforum.analysis.trends import global_trends, prevalence, specificities
from cityforum.core.audit import record
from cityforum.participation.models import Contribution, Visibility
from cityforum.programme.models import Consultation, Region

from . import rules as _rules  # noqa: F401  (registers the named rules)
from .services import MAX_SEED, engine_version
from .themes_models import ThemeRun

#: Fewer visible contributions than this give no themes worth reading.
MIN_CONTRIBUTIONS = 20
MAX_THEMES = 30
QUOTE_CHARS = 400
NO_REGION = "none"


@dataclass(frozen=True)
class ThemesInput:
    ids: list[int]
    texts: list[str]
    languages: list[str]
    regions: list[str]
    sha256: str


def read_themes_input(consultation: Consultation | None) -> ThemesInput:
    """The visible contributions in id order, each text its title and body; region codes
    (a contribution without one takes its consultation's region, else ``"none"``)."""
    rows = Contribution.objects.filter(status=Visibility.VISIBLE)
    if consultation is not None:
        rows = rows.filter(consultation=consultation)
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
    for run in ThemeRun.objects.filter(
        consultation=consultation, status=ThemeRun.Status.DONE, input_sha256=sha256
    ).order_by("-finished_at", "-pk"):
        if run.parameters == parameters:
            return run
    return None


def _concept_labels(key: str) -> dict[str, str]:
    if key.startswith(CONCEPT_PREFIX):
        concept = lexicon().concepts.get(key[len(CONCEPT_PREFIX) :])
        if concept is not None:
            return {lang: concept.name(lang) for lang in LABEL_LANGUAGES}
    return {lang: key for lang in LABEL_LANGUAGES}


def _ids(ids: Sequence[int], indices: Sequence[int]) -> list[int]:
    return [ids[i] for i in indices]


def compute_result(data: ThemesInput, parameters: dict[str, Any]) -> dict[str, Any]:
    """The stored document: themes, trends and specificities, each with its contribution ids."""
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
            labels = themes[int(s.key)]["labels"] if kind == "theme" else _concept_labels(s.key)
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
    return {
        "themes": themes,
        "trends": trends,
        "specificities": specific,
        "regions": regions,
        "converged": model.converged_,
    }


def run_themes(
    scope: Consultation | None, *, by: Any = None, n_themes: Any = None, seed: Any = 0
) -> ThemeRun:
    """Compute (or reuse) the themes of ``scope``'s visible contributions (``None``: all
    consultations). ``by`` is the organiser asking; ``None`` the operator at the command line.
    Too few contributions raise :class:`ValidationError` and store nothing."""
    if by is not None and not rules.test_rule("synthesis.run", by, scope):
        raise PermissionDenied(_("Only organisers may compute the themes."))
    data = read_themes_input(scope)
    if len(data.ids) < MIN_CONTRIBUTIONS:
        raise ValidationError(
            _("The themes need at least %(min)d visible contributions; there are %(n)d.")
            % {"min": MIN_CONTRIBUTIONS, "n": len(data.ids)},
            code="too_few",
        )
    parameters = themes_parameters(n_themes, seed, len(data.ids))
    reused = _reusable(scope, data.sha256, parameters)
    if reused is not None:
        return reused
    try:
        result = compute_result(data, parameters)
    except ValueError as error:
        raise ValidationError(
            _("No themes could be found in these contributions: %(error)s") % {"error": error},
            code="no_themes",
        ) from error
    with transaction.atomic():
        run = ThemeRun.objects.create(
            consultation=scope,
            status=ThemeRun.Status.DONE,
            parameters=parameters,
            seed=parameters["seed"],
            input_sha256=data.sha256,
            n_contributions=len(data.ids),
            engine_version=engine_version(),
            result=result,
            requested_by=by if getattr(by, "pk", None) else None,
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


def approve_themes(run: ThemeRun, *, by: Any) -> ThemeRun:
    """Make ``run`` public: organisers only, finished runs only, once."""
    if not rules.test_rule("synthesis.approve_themes", by, run):
        raise PermissionDenied(_("Only organisers may approve a synthesis."))
    if run.status != ThemeRun.Status.DONE:
        raise ValidationError(_("Only a finished synthesis can be approved."), code="not_done")
    if run.is_approved:
        raise ValidationError(_("This synthesis is already approved."), code="approved")
    with transaction.atomic():
        run.approved_by = by
        run.approved_at = timezone.now()
        run.save(update_fields=["approved_by", "approved_at"])
        record("synthesis.themes_approve", run, actor=by, input_sha256=run.input_sha256)
    return run


def latest_approved(consultation: Consultation | None = None) -> ThemeRun | None:
    """The most recently approved finished run of this scope (what the public sees)."""
    return (
        ThemeRun.objects.filter(
            consultation=consultation, status=ThemeRun.Status.DONE, approved_at__isnull=False
        )
        .select_related("approved_by", "consultation")
        .order_by("-approved_at", "-pk")
        .first()
    )


def pending_runs(limit: int = 10) -> list[ThemeRun]:
    """Finished runs awaiting approval, newest first (organisers see them)."""
    return list(
        ThemeRun.objects.filter(status=ThemeRun.Status.DONE, approved_at__isnull=True)
        .select_related("consultation")
        .defer("result")
        .order_by("-finished_at", "-pk")[:limit]
    )
