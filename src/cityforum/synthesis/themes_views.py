"""Pages of the themes synthesis: the latest approved run across all consultations, a run by id
(unapproved runs: organisers only) and the organisers' Approve button."""

from __future__ import annotations

from typing import Any

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cityforum.analysis.themes import LABEL_LANGUAGES

from .themes_models import ThemeRun
from .themes_services import _concept_labels, approve_themes, latest_approved, pending_runs


def _language() -> str:
    code = (get_language() or "en")[:2]
    return code if code in LABEL_LANGUAGES else "en"


def _may_approve(request: HttpRequest) -> bool:
    return bool(rules.test_rule("synthesis.approve_themes", request.user, None))


def _percent(x: float) -> str:
    return f"{100 * x:.0f}"


def page_context(run: ThemeRun) -> dict[str, Any]:
    """What the page shows, in the reader's language; quotes stay in their own language."""
    lang = _language()
    result = run.result or {}
    regions = {code: names.get(lang, code) for code, names in result.get("regions", {}).items()}
    themes = []
    labels: dict[int, str] = {}
    for theme in result.get("themes", []):
        label = theme["labels"].get(lang) or theme["labels"].get("en", "")
        labels[theme["id"]] = label
        themes.append(
            {
                "id": theme["id"],
                "label": label,
                "size": theme["size"],
                "percent": _percent(theme["size"] / max(run.n_contributions, 1)),
                "terms": [_concept_labels(t)[lang] for t in theme["terms"][:6]],
                "quotes": [
                    {
                        **quote,
                        "region_name": regions.get(quote["region"], quote["region"]),
                        "url": reverse("participation:contribution", args=[quote["contribution"]]),
                    }
                    for quote in theme["quotes"]
                ],
            }
        )
    trends = []
    for trend in result.get("trends", []):
        present = ", ".join(regions.get(r, r) for r in trend["regions_present"])
        absent = ", ".join(regions.get(r, r) for r in trend["regions_absent"])
        values = {
            "label": labels.get(trend["theme"], ""),
            "k": len(trend["regions_present"]),
            "n": trend["regions_total"],
            "present": present or "—",
            "absent": absent,
            "percent": _percent(trend["overall"]),
            "evenness": f"{trend['evenness']:.2f}",
        }
        if trend["is_global"]:
            words = (
                _(
                    "“%(label)s” is a global trend: present in %(k)d of %(n)d regions "
                    "(%(present)s), in %(percent)s%% of all contributions; evenness %(evenness)s."
                )
                % values
            )
        else:
            words = (
                _(
                    "“%(label)s” is not a global trend: present in %(k)d of %(n)d regions "
                    "(%(present)s), in %(percent)s%% of all contributions; evenness %(evenness)s."
                )
                % values
            )
        if absent:
            words += " " + _("Absent in: %(absent)s.") % values
        trends.append({"is_global": trend["is_global"], "words": words})
    specific = []
    for s in result.get("specificities", []):
        values = {
            "region": regions.get(s["region"], s["region"]),
            "label": s["labels"].get(lang) or s["key"],
            "z": f"{s['z']:.1f}",
            "count": s["count"],
            "rest": s["count_rest"],
        }
        if s["kind"] == "theme":
            words = (
                _(
                    "In %(region)s, the theme “%(label)s” comes up more than elsewhere "
                    "(z = %(z)s; %(count)d contributions there, %(rest)d in the other regions)."
                )
                % values
            )
        else:
            words = (
                _(
                    "In %(region)s, “%(label)s” is said more than elsewhere "
                    "(z = %(z)s; %(count)d mentions there, %(rest)d in the other regions)."
                )
                % values
            )
        specific.append({"region": s["region"], "kind": s["kind"], "words": words})
    return {
        "run": run,
        "themes": themes,
        "trends": trends,
        "specificities": specific,
        "n_regions": len(regions),
    }


def themes_page(request: HttpRequest) -> HttpResponse:
    """The latest approved synthesis of all consultations; organisers also see pending runs."""
    run = latest_approved(None)
    may_approve = _may_approve(request)
    pending = pending_runs() if may_approve else []
    context: dict[str, Any] = {"pending": pending, "may_approve": may_approve, "run": None}
    if run is not None:
        context.update(page_context(run))
    status = 404 if run is None and not pending else 200
    return render(request, "synthesis/themes.html", context, status=status)


def theme_run_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One run: public once approved, before that organisers only (others get 404)."""
    run = get_object_or_404(ThemeRun.objects.select_related("approved_by"), pk=pk)
    may_approve = _may_approve(request)
    if run.status != ThemeRun.Status.DONE or (not run.is_approved and not may_approve):
        raise Http404(_("No approved synthesis has this number."))
    context = {"pending": [], "may_approve": may_approve, **page_context(run)}
    return render(request, "synthesis/themes.html", context)


@require_POST
def approve_theme_run(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(ThemeRun, pk=pk)
    try:
        approve_themes(run, by=request.user)
    except PermissionDenied:
        raise
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The synthesis is approved and now public."))
    return redirect("synthesis:themes")
