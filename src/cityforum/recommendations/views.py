"""The recommendations' pages: the list (filters by capital, line, addressee, status), one
recommendation (evidence quoted in its original language, regions and constituencies behind
it, support by constituency and world section, status log), the forms to write, promote,
edit, translate, link evidence, change status and endorse, and the balance matrix.

Plain forms that work without JavaScript: every write is a POST to a service, answered by a
redirect with a message saying what happened or why not; a form with bad input is shown
again with the service's messages beside the fields. The line/capital suggestion is an htmx
enhancement of the writing form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cityforum.core.languages import active_language
from cityforum.participation.models import Contribution
from cityforum.people.models import Organisation
from cityforum.programme.models import Capital, Region

from . import services
from .balance import balance
from .forms import (
    EvidenceForm,
    FilterForm,
    PromoteForm,
    RecommendationForm,
    StatusForm,
    TranslationForm,
)
from .models import Addressee, Evidence, Line, Recommendation, RecommendationEndorsement
from .suggestions import suggest
from .support import UNKNOWN, support, support_many

LANGUAGE_NAMES = {
    "fr": "Français",
    "en": "English",
    "es": "Español",
    "ca": "Català",
    "pt": "Português",
}


def _error(request: HttpRequest, error: Exception) -> None:
    if isinstance(error, ValidationError):
        messages.error(request, " ".join(str(m) for m in error.messages))
    else:
        messages.error(request, str(error) or _("You may not do this."))


def _act(request: HttpRequest, action: Callable[[], Any], done: str) -> bool:
    """Run a service; put its success or refusal in the messages; True when it worked."""
    try:
        action()
    except (ValidationError, PermissionDenied) as error:
        _error(request, error)
        return False
    messages.success(request, done)
    return True


def _components(recommendation: Recommendation | None = None) -> list[dict[str, str]]:
    consultations = list(recommendation.consultations.all()) if recommendation else []
    return services.pact_components(consultations)


def _component_names() -> dict[str, str]:
    language = active_language()
    return {c["code"]: c.get(language) or c.get("en") or c["code"] for c in _components()}


def _capital_names() -> dict[str, str]:
    return {c.code: str(c.name) for c in Capital.objects.all()}


def _region_names() -> dict[str, str]:
    return {r.code: str(r.name) for r in Region.objects.all()}


def _card(recommendation: Recommendation, backing: Any, language: str) -> dict[str, Any]:
    text, text_language = recommendation.text_for(language)
    return {
        "r": recommendation,
        "text": text,
        "text_language": text_language,
        "capitals": [str(c.name) for c in recommendation.capitals.all()],
        "support": backing,
    }


def _bind_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# --- reading ------------------------------------------------------------------------------------


def list_page(request: HttpRequest) -> HttpResponse:
    filters = FilterForm(request.GET or None)
    queryset = Recommendation.objects.select_related("region").prefetch_related("capitals")
    if filters.is_bound and filters.is_valid():
        data = filters.cleaned_data
        if data["capital"]:
            queryset = queryset.filter(capitals__code=data["capital"])
        for name in ("line", "addressee", "status"):
            if data[name]:
                queryset = queryset.filter(**{name: data[name]})
    items = list(queryset.distinct().order_by("-updated_at", "-pk"))
    backing = support_many(items)
    language = active_language()
    return render(
        request,
        "recommendations/list.html",
        {
            "filters": filters,
            "cards": [_card(r, backing[r.pk], language) for r in items],
            "may_draft": services.may(request.user, "recommendations.draft"),
            "may_propose": services.may(request.user, "recommendations.propose"),
        },
    )


def detail_page(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = get_object_or_404(
        Recommendation.objects.select_related(
            "region", "author", "source_contribution"
        ).prefetch_related("capitals", "consultations"),
        pk=pk,
    )
    language = active_language()
    backing = support(recommendation)
    user = request.user
    regions = _region_names()
    kinds = {**dict(Organisation.Kind.choices), UNKNOWN: _("no organisation")}
    evidence = [
        {
            "e": e,
            "regions": [regions.get(code, code) for code in e.regions or []],
            "constituencies": [
                (kinds.get(code, code), n) for code, n in sorted((e.constituencies or {}).items())
            ],
        }
        for e in recommendation.evidence.all()
    ]
    endorsed = bool(
        getattr(user, "is_authenticated", False)
        and RecommendationEndorsement.objects.filter(
            recommendation=recommendation, person=user
        ).exists()
    )
    return render(
        request,
        "recommendations/detail.html",
        {
            "card": _card(recommendation, backing, language),
            "r": recommendation,
            "component": _component_names().get(recommendation.pact_component, ""),
            "translations": [
                (code, LANGUAGE_NAMES[code], status, label, recommendation.text_in(code))
                for code, status, label in recommendation.translation_statuses()
            ],
            "original_language": LANGUAGE_NAMES.get(recommendation.language, ""),
            "evidence": evidence,
            "support": backing,
            "endorsed": endorsed,
            "changes": recommendation.status_changes.all(),
            "may_edit": services.may(user, "recommendations.edit", recommendation),
            "may_translate": services.may(user, "recommendations.translate", recommendation),
            "may_link": services.may(user, "recommendations.link_evidence", recommendation),
            "may_decide": services.may(user, "recommendations.decide", recommendation),
            "may_endorse": services.may(user, "recommendations.endorse", recommendation),
            "status_form": StatusForm(
                initial={"status": (services.TRANSITIONS[recommendation.status] or ("",))[0]}
            ),
            "evidence_form": EvidenceForm(),
            "translation_form": TranslationForm(),
        },
    )


def balance_page(request: HttpRequest) -> HttpResponse:
    result = balance()
    capitals = _capital_names()
    lines = dict(Line.choices)
    levels = dict(Addressee.choices)
    by_line = [
        (capitals.get(c, c), [row[code] for code in Line.values])
        for c, row in result.by_line.items()
    ]
    by_addressee = [
        (capitals.get(c, c), [row[code] for code in Addressee.values])
        for c, row in result.by_addressee.items()
    ]
    alerts = []
    for a in result.alerts:
        if a.kind == "empty":
            alerts.append(
                _("No recommendation for %(capital)s × %(line)s.")
                % {"capital": capitals.get(a.capital, a.capital), "line": lines[a.line]}
            )
        elif a.kind == "under":
            alerts.append(
                _(
                    "Only %(n)d recommendation(s) for %(capital)s × %(line)s: "
                    "under half the average cell."
                )
                % {
                    "n": a.count,
                    "capital": capitals.get(a.capital, a.capital),
                    "line": lines[a.line],
                }
            )
        else:
            alerts.append(
                _("%(capital)s is left behind: under half the average capital.")
                % {"capital": capitals.get(a.capital, a.capital)}
            )
    addressee_alerts = [
        (
            _("No recommendation for %(capital)s × %(level)s.")
            if a.kind == "empty"
            else _(
                "Only %(n)d recommendation(s) for %(capital)s × %(level)s: "
                "under half the average cell."
            )
        )
        % {"n": a.count, "capital": capitals.get(a.capital, a.capital), "level": levels[a.line]}
        for a in result.addressee_alerts
    ]
    bands = {"balanced": _("balanced"), "uneven": _("uneven"), "unbalanced": _("unbalanced")}
    return render(
        request,
        "recommendations/balance.html",
        {
            "result": result,
            "line_labels": [lines[c] for c in Line.values],
            "level_labels": [levels[c] for c in Addressee.values],
            "by_line": by_line,
            "by_addressee": by_addressee,
            "totals": [(capitals.get(c, c), n) for c, n in result.capital_totals.items()],
            "alerts": alerts,
            "addressee_alerts": addressee_alerts,
            "band": bands.get(result.index.band, "") if result.index else "",
        },
    )


# --- writing ------------------------------------------------------------------------------------


def _form_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "text": data.get("text", ""),
        "language": data.get("language", ""),
        "consultations": data.get("consultations") or [],
        "capitals": data.get("capitals") or [],
        "line": data.get("line", ""),
        "addressee": data.get("addressee", ""),
        "region": data.get("region") or None,
        "pact_component": data.get("pact_component", ""),
    }


def new_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    drafter = services.may(user, "recommendations.draft")
    if not drafter and not services.may(user, "recommendations.propose"):
        return redirect_to_login(request.get_full_path())
    language = active_language()
    form = RecommendationForm(
        request.POST or None,
        components=_components(),
        language=language,
        initial={"language": language},
    )
    if request.method == "POST":
        data = {
            **{k: request.POST.get(k, "") for k in ("text", "language", "line", "addressee")},
            "region": request.POST.get("region", ""),
            "pact_component": request.POST.get("pact_component", ""),
            "consultations": request.POST.getlist("consultations"),
            "capitals": request.POST.getlist("capitals"),
        }
        action = services.draft_recommendation if drafter else services.propose_recommendation
        try:
            recommendation = action(by=user, **_form_fields(data))
        except ValidationError as error:
            form = RecommendationForm(request.POST, components=_components(), language=language)
            form.is_valid()
            form.errors.clear()
            _bind_errors(form, error)
        except PermissionDenied as error:
            _error(request, error)
        else:
            messages.success(request, _("The recommendation is saved as a draft."))
            return redirect("recommendations:detail", recommendation.pk)
    return render(
        request,
        "recommendations/form.html",
        {"form": form, "drafter": drafter, "title": _("Write a recommendation")},
    )


def edit_page(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = get_object_or_404(Recommendation, pk=pk)
    if not services.may(request.user, "recommendations.edit", recommendation):
        raise PermissionDenied(_("You may not edit this recommendation."))
    language = active_language()
    initial = {
        "text": recommendation.text,
        "language": recommendation.language,
        "consultations": [str(c.pk) for c in recommendation.consultations.all()],
        "capitals": [c.code for c in recommendation.capitals.all()],
        "line": recommendation.line,
        "addressee": recommendation.addressee,
        "region": recommendation.region.code if recommendation.region_id else "",
        "pact_component": recommendation.pact_component,
    }
    form = RecommendationForm(
        components=_components(recommendation), language=language, initial=initial
    )
    version = recommendation.version
    if request.method == "POST":
        version = request.POST.get("version", "")
        data = {
            **{k: request.POST.get(k, "") for k in ("text", "language", "line", "addressee")},
            "region": request.POST.get("region", ""),
            "pact_component": request.POST.get("pact_component", ""),
            "consultations": request.POST.getlist("consultations"),
            "capitals": request.POST.getlist("capitals"),
        }
        try:
            services.update_recommendation(
                recommendation, by=request.user, expected_version=version, **_form_fields(data)
            )
        except ValidationError as error:
            form = RecommendationForm(
                request.POST, components=_components(recommendation), language=language
            )
            form.is_valid()
            form.errors.clear()
            _bind_errors(form, error)
        else:
            messages.success(request, _("The recommendation is saved."))
            return redirect("recommendations:detail", recommendation.pk)
    return render(
        request,
        "recommendations/form.html",
        {
            "form": form,
            "recommendation": recommendation,
            "version": version,
            "title": _("Edit the recommendation"),
        },
    )


def promote_page(request: HttpRequest, contribution_pk: int) -> HttpResponse:
    contribution = get_object_or_404(Contribution, pk=contribution_pk)
    if not services.may(request.user, "recommendations.draft"):
        raise PermissionDenied(_("Only organisers and moderators promote."))
    language = active_language()
    consultation = [contribution.consultation]
    components = services.pact_components(consultation)
    form = PromoteForm(request.POST or None, components=components, language=language)
    if request.method == "POST":
        try:
            recommendation = services.promote_contribution(
                contribution,
                by=request.user,
                line=request.POST.get("line", ""),
                addressee=request.POST.get("addressee", ""),
                pact_component=request.POST.get("pact_component", ""),
                capitals=request.POST.getlist("capitals") or None,
                region=request.POST.get("region") or None,
                text=request.POST.get("text") or None,
            )
        except ValidationError as error:
            form.is_valid()
            form.errors.clear()
            _bind_errors(form, error)
        else:
            messages.success(request, _("The contribution is now a recommendation (a draft)."))
            return redirect("recommendations:detail", recommendation.pk)
    return render(
        request,
        "recommendations/promote.html",
        {"form": form, "contribution": contribution},
    )


@require_POST
def change_status(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = get_object_or_404(Recommendation, pk=pk)
    _act(
        request,
        lambda: services.change_status(
            recommendation,
            request.POST.get("status", ""),
            by=request.user,
            reason=request.POST.get("reason", ""),
        ),
        _("The status is changed."),
    )
    return redirect("recommendations:detail", pk)


@require_POST
def endorse(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = get_object_or_404(Recommendation, pk=pk)
    if request.POST.get("action") == "withdraw":
        _act(
            request,
            lambda: services.withdraw_endorsement(recommendation, by=request.user),
            _("Your endorsement is withdrawn."),
        )
    else:
        _act(
            request,
            lambda: services.endorse(recommendation, by=request.user),
            _("You endorse this recommendation."),
        )
    return redirect("recommendations:detail", pk)


@require_POST
def link_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = get_object_or_404(Recommendation, pk=pk)
    _act(
        request,
        lambda: services.link_evidence(
            recommendation,
            request.POST.get("kind", ""),
            request.POST.get("source", ""),
            request.POST.get("key", ""),
            by=request.user,
            note=request.POST.get("note", ""),
        ),
        _("The evidence is linked."),
    )
    return redirect("recommendations:detail", pk)


@require_POST
def unlink_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = get_object_or_404(Evidence, pk=pk)
    target = evidence.recommendation_id
    _act(
        request,
        lambda: services.unlink_evidence(evidence, by=request.user),
        _("The evidence is removed."),
    )
    return redirect("recommendations:detail", target)


@require_POST
def translate(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = get_object_or_404(Recommendation, pk=pk)
    _act(
        request,
        lambda: services.set_translation(
            recommendation,
            request.POST.get("language", ""),
            request.POST.get("text", ""),
            by=request.user,
        ),
        _("The translation is saved."),
    )
    return redirect("recommendations:detail", pk)


def suggest_view(request: HttpRequest) -> HttpResponse:
    """The htmx fragment of the writing form: line and capitals the text points to."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    text = str(request.POST.get("text", ""))[:5000]
    language = str(request.POST.get("language", "")) or None
    return render(
        request, "recommendations/_suggestions.html", {"suggestion": suggest(text, language)}
    )
