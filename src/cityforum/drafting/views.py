"""The drafted document, its articles (sources, opinions, translations), amendments (word
diffs, support by constituency, comments), versions, comparisons and signatories.

Plain forms that work without JavaScript: every write is a POST to a service, answered by
a redirect with a message saying what happened or why not.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cityforum.core.audit import history
from cityforum.core.languages import active_language

from . import services
from .constituencies import amendment_support, article_opinions
from .models import (
    MAX_ARTICLE_LENGTH,
    MAX_COMMENT_LENGTH,
    MAX_NOTE_LENGTH,
    MAX_REASON_LENGTH,
    Amendment,
    AmendmentComment,
    Article,
    ArticleOpinion,
    ArticleSource,
    Document,
    DraftingReport,
)
from .signatories import signatories_by_region
from .sources import describe_sources

MAX_TEXT_LENGTH = MAX_ARTICLE_LENGTH
LANGUAGE_NAMES = [("fr", "Français"), ("en", "English"), ("es", "Español")]


def _document(slug: str) -> Document:
    return get_object_or_404(Document.objects.select_related("consultation"), slug=slug)


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


def _may(rule: str, request: HttpRequest, document: Document) -> bool:
    return bool(rules.test_rule(rule, request.user, document))


# --- Reading --------------------------------------------------------------------------------


def document_page(request: HttpRequest, slug: str) -> HttpResponse:
    document = _document(slug)
    articles = (
        document.articles.filter(deleted=False)
        .select_related("section")
        .annotate(
            pending=Count(
                "amendments",
                filter=Q(amendments__status=Amendment.Status.PENDING),
            )
        )
    )
    return render(
        request,
        "drafting/document.html",
        {
            "document": document,
            "articles": articles,
            "language": active_language(),
            "latest": document.versions.order_by("-number").first(),
            "signatures": document.signatures.count(),
            "may_propose": _may("drafting.propose", request, document),
            "may_freeze": _may("drafting.freeze", request, document),
            "may_sign": _may("drafting.sign", request, document),
            "reports": _open_reports(document)
            if _may("drafting.moderate", request, document)
            else [],
        },
    )


def _open_reports(document: Document) -> list[DraftingReport]:
    """For moderators: the reported comments on this document's amendments, still open."""
    return list(
        DraftingReport.objects.filter(
            comment__amendment__article__document=document, resolved_at__isnull=True
        ).select_related("comment__amendment", "reporter")
    )


def _diff_of(amendment: Amendment, article: Article) -> list[services.Segment]:
    """The amendment against the text it was written for (pending: the current text)."""
    if amendment.kind == Amendment.Kind.ADD_AFTER:
        return services.word_diff("", amendment.text)
    old = article.text_in(amendment.language) if amendment.is_pending else amendment.base_text
    return services.word_diff(old, amendment.text)


def _translations(article: Article) -> list[dict[str, Any]]:
    """For organisers: each translation with what changed in the source since it was made."""
    source = article.text_in(article.source_language)
    rows = []
    for code, status, label in article.translation_statuses():
        if code == article.source_language:
            continue
        made_from = getattr(article, f"revision_{code}", 0)
        before = services.source_text_at(article, made_from) if made_from else None
        rows.append(
            {
                "code": code,
                "status": status,
                "label": label,
                "text": article.text_in(code),
                "source_changes": services.word_diff(before, source)
                if before is not None and status == Article.Translation.OUTDATED
                else [],
            }
        )
    return rows


