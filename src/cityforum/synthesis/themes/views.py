"""Pages of the themes synthesis: the whole programme's (every consultation, each contribution's
region as its region), one consultation's, a run by id (unapproved runs: organisers only), and
the organisers' Approve and Compute buttons.

Pages read the reviewed result (:meth:`ThemeRun.published`) and show only the kept themes.
"""

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
from cityforum.programme.models import Consultation
from cityforum.synthesis.capitals.views import profile_context

from .heatmap import heat_map
from .models import ThemeRun
from .review import public_themes, term_labels
from .services import approve_themes, latest_approved, pending_runs, run_themes


def _language() -> str:
    code = (get_language() or "en")[:2]
    return code if code in LABEL_LANGUAGES else "en"


def _may_approve(request: HttpRequest) -> bool:
    return bool(rules.test_rule("synthesis.approve_themes", request.user, None))


def _percent(x: float) -> str:
    return f"{100 * x:.0f}"


def _consultation(slug: str) -> Consultation:
    consultation = (
        Consultation.objects.select_related("forum", "region")
        .filter(slug=slug)
        .order_by("-forum__edition")
        .first()
    )
    if consultation is None:
        raise Http404(_("No consultation is called “%(slug)s”.") % {"slug": slug})
    return consultation


def _trend_words(trend: dict[str, Any], label: str, regions: dict[str, str]) -> str:
    present = ", ".join(regions.get(r, r) for r in trend["regions_present"])
    absent = ", ".join(regions.get(r, r) for r in trend["regions_absent"])
    values = {
        "label": label,
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
    return words


def _specificity_words(s: dict[str, Any], lang: str, regions: dict[str, str]) -> str:
    values = {
        "region": regions.get(s["region"], s["region"]),
        "label": s["labels"].get(lang) or s["key"],
        "z": f"{s['z']:.1f}",
        "count": s["count"],
        "rest": s["count_rest"],
    }
    if s["kind"] == "theme":
        return (
            _(
                "In %(region)s, the theme “%(label)s” comes up more than elsewhere "
                "(z = %(z)s; %(count)d contributions there, %(rest)d in the other regions)."
            )
            % values
        )
    return (
        _(
            "In %(region)s, “%(label)s” is said more than elsewhere "
            "(z = %(z)s; %(count)d mentions there, %(rest)d in the other regions)."
        )
        % values
    )


def page_context(run: ThemeRun) -> dict[str, Any]:
    """What the page shows, in the reader's language; quotes stay in their own language."""
    lang = _language()
    document = run.published()
    regions = {code: names.get(lang, code) for code, names in document.get("regions", {}).items()}
    kept = public_themes(document)
    labels = {t["id"]: t["labels"].get(lang) or t["labels"].get("en", "") for t in kept}
    themes = [
        {
            "id": theme["id"],
            "label": labels[theme["id"]],
            "size": theme["size"],
            "percent": _percent(theme["size"] / max(run.n_contributions, 1)),
            "terms": [term_labels(t)[lang] for t in theme["terms"][:6]],
            "quotes": [
                {
                    **quote,
                    "region_name": regions.get(quote["region"], quote["region"]),
                    "url": reverse("participation:contribution", args=[quote["contribution"]]),
                }
                for quote in theme["quotes"]
            ],
        }
        for theme in kept
    ]
    trends = [
        {
            "is_global": trend["is_global"],
            "words": _trend_words(trend, labels.get(trend["theme"], ""), regions),
        }
        for trend in document.get("trends", [])
        if trend["theme"] in labels
    ]
    specific = [
        {"region": s["region"], "kind": s["kind"], "words": _specificity_words(s, lang, regions)}
        for s in document.get("specificities", [])
    ]
    n_rejected = sum(1 for t in document.get("themes", []) if t.get("status") == "rejected")
    return {
        "run": run,
        "themes": themes,
        "trends": trends,
        "specificities": specific,
        "n_regions": len(regions),
        "heatmap": heat_map(kept, labels, regions),
        "n_rejected": n_rejected,
        "n_changes": run.reviews.filter(undone_at__isnull=True).count(),
    }


def themes_page(request: HttpRequest) -> HttpResponse:
    """The latest approved synthesis of all consultations; organisers also see pending runs."""
    run = latest_approved(None)
    may_approve = _may_approve(request)
    pending = pending_runs() if may_approve else []
    context: dict[str, Any] = {
        "pending": pending,
        "may_approve": may_approve,
        "run": None,
        "consultations": Consultation.objects.order_by("forum", "order") if may_approve else [],
        **profile_context(None),
    }
    if run is not None:
        context.update(page_context(run))
    status = 404 if run is None and not pending else 200
    return render(request, "synthesis/themes.html", context, status=status)


def consultation_themes_page(request: HttpRequest, consultation_slug: str) -> HttpResponse:
    """One consultation: its capitals profile now (with the under-representation alert while
    it is open) and its latest approved synthesis; organisers also see its pending runs."""
    consultation = _consultation(consultation_slug)
    run = latest_approved(consultation)
    may_approve = _may_approve(request)
    context: dict[str, Any] = {
        "consultation": consultation,
        "pending": pending_runs(consultation=consultation) if may_approve else [],
        "may_approve": may_approve,
        "run": None,
        **profile_context(consultation),
    }
    if run is not None:
        context.update(page_context(run))
    return render(request, "synthesis/consultation_themes.html", context)


def theme_run_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One run: public once approved, before that organisers only (others get 404)."""
    run = get_object_or_404(
        ThemeRun.objects.select_related("approved_by", "consultation").defer("assignment"), pk=pk
    )
    may_approve = _may_approve(request)
    if run.status != ThemeRun.Status.DONE or (not run.is_approved and not may_approve):
        raise Http404(_("No approved synthesis has this number."))
    context = {
        "pending": [],
        "may_approve": may_approve,
        "consultation": run.consultation,
        **page_context(run),
    }
    return render(request, "synthesis/themes.html", context)


def _scope_page(run: ThemeRun) -> str:
    if run.consultation_id is None:
        return reverse("synthesis:themes")
    return reverse("synthesis:consultation_themes", args=[run.consultation.slug])


@require_POST
def approve_theme_run(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(ThemeRun.objects.select_related("consultation"), pk=pk)
    try:
        approve_themes(run, by=request.user)
    except PermissionDenied:
        raise
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The synthesis is approved and now public."))
    return redirect(_scope_page(run))


def _whole_number(value: str, field: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        if field == "seed":
            message = _("The seed is a whole number, not “%(value)s”.")
        else:
            message = _("The number of themes is a whole number, not “%(value)s”.")
        raise ValidationError(message % {"value": value}, code=field) from None


@require_POST
def compute_themes(request: HttpRequest) -> HttpResponse:
    """Organisers start a synthesis (all consultations, or one) for the background worker."""
    if not rules.test_rule("synthesis.run", request.user, None):
        raise PermissionDenied(_("Only organisers may compute the themes."))
    slug = request.POST.get("consultation", "").strip()
    scope = _consultation(slug) if slug else None
    back = reverse("synthesis:consultation_themes", args=[slug]) if slug else None
    try:
        n_themes = _whole_number(request.POST.get("themes", ""), "themes")
        seed = _whole_number(request.POST.get("seed", ""), "seed")
        run = run_themes(
            scope,
            by=request.user,
            n_themes=n_themes,
            seed=0 if seed is None else seed,
            background=True,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Synthesis no. %(id)d is being computed; this page shows its progress.")
            % {"id": run.pk},
        )
    return redirect(back or reverse("synthesis:themes"))
