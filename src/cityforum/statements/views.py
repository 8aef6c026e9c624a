"""The voting page (one statement at a time), proposing statements, the moderation queue.

Plain forms that work without JavaScript: a vote is a POST answered by a redirect to the
next statement; with htmx the next statement is swapped in place (``HX-Request``).
"""

from __future__ import annotations

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cityforum.programme.models import Consultation

from . import services
from .forms import ModerateForm, ProposeForm
from .models import Statement, Voter


def _consultation(slug: str) -> Consultation:
    return get_object_or_404(Consultation.objects.select_related("region", "forum"), slug=slug)


def _existing_voter(request: HttpRequest, consultation: Consultation) -> Voter | None:
    if request.user.is_authenticated:
        return Voter.objects.filter(consultation=consultation, user=request.user).first()
    key = request.session.session_key
    return Voter.objects.filter(consultation=consultation, session_key=key).first() if key else None


def _card_context(request: HttpRequest, consultation: Consultation) -> dict:
    voter = _existing_voter(request, consultation)
    total = services.accepted_statements(consultation).count()
    done = voter.votes.filter(statement__status=Statement.Status.ACCEPTED).count() if voter else 0
    return {
        "consultation": consultation,
        "statement": services.next_statement(consultation, voter),
        "position": min(done + 1, total),
        "done": done,
        "total": total,
        "may_vote": rules.test_rule("statements.vote", request.user, consultation),
    }


def vote_page(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(slug)
    if request.method == "POST":
        return _vote(request, consultation)
    context = _card_context(request, consultation)
    context.update(
        {
            "propose_form": ProposeForm(),
            "may_propose": rules.test_rule("statements.add", request.user, consultation),
            "may_moderate": rules.test_rule("statements.moderate", request.user, consultation),
        }
    )
    return render(request, "statements/vote.html", context)


def _vote(request: HttpRequest, consultation: Consultation) -> HttpResponse:
    session_key = None
    if not request.user.is_authenticated:
        if not request.session.session_key:
            request.session.save()
        session_key = request.session.session_key
    error = ""
    try:
        services.cast_vote(
            consultation,
            request.POST.get("statement"),
            request.POST.get("value"),
            user=request.user if request.user.is_authenticated else None,
            session_key=session_key,
        )
    except (ValidationError, PermissionDenied) as exc:
        error = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    if request.headers.get("HX-Request"):
        context = _card_context(request, consultation)
        context["error"] = error
        # 200 even for an error: htmx swaps only successful answers, and the card says why.
        return render(request, "statements/_vote_card.html", context)
    if error:
        messages.error(request, error)
    return redirect(reverse("statements:vote", args=[consultation.slug]), permanent=False)


@require_POST
def propose(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(slug)
    form = ProposeForm(request.POST)
    if form.is_valid():
        try:
            statement = services.add_statement(
                consultation,
                form.cleaned_data["text"],
                by=request.user if request.user.is_authenticated else None,
                language=request.LANGUAGE_CODE,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            if statement.status == Statement.Status.ACCEPTED:
                messages.success(request, _("Your statement is added."))
            else:
                messages.success(
                    request,
                    _("Thank you: your statement will be shown once a moderator accepts it."),
                )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("statements:vote", consultation.slug)


def moderation_queue(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(slug)
    if not rules.test_rule("statements.moderate", request.user, consultation):
        raise PermissionDenied(_("You may not moderate the statements of this consultation."))
    pending = consultation.statements.filter(status=Statement.Status.PENDING).order_by("pk")
    return render(
        request,
        "statements/moderation.html",
        {"consultation": consultation, "pending": pending, "form": ModerateForm()},
    )


@require_POST
def moderate(request: HttpRequest, pk: int) -> HttpResponse:
    statement = get_object_or_404(Statement.objects.select_related("consultation"), pk=pk)
    form = ModerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to accept or reject the statement."))
    else:
        try:
            services.moderate_statement(
                statement,
                by=request.user,
                accept=form.cleaned_data["decision"] == "accept",
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The statement is moderated."))
    return redirect("statements:moderation", statement.consultation.slug)
