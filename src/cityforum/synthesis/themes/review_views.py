"""The organisers' review page of a themes synthesis, and one POST per review action.

Plain forms with CSRF; every change goes through :mod:`.review_services`, so the page, the
tests and any future API behave the same. Others than organisers get 404 for the page (a run
under review is not public) and 403 for the actions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import rules
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cityforum.analysis.themes import LABEL_LANGUAGES

from . import review_services as review
from .models import ThemeReview, ThemeRun
from .review import LABEL_MAX, LANGUAGE_NAMES, term_labels
from .services import reopen_themes
from .views import _language


def _labels(request: HttpRequest, prefix: str = "label") -> dict[str, str]:
    return {lang: request.POST.get(f"{prefix}_{lang}", "") for lang in LABEL_LANGUAGES}


def _log_words(step: ThemeReview) -> str:
    data = step.data
    if step.action == ThemeReview.Action.RENAME:
        return _("Theme no. %(id)d renamed “%(label)s”.") % {
            "id": data["theme"],
            "label": " / ".join(data["labels"][lang] for lang in LABEL_LANGUAGES),
        }
    if step.action == ThemeReview.Action.MERGE:
        return _("Theme no. %(id)d merged into theme no. %(into)d.") % {
            "id": data["theme"],
            "into": data["into"],
        }
    if step.action == ThemeReview.Action.SPLIT:
        return _("Theme no. %(id)d split: the contributions about %(words)s form a new theme.") % {
            "id": data["theme"],
            "words": ", ".join(term_labels(t)[_language()] for t in data["terms"]),
        }
    if step.action == ThemeReview.Action.REJECT:
        return _("Theme no. %(id)d rejected.") % {"id": data["theme"]}
    return _("Theme no. %(id)d restored.") % {"id": data["theme"]}


def review_page(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(
        ThemeRun.objects.select_related("approved_by", "consultation").defer("assignment"), pk=pk
    )
    if not rules.test_rule("synthesis.review_themes", request.user, run) or (
        run.status != ThemeRun.Status.DONE
    ):
        raise Http404(_("No synthesis under review has this number."))
    lang = _language()
    document = run.published()
    regions = {code: names.get(lang, code) for code, names in document.get("regions", {}).items()}
    themes = []
    all_themes = document.get("themes", [])
    alive = [t for t in all_themes if t.get("status", "kept") != "merged"]
    for theme in all_themes:
        status = theme.get("status", "kept")
        themes.append(
            {
                **theme,
                "status": status,
                "label": theme["labels"].get(lang) or theme["labels"].get("en", ""),
                "label_fields": [
                    (code, LANGUAGE_NAMES[code], theme["labels"].get(code, ""))
                    for code in LABEL_LANGUAGES
                ],
                "term_choices": [
                    {"key": t, "label": term_labels(t)[lang], "weight": f"{w:.2f}"}
                    for t, w in zip(
                        theme["terms"],
                        theme.get("term_weights") or [1.0] * len(theme["terms"]),
                        strict=True,
                    )
                ],
                "others": [
                    {"id": o["id"], "label": o["labels"].get(lang, "")}
                    for o in alive
                    if o["id"] != theme["id"] and o.get("status", "kept") == "kept"
                ],
                "presence": ", ".join(
                    f"{regions.get(r, r)} {p['count']}/{p['total']}"
                    for r, p in theme.get("prevalence", {}).items()
                ),
                "quotes": theme.get("quotes", [])[:2],
            }
        )
    log = list(run.reviews.select_related("by", "undone_by").order_by("created_at", "pk"))
    context = {
        "run": run,
        "themes": themes,
        "label_languages": [(code, LANGUAGE_NAMES[code]) for code in LABEL_LANGUAGES],
        "label_max": LABEL_MAX,
        "reviewable": ThemeRun.objects.filter(pk=run.pk, assignment__isnull=False).exists(),
        "log": [{"step": step, "words": _log_words(step)} for step in log],
        "has_active": any(step.undone_at is None for step in log),
    }
    return render(request, "synthesis/review.html", context)


ACTIONS: dict[str, Callable[[HttpRequest, ThemeRun], Any]] = {
    "rename": lambda request, run: review.rename_theme(
        run, request.POST.get("theme"), _labels(request), by=request.user
    ),
    "merge": lambda request, run: review.merge_themes(
        run,
        request.POST.get("theme"),
        request.POST.get("into"),
        by=request.user,
        labels=_labels(request),
    ),
    "split": lambda request, run: review.split_theme(
        run,
        request.POST.get("theme"),
        request.POST.getlist("terms"),
        by=request.user,
        labels=_labels(request),
    ),
    "reject": lambda request, run: review.reject_theme(
        run, request.POST.get("theme"), by=request.user, reason=request.POST.get("reason", "")
    ),
    "restore": lambda request, run: review.restore_theme(
        run, request.POST.get("theme"), by=request.user
    ),
    "undo": lambda request, run: review.undo_last_review(run, by=request.user),
    "reopen": lambda request, run: reopen_themes(
        run, by=request.user, reason=request.POST.get("reason", "")
    ),
}

DONE = {
    "rename": gettext_lazy("The theme is renamed."),
    "merge": gettext_lazy("The themes are merged."),
    "split": gettext_lazy("The theme is split in two."),
    "reject": gettext_lazy("The theme is rejected: it is no longer shown to the public."),
    "restore": gettext_lazy("The theme is restored."),
    "undo": gettext_lazy("The last change is undone."),
    "reopen": gettext_lazy("The synthesis is reopened for review; it is no longer public."),
}


@require_POST
def review_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404(_("No such review action."))
    run = get_object_or_404(ThemeRun.objects.defer("assignment"), pk=pk)
    try:
        ACTIONS[action](request, run)
    except ValidationError as error:
        for problem in error.messages:
            messages.error(request, problem)
    else:
        messages.success(request, str(DONE[action]))
    return redirect("synthesis:review_themes", pk=run.pk)