def article_page(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    document = _document(slug)
    article = get_object_or_404(Article, document=document, pk=pk)
    user = request.user
    may_moderate = _may("drafting.moderate", request, document)
    amendments = []
    for amendment in article.amendments.select_related("author").annotate(
        agree=Count("votes", filter=Q(votes__value="agree"), distinct=True),
        disagree=Count("votes", filter=Q(votes__value="disagree"), distinct=True),
        endorsed=Count("endorsements", distinct=True),
        n_comments=Count("comments", distinct=True),
    ):
        amendment.article = article
        amendments.append({"amendment": amendment, "segments": _diff_of(amendment, article)})
    may_translate = _may("drafting.translate", request, document)
    mine = (
        ArticleOpinion.objects.filter(article=article, user=user).first()
        if user.is_authenticated
        else None
    )
    return render(
        request,
        "drafting/article.html",
        {
            "document": document,
            "article": article,
            "language": active_language(),
            "amendments": amendments,
            "kinds": Amendment.Kind.choices,
            "content_languages": LANGUAGE_NAMES,
            "max_length": MAX_TEXT_LENGTH,
            "max_note": MAX_NOTE_LENGTH,
            "may_propose": _may("drafting.propose", request, document),
            "may_vote": _may("drafting.vote", request, document),
            "may_decide": _may("drafting.decide", request, document),
            "may_opine": _may("drafting.opine", request, document) and not article.deleted,
            "may_cite": _may("drafting.cite", request, document),
            "may_translate": may_translate and not article.deleted,
            "may_moderate": may_moderate,
            "opinions": article_opinions(article),
            "my_opinion": mine.value if mine else "",
            "sources": describe_sources(article.sources.all(), active_language()),
            "source_kinds": ArticleSource.Kind.choices,
            "translations": _translations(article) if may_translate else [],
        },
    )


def amendment_page(request: HttpRequest, pk: int) -> HttpResponse:
    amendment = _amendment(pk)
    article = amendment.article
    document = article.document
    user = request.user
    may_moderate = _may("drafting.moderate", request, document)
    comments = list(amendment.comments.select_related("author").order_by("created_at", "pk"))
    replies: dict[int, list[AmendmentComment]] = {}
    for c in comments:
        if c.parent_id:
            replies.setdefault(c.parent_id, []).append(c)
    threads = [(c, replies.get(c.pk, [])) for c in comments if not c.parent_id]
    is_author = user.is_authenticated and user.pk == amendment.author_id
    return render(
        request,
        "drafting/amendment.html",
        {
            "document": document,
            "article": article,
            "a": amendment,
            "segments": _diff_of(amendment, article),
            "support": amendment_support(amendment),
            "threads": threads,
            "max_comment": MAX_COMMENT_LENGTH,
            "max_reason": MAX_REASON_LENGTH,
            "may_vote": _may("drafting.vote", request, document) and not amendment.is_hidden,
            "may_decide": _may("drafting.decide", request, document),
            "may_comment": _may("drafting.comment", request, document) and not amendment.is_hidden,
            "may_moderate": may_moderate,
            "show_reason": amendment.moderated_at and (may_moderate or is_author),
            "show_text": not amendment.is_hidden or may_moderate or is_author,
            "events": history(amendment) if may_moderate else [],
        },
    )


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


def signatories_page(request: HttpRequest, slug: str) -> HttpResponse:
    document = _document(slug)
    return render(
        request,
        "drafting/signatories.html",
        {
            "document": document,
            "groups": signatories_by_region(document),
            "count": document.signatures.count(),
            "may_sign": _may("drafting.sign", request, document),
        },
    )


# --- Writing --------------------------------------------------------------------------------


def _amendment(pk: int) -> Amendment:
    return get_object_or_404(
        Amendment.objects.select_related("article__document__consultation", "author"), pk=pk
    )


def _to_article(amendment: Amendment) -> HttpResponse:
    return redirect(
        "drafting:article", slug=amendment.article.document.slug, pk=amendment.article_id
    )


def _to_amendment(amendment: Amendment) -> HttpResponse:
    return redirect("drafting:amendment", pk=amendment.pk)


def _article(slug: str, pk: int) -> Article:
    return get_object_or_404(
        Article.objects.select_related("document__consultation"), document__slug=slug, pk=pk
    )


@require_POST
def propose(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    document = _document(slug)
    _act(
        request,
        lambda: services.propose_amendment(
            document,
            pk,
            by=request.user,
            kind=request.POST.get("kind", ""),
            text=request.POST.get("text", ""),
            rationale=request.POST.get("rationale", ""),
            language=request.POST.get("language") or None,
        ),
        _("Your amendment has been proposed."),
    )
    if Article.objects.filter(document=document, pk=pk).exists():
        return redirect("drafting:article", slug=slug, pk=pk)
    return redirect("drafting:document", slug=slug)


@require_POST
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    amendment = _amendment(pk)
    _act(
        request,
        lambda: services.vote(amendment, request.POST.get("value", ""), by=request.user),
        _("Your vote has been recorded."),
    )
    return _to_amendment(amendment)


@require_POST
def endorse(request: HttpRequest, pk: int) -> HttpResponse:
    amendment = _amendment(pk)
    _act(
        request,
        lambda: services.endorse(amendment, by=request.user),
        _("You endorse this amendment."),
    )
    return _to_amendment(amendment)


@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    amendment = _amendment(pk)
    reason = request.POST.get("reason", "")
    if request.POST.get("decision") == "accept":
        done = _act(
            request,
            lambda: services.accept_amendment(amendment, by=request.user, reason=reason),
            _("The amendment has been accepted."),
        )
    else:
        done = _act(
            request,
            lambda: services.reject_amendment(amendment, by=request.user, reason=reason),
            _("The amendment has been rejected."),
        )
    if not done:
        return _to_amendment(amendment)
    if not Article.objects.filter(pk=amendment.article_id, deleted=False).exists():
        return redirect("drafting:document", slug=amendment.article.document.slug)
    return _to_article(amendment)


@require_POST
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    amendment = _amendment(pk)
    parent = None
    if request.POST.get("parent"):
        parent = get_object_or_404(AmendmentComment, pk=request.POST["parent"])
    _act(
        request,
        lambda: services.comment(
            amendment, request.POST.get("body"), by=request.user, parent=parent
        ),
        _("Your comment is published."),
    )
    return _to_amendment(amendment)


@require_POST
def report_comment(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(AmendmentComment.objects.select_related("amendment"), pk=pk)
    _act(
        request,
        lambda: services.report(target, request.POST.get("reason"), by=request.user),
        _("Thank you: the moderators will look at it."),
    )
    return _to_amendment(target.amendment)


def _moderate(request: HttpRequest, target: Any, amendment: Amendment) -> HttpResponse:
    action = request.POST.get("action", "")
    _act(
        request,
        lambda: services.moderate(target, action, request.POST.get("reason"), by=request.user),
        _("Done: the content is hidden.") if action == "hide" else _("Done: the content is back."),
    )
    return _to_amendment(amendment)


@require_POST
def moderate_amendment(request: HttpRequest, pk: int) -> HttpResponse:
    amendment = _amendment(pk)
    return _moderate(request, amendment, amendment)


@require_POST
def moderate_comment(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(AmendmentComment.objects.select_related("amendment"), pk=pk)
    return _moderate(request, target, target.amendment)


@require_POST
def opine(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    article = _article(slug, pk)
    value = request.POST.get("value", "")
    if value == "withdraw":
        _act(
            request,
            lambda: services.withdraw_opinion(article, by=request.user),
            _("Your opinion is withdrawn."),
        )
    else:
        _act(
            request,
            lambda: services.give_opinion(article, value, by=request.user),
            _("Your opinion is recorded."),
        )
    return redirect(reverse("drafting:article", args=[slug, pk]) + "#opinions")


@require_POST
def cite(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    article = _article(slug, pk)
    kind = request.POST.get("kind", "")
    ref = request.POST.get("ref", "").strip()
    given: dict[str, Any] = {}
    if kind == ArticleSource.Kind.CONTRIBUTION:
        given["contribution"] = ref
    elif kind == ArticleSource.Kind.STATEMENT:
        given["statement"] = ref
    elif kind == ArticleSource.Kind.THEME:
        given["theme_run"] = ref
        given["theme_id"] = request.POST.get("theme", "").strip()
    _act(
        request,
        lambda: services.cite(article, by=request.user, note=request.POST.get("note"), **given),
        _("The source is cited."),
    )
    return redirect(reverse("drafting:article", args=[slug, pk]) + "#sources")


@require_POST
def uncite(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(ArticleSource.objects.select_related("article__document"), pk=pk)
    article = source.article
    _act(
        request,
        lambda: services.uncite(source, by=request.user),
        _("The citation is removed."),
    )
    return redirect(reverse("drafting:article", args=[article.document.slug, article.pk]))


@require_POST
def translate(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    article = _article(slug, pk)
    _act(
        request,
        lambda: services.update_translation(
            article,
            request.POST.get("language", ""),
            request.POST.get("text", ""),
            by=request.user,
        ),
        _("The translation is up to date."),
    )
    return redirect(reverse("drafting:article", args=[slug, pk]) + "#translations")


@require_POST
def freeze(request: HttpRequest, slug: str) -> HttpResponse:
    document = _document(slug)
    _act(
        request,
        lambda: services.freeze_document(document, by=request.user, note=request.POST.get("note")),
        _("The document is frozen: this is its final version, open for signature."),
    )
    return redirect("drafting:document", slug=slug)


@require_POST
def sign(request: HttpRequest, slug: str) -> HttpResponse:
    document = _document(slug)
    _act(
        request,
        lambda: services.sign(document, by=request.user),
        _("Your organisation has signed the document."),
    )
    return redirect("drafting:signatories", slug=slug)
