"""The drafted document, an article's amendments (with word diffs), versions and comparisons.

Plain forms that work without JavaScript: every write is a POST answered by a redirect.
"""

from __future__ import annotations

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cityforum.core.languages import active_language

from . import services
from .models import Amendment, Article, Document

MAX_TEXT_LENGTH = 3000


def _document(slug: str) -> Document:
    return get_object_or_404(Document.objects.select_related("consultation"), slug=slug)


def _error(request: HttpRequest, error: Exception) -> None:
    if isinstance(error, ValidationError):
        messages.error(request, " ".join(str(m) for m in error.messages))
    else:
        messages.error(request, str(error) or _("You may not do this."))


def document_page(request: HttpRequest, slug: str) -> HttpResponse:
    document = _document(slug)
    articles = document.articles.filter(deleted=False).annotate(
        pending=Count("amendments", filter=Q(amendments__status=Amendment.Status.PENDING))
    )
    return render(
        request,
        "drafting/document.html",
        {
            "document": document,
            "articles": articles,
            "language": active_language(),
            "may_propose": rules.test_rule("drafting.propose", request.user, document),
        },
    )


def article_page(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    document = _document(slug)
    article = get_object_or_404(Article, document=document, pk=pk)
    language = active_language()
    amendments = []
    for amendment in article.amendments.select_related("author").annotate(
        agree=Count("votes", filter=Q(votes__value="agree"), distinct=True),
        disagree=Count("votes", filter=Q(votes__value="disagree"), distinct=True),
        endorsed=Count("endorsements", distinct=True),
    ):
        amendment.article = article
        current = article.text_in(amendment.language)
        old = amendment.base_text if not amendment.is_pending else current
        amendments.append(
            {
                "amendment": amendment,
                "segments": services.word_diff(
                    "" if amendment.kind == Amendment.Kind.ADD_AFTER else old, amendment.text
                ),
            }
        )
    return render(
        request,
        "drafting/article.html",
        {
            "document": document,
            "article": article,
            "language": language,
            "amendments": amendments,
            "kinds": Amendment.Kind.choices,
            "content_languages": [("fr", "Français"), ("en", "English"), ("es", "Español")],
            "max_length": MAX_TEXT_LENGTH,
            "may_propose": rules.test_rule("drafting.propose", request.user, document),
            "may_vote": rules.test_rule("drafting.vote", request.user, document),
            "may_decide": rules.test_rule("drafting.decide", request.user, document),
        },
    )


@require_POST
def propose(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    document = _document(slug)
    try:
        services.propose_amendment(
            document,
            pk,
            by=request.user,
            kind=request.POST.get("kind", ""),
            text=request.POST.get("text", ""),
            rationale=request.POST.get("rationale", ""),
            language=request.POST.get("language") or None,
        )
    except (ValidationError, PermissionDenied) as error:
        _error(request, error)
    else:
        messages.success(request, _("Your amendment has been proposed."))
    if Article.objects.filter(document=document, pk=pk).exists():
        return redirect("drafting:article", slug=slug, pk=pk)
    return redirect("drafting:document", slug=slug)


def _amendment(pk: int) -> Amendment:
    return get_object_or_404(
        Amendment.objects.select_related("article__document__consultation"), pk=pk
    )


def _back(amendment: Amendment) -> HttpResponse:
    return redirect(
        "drafting:article", slug=amendment.article.document.slug, pk=amendment.article_id
    )


@require_POST
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    amendment = _amendment(pk)
    try:
        services.vote(amendment, request.POST.get("value", ""), by=request.user)
    except (ValidationError, PermissionDenied) as error:
        _error(request, error)
    else:
        messages.success(request, _("Your vote has been recorded."))
    return _back(amendment)


@require_POST
def endorse(request: HttpRequest, pk: int) -> HttpResponse:
    amendment = _amendment(pk)
    try:
        services.endorse(amendment, by=request.user)
    except (ValidationError, PermissionDenied) as error:
        _error(request, error)
    else:
        messages.success(request, _("You endorse this amendment."))
    return _back(amendment)


@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    amendment = _amendment(pk)
    reason = request.POST.get("reason", "")
    try:
        if request.POST.get("decision") == "accept":
            services.accept_amendment(amendment, by=request.user, reason=reason)
            messages.success(request, _("The amendment has been accepted."))
        else:
            services.reject_amendment(amendment, by=request.user, reason=reason)
            messages.success(request, _("The amendment has been rejected."))
    except (ValidationError, PermissionDenied) as error:
        _error(request, error)
    if not Article.objects.filter(pk=amendment.article_id, deleted=False).exists():
        return redirect("drafting:document", slug=amendment.article.document.slug)
    return _back(amendment)


def versions_page(request: HttpRequest, slug: str) -> HttpResponse:
    document = _document(slug)
    versions = document.versions.select_related("created_by").order_by("-number")
    return render(request, "drafting/versions.html", {"document": document, "versions": versions})


def compare_page(request: HttpRequest, slug: str) -> HttpResponse:
    document = _document(slug)
    versions = list(document.versions.order_by("number"))
    if not versions:
        return redirect("drafting:versions", slug=slug)
    by_number = {v.number: v for v in versions}

    def pick(name: str, default: int) -> int:
        try:
            number = int(request.GET.get(name, default))
        except ValueError:
            number = default
        return number if number in by_number else default

    old = by_number[pick("from", versions[0].number)]
    new = by_number[pick("to", versions[-1].number)]
    return render(
        request,
        "drafting/compare.html",
        {
            "document": document,
            "versions": versions,
            "old": old,
            "new": new,
            "rows": services.compare_versions(old, new, active_language()),
        },
    )
