"""Pages about capital tags: the suggestions shown while writing (an htmx fragment; the form
works without it), the moderators' and organisers' review of a consultation's tags, training
the classifier, and the capitals profile that the synthesis pages show."""

from __future__ import annotations

from typing import Any

import rules
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cityforum.participation.models import Contribution, Visibility
from cityforum.programme.models import Capital, Consultation, Status

from .models import CapitalTag
from .services import (
    MIN_PROFILE,
    MIN_TRAINING,
    UNDER_FRACTION,
    capitals_profile,
    confirm_capitals,
    confirmed_tags,
    current_classifier,
    suggest_for_text,
    suggest_many,
    train_capital_classifier,
)

PAGE_SIZE = 50


def _names() -> dict[str, str]:
    return {c.code: str(c.name) for c in Capital.objects.all()}


def profile_context(consultation: Consultation | None) -> dict[str, Any]:
    """The capitals profile of the visible contributions in scope, for a page: one row per
    capital, and the capitals under half an even share while the consultation is open."""
    profile = capitals_profile(consultation)
    names = _names()
    shares = profile.shares
    largest = max(shares.values(), default=0.0) or 1.0
    under = set(profile.under)
    rows = [
        {
            "code": code,
            "name": names.get(code, code),
            "count": profile.counts.get(code, 0),
            "percent": round(100 * share),
            "width": round(100 * share / largest),
            "under": code in under,
        }
        for code, share in shares.items()
    ]
    is_open = consultation is not None and consultation.status == Status.OPEN
    return {
        "profile": profile,
        "profile_rows": rows,
        "profile_open": is_open,
        "profile_alert": [r["name"] for r in rows if r["under"]] if is_open else [],
        "profile_threshold": round(100 * profile.threshold),
        "profile_even": round(100 * profile.threshold / UNDER_FRACTION),
        "profile_min": MIN_PROFILE,
    }


def _suggestion_context(suggestion: Any) -> dict[str, Any]:
    names = _names()
    return {
        "suggestion": suggestion,
        "suggested": [
            {
                "code": code,
                "name": names.get(code, code),
                "percent": round(100 * suggestion.scores[code]),
            }
            for code in suggestion.capitals
        ],
    }


def suggest(request: HttpRequest) -> HttpResponse:
    """The capitals suggested for the title and text being written (htmx fragment)."""
    if not rules.test_rule("synthesis.suggest_capitals", request.user, None):
        raise PermissionDenied(_("Sign in to get capital suggestions."))
    data = request.POST if request.method == "POST" else request.GET
    suggestion = suggest_for_text(
        data.get("title", "")[:1000], data.get("body", "")[:10_000], data.get("language", "")
    )
    return render(request, "synthesis/_capital_suggestions.html", _suggestion_context(suggestion))


def _consultation(slug: str) -> Consultation:
    consultation = (
        Consultation.objects.select_related("region", "forum")
        .filter(slug=slug)
        .order_by("-forum__edition")
        .first()
    )
    if consultation is None:
        raise Http404(_("No consultation is called “%(slug)s”.") % {"slug": slug})
    return consultation


def review_capitals_page(request: HttpRequest, consultation_slug: str) -> HttpResponse:
    """Moderators and organisers confirm or correct the capitals of a consultation's visible
    contributions; unconfirmed ones first (``?show=all`` lists every one)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    consultation = _consultation(consultation_slug)
    if not rules.test_rule("synthesis.review_capitals", request.user, consultation):
        raise PermissionDenied(
            _("Only organisers and the consultation's moderators confirm capitals.")
        )
    show_all = request.GET.get("show") == "all"
    rows = (
        Contribution.objects.filter(consultation=consultation, status=Visibility.VISIBLE)
        .prefetch_related("capitals")
        .order_by("-created_at", "-pk")
    )
    if not show_all:
        rows = rows.exclude(capital_tags__isnull=False)
    contributions = list(rows[:PAGE_SIZE])
    tags = confirmed_tags([c.pk for c in contributions])
    suggestions = suggest_many(
        [f"{c.title}\n{c.body}" for c in contributions], [c.language for c in contributions]
    )
    names = _names()
    items = []
    for contribution, suggestion in zip(contributions, suggestions, strict=True):
        author = sorted(c.code for c in contribution.capitals.all())
        tag = tags.get(contribution.pk)
        items.append(
            {
                "contribution": contribution,
                "author": [names.get(c, c) for c in author],
                "tag": tag,
                "tag_names": [names.get(c, c) for c in tag.capitals] if tag else [],
                "checked": list(tag.capitals) if tag else author,
                **_suggestion_context(suggestion),
            }
        )
    stored, _model = current_classifier()
    return render(
        request,
        "synthesis/capitals_review.html",
        {
            "consultation": consultation,
            "items": items,
            "show_all": show_all,
            "capitals": Capital.objects.all(),
            "classifier": stored,
            "may_train": rules.test_rule("synthesis.train_capitals", request.user, None),
            "min_training": MIN_TRAINING,
            "n_confirmed": CapitalTag.objects.values("contribution_id").distinct().count(),
            **profile_context(consultation),
        },
    )


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm or correct one contribution's capitals, then back to the review page."""
    contribution = get_object_or_404(Contribution.objects.select_related("consultation"), pk=pk)
    try:
        tag = confirm_capitals(contribution, request.POST.getlist("capitals"), by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Capitals of “%(title)s” confirmed (%(source)s).")
            % {"title": contribution.title, "source": tag.get_source_display()},
        )
    default = reverse("synthesis:capitals_review", args=[contribution.consultation.slug])
    return redirect(_back(request, default))


@require_POST
def train(request: HttpRequest) -> HttpResponse:
    """Organisers train the capital classifier on every confirmed tag."""
    try:
        stored = train_capital_classifier(by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        top1 = stored.metrics.get("top1", {})
        messages.success(
            request,
            _(
                "The classifier learned from %(n)d contributions. First suggestion among the "
                "confirmed capitals, by cross-validation: lexicon %(lexicon)d %%, classifier "
                "%(classifier)d %%, blend used (weight %(weight)s) %(blend)d %%."
            )
            % {
                "n": stored.n_contributions,
                "lexicon": round(100 * top1.get("lexicon", 0)),
                "classifier": round(100 * top1.get("classifier", 0)),
                "weight": stored.weight,
                "blend": round(100 * top1.get(f"blend_{stored.weight}", 0)),
            },
        )
    return redirect(_back(request, reverse("synthesis:themes")))
