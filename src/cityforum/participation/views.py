"""Pages of the participation app: plain HTML forms with CSRF; every write goes to services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cityforum.core.audit import history
from cityforum.people.rules import is_moderator, is_organiser
from cityforum.programme.models import Capital, Consultation, Region, Status

from . import services
from .constituencies import breakdown
from .forms import CommentForm, ContributionForm, ReasonForm, WorkshopMinutesForm
from .markdown import render as render_markdown
from .models import LANGUAGES, Comment, Contribution, Report, Visibility
from .rules import may

PAGE_SIZE = 50


def _consultation(slug: str) -> Consultation:
    return get_object_or_404(Consultation.objects.select_related("region", "forum"), slug=slug)


def _contribution(request: HttpRequest, pk: int) -> Contribution:
    contribution = get_object_or_404(
        Contribution.objects.select_related(
            "consultation", "author", "organisation", "city", "region", "on_behalf_of"
        ),
        pk=pk,
    )
    if not may(request.user, "participation.view_content", contribution):
        raise Http404(_("Nothing exists at this address."))
    return contribution


def _form_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, problems in error.message_dict.items():
            for problem in problems:
                form.add_error(name if name in form.fields else None, problem)
    else:
        for problem in error.messages:
            form.add_error(None, problem)


def _signed_in(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return None


# --- lists and pages ------------------------------------------------------------------------


def contribution_list(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(slug)
    user = request.user
    contributions: QuerySet[Contribution] = (
        consultation.contributions.select_related("author", "organisation", "region")
        .prefetch_related("capitals")
        .annotate(n_endorsements=Count("endorsements", distinct=True))
    )
    if not may(user, "participation.moderate", consultation):
        visible = Q(status=Visibility.VISIBLE)
        if user.is_authenticated:
            visible |= Q(author=user)
        contributions = contributions.filter(visible)
    filters = {
        "type": request.GET.get("type", ""),
        "capital": request.GET.get("capital", ""),
        "language": request.GET.get("language", ""),
        "region": request.GET.get("region", ""),
    }
    if filters["type"]:
        contributions = contributions.filter(type=filters["type"])
    if filters["capital"]:
        contributions = contributions.filter(capitals__code=filters["capital"])
    if filters["language"]:
        contributions = contributions.filter(language=filters["language"])
    if filters["region"]:
        contributions = contributions.filter(region__code=filters["region"])
    return render(
        request,
        "participation/list.html",
        {
            "consultation": consultation,
            "contributions": contributions[:PAGE_SIZE],
            "count": contributions.count(),
            "filters": filters,
            "types": Contribution.Type.choices,
            "capitals": Capital.objects.all(),
            "contribution_languages": LANGUAGES,
            "regions": Region.objects.filter(kind=Region.Kind.SECTION),
            "may_contribute": may(user, "participation.add_contribution", consultation),
            "may_enter_minutes": may(user, "participation.enter_workshop_minutes", consultation),
        },
    )


def contribution_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contribution = _contribution(request, pk)
    user = request.user
    may_moderate = may(user, "participation.moderate", contribution.consultation)
    comments = list(contribution.comments.select_related("author").order_by("created_at", "pk"))
    replies: dict[int, list[Comment]] = {}
    for c in comments:
        if c.parent_id:
            replies.setdefault(c.parent_id, []).append(c)
    threads = [(c, replies.get(c.pk, [])) for c in comments if not c.parent_id]
    return render(
        request,
        "participation/contribution.html",
        {
            "contribution": contribution,
            "consultation": contribution.consultation,
            "capitals": contribution.capitals.all(),
            "body_html": render_markdown(contribution.body),
            "constituencies": breakdown(contribution.endorsements.all()),
            "endorsed": user.is_authenticated
            and contribution.endorsements.filter(person=user).exists(),
            "threads": threads,
            "comment_form": CommentForm(),
            "may_edit": may(user, "participation.change_contribution", contribution),
            "may_endorse": may(user, "participation.endorse_contribution", contribution),
            "may_comment": may(user, "participation.comment_contribution", contribution),
            "may_report": may(user, "participation.report_content", contribution),
            "may_moderate": may_moderate,
            "show_reason": contribution.moderated_at
            and (may_moderate or user.pk == contribution.author_id),
            "events": history(contribution) if may_moderate else [],
            "revisions": contribution.revisions.all(),
        },
    )


# --- forms ----------------------------------------------------------------------------------


def contribute(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(slug)
    if response := _signed_in(request):
        return response
    form = ContributionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            contribution = services.contribute(consultation, request.user, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Thank you: your contribution is published."))
            return redirect("participation:contribution", contribution.pk)
    elif not may(request.user, "participation.add_contribution", consultation):
        messages.error(
            request, _("“%(title)s” does not take contributions now.") % {"title": consultation}
        )
    return render(
        request,
        "participation/contribute.html",
        {"consultation": consultation, "form": form, "workshop": False},
    )


def workshop_minutes(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(slug)
    if response := _signed_in(request):
        return response
    if not may(request.user, "participation.moderate", consultation):
        raise PermissionDenied(_("Only the consultation's moderators enter workshop minutes."))
    form = WorkshopMinutesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            contribution = services.enter_workshop_minutes(
                consultation, request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The workshop's contribution is published."))
            return redirect("participation:contribution", contribution.pk)
    return render(
        request,
        "participation/contribute.html",
        {"consultation": consultation, "form": form, "workshop": True},
    )


def edit(request: HttpRequest, pk: int) -> HttpResponse:
    if response := _signed_in(request):
        return response
    contribution = _contribution(request, pk)
    if not may(request.user, "participation.change_contribution", contribution):
        raise PermissionDenied(
            _("A contribution can be edited by its author for 30 minutes, until it is moderated.")
        )
    initial = {
        "type": contribution.type,
        "title": contribution.title,
        "body": contribution.body,
        "language": contribution.language,
        "capitals": [c.code for c in contribution.capitals.all()],
    }
    form = ContributionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_contribution(contribution, request.user, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("participation:contribution", contribution.pk)
    return render(
        request,
        "participation/contribute.html",
        {"consultation": contribution.consultation, "form": form, "contribution": contribution},
    )


# --- actions on a contribution (POST, then back to its page) --------------------------------


def _act(request: HttpRequest, contribution: Contribution, action: Any, done: str) -> HttpResponse:
    try:
        action()
    except (ValidationError, PermissionDenied) as error:
        problems = error.messages if isinstance(error, ValidationError) else [str(error)]
        for problem in problems:
            messages.error(request, problem)
    else:
        messages.success(request, done)
    return redirect("participation:contribution", contribution.pk)


@require_POST
def endorse(request: HttpRequest, pk: int) -> HttpResponse:
    if response := _signed_in(request):
        return response
    contribution = _contribution(request, pk)
    if request.POST.get("withdraw"):
        return _act(
            request,
            contribution,
            lambda: services.withdraw_endorsement(contribution, request.user),
            _("Your endorsement is withdrawn."),
        )
    return _act(
        request,
        contribution,
        lambda: services.endorse(contribution, request.user),
        _("You endorse this contribution."),
    )


@require_POST
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    if response := _signed_in(request):
        return response
    contribution = _contribution(request, pk)
    parent_id = request.POST.get("parent") or None
    parent = None
    if parent_id:
        parent = get_object_or_404(Comment, pk=parent_id, contribution=contribution)
    return _act(
        request,
        contribution,
        lambda: services.comment(contribution, request.user, request.POST.get("body"), parent),
        _("Your comment is published."),
    )


@require_POST
def report(request: HttpRequest, pk: int) -> HttpResponse:
    if response := _signed_in(request):
        return response
    contribution = _contribution(request, pk)
    return _act(
        request,
        contribution,
        lambda: services.report(request.user, contribution, request.POST.get("reason")),
        _("Thank you: the moderators will look at it."),
    )


@require_POST
def report_comment(request: HttpRequest, pk: int) -> HttpResponse:
    if response := _signed_in(request):
        return response
    target = get_object_or_404(Comment.objects.select_related("contribution"), pk=pk)
    return _act(
        request,
        target.contribution,
        lambda: services.report(request.user, target, request.POST.get("reason")),
        _("Thank you: the moderators will look at it."),
    )


def _moderate(request: HttpRequest, target: Contribution | Comment, page: Contribution) -> Any:
    action = request.POST.get("action", "")
    response = _act(
        request,
        page,
        lambda: services.moderate(target, action, request.POST.get("reason"), request.user),
        _("Done: the content is hidden.") if action == "hide" else _("Done: the content is back."),
    )
    if request.POST.get("next") == "queue":
        return redirect("participation:queue")
    return response


@require_POST
def moderate(request: HttpRequest, pk: int) -> HttpResponse:
    if response := _signed_in(request):
        return response
    contribution = _contribution(request, pk)
    return _moderate(request, contribution, contribution)


@require_POST
def moderate_comment(request: HttpRequest, pk: int) -> HttpResponse:
    if response := _signed_in(request):
        return response
    target = get_object_or_404(Comment.objects.select_related("contribution"), pk=pk)
    return _moderate(request, target, target.contribution)


# --- moderation queue -----------------------------------------------------------------------


def _moderated_consultations(user: Any) -> QuerySet[Consultation]:
    if is_organiser(user):
        return Consultation.objects.all()
    return Consultation.objects.filter(
        Q(region__isnull=True) | Q(region__in=user.moderated_regions.all())
    )


def moderation_queue(request: HttpRequest) -> HttpResponse:
    if response := _signed_in(request):
        return response
    user = request.user
    if not (is_organiser(user) or is_moderator(user)):
        raise PermissionDenied(_("The moderation queue is for moderators and organisers."))
    consultations = _moderated_consultations(user)
    reports = (
        Report.objects.filter(resolved_at__isnull=True)
        .filter(
            Q(contribution__consultation__in=consultations)
            | Q(comment__contribution__consultation__in=consultations)
        )
        .select_related("reporter", "contribution", "comment__contribution")
    )
    recent = (
        Contribution.objects.filter(consultation__in=consultations)
        .select_related("consultation", "author")
        .order_by("-created_at")[:PAGE_SIZE]
    )
    recent_comments = (
        Comment.objects.filter(contribution__consultation__in=consultations)
        .select_related("contribution", "author")
        .order_by("-created_at")[:PAGE_SIZE]
    )
    return render(
        request,
        "participation/queue.html",
        {
            "reports": [(r, r.contribution or r.comment.contribution) for r in reports],
            "recent": recent,
            "recent_comments": recent_comments,
            "reason_form": ReasonForm(),
            "open": Status.OPEN,
        },
    )
