"""API of co-drafting: documents, their versions, amendments (propose, vote, endorse,
accept, reject) and exports.

Reads are public. Writes take a bearer token or the site session, are rate-limited per
person, and go through :mod:`cityforum.drafting.services` like the pages do. A decision
that collides with another one (a conflicting or already decided amendment, a frozen
document, a second vote) answers ``409`` with the service's own message, so that the
person learns which newer version to read before deciding again; other bad input
answers ``422``.
"""

import datetime as dt
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate

from cityforum.core.languages import CONTENT_LANGUAGES, active_language, all_languages
from cityforum.drafting import exports, services
from cityforum.drafting.models import Amendment, Article, Document, Version, Visibility

from .auth import TokenAuth, session_auth
from .inputs import Input
from .problems import Problem, problem
from .programme import Texts  # one schema per name: OpenAPI names components by class

router = Router(tags=["drafting"])

#: Writes: a bearer token, or the site session (with its CSRF token).
write_auth = [TokenAuth(), session_auth]

#: Writes per person and minute before the API answers 429 (as for participation).
WRITE_RATE = "30/m"

#: The API's words for the kinds of amendment, and the model's.
KINDS: dict[str, str] = {
    "modify": Amendment.Kind.MODIFY,
    "add": Amendment.Kind.ADD_AFTER,
    "delete": Amendment.Kind.DELETE,
}
API_KIND = {model: api for api, model in KINDS.items()}

#: Service error codes that mean "this collides with the state of the document" → 409,
#: with the problem type each one answers.
CONFLICT_CODES: dict[str, str] = {
    "conflict": "conflict",
    "frozen": "frozen",
    "not_pending": "not-pending",
    "duplicate": "duplicate",
}

Language = Literal["fr", "en", "es"]


def _throttle(request: HttpRequest) -> None:
    rate = getattr(settings, "CITYFORUM_WRITE_RATE", WRITE_RATE)
    if is_ratelimited(request, group="drafting.write", key="user", rate=rate, increment=True):
        raise HttpError(429, _("Too many requests: wait a minute and try again."))


def _codes(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [e.code or "" for errors in error.error_dict.values() for e in errors]
    return [e.code or "" for e in error.error_list]


def _conflict_or_raise(error: ValidationError) -> HttpResponse:
    """A 409 problem for a collision with the document's state; anything else goes on
    to the API's handler (422)."""
    for code in _codes(error):
        if code in CONFLICT_CODES:
            return problem(
                409,
                _("This conflicts with the current state of the document."),
                " ".join(error.messages),
                CONFLICT_CODES[code],
            )
    raise error


# --- schemas --------------------------------------------------------------------------------


class ArticleOut(Schema):
    id: int
    number: int
    anchor: str
    section: Texts | None
    source_language: str
    text: Texts
    translation: dict[str, str]


class DocumentSummary(Schema):
    id: int
    slug: str
    url: str
    title: Texts
    preamble: Texts
    status: str
    starting_draft: bool
    source_language: str
    version: int | None
    version_date: dt.datetime | None
    consultation: int
    articles_count: int


class DocumentOut(DocumentSummary):
    articles: list[ArticleOut]


class SnapshotArticle(Schema):
    id: int
    number: int
    text: Texts


class VersionOut(Schema):
    number: int
    created_at: dt.datetime
    created_by: str | None
    note: str
    title: Texts
    articles: list[SnapshotArticle]


class AmendmentIn(Input):
    article: int
    kind: Literal["modify", "add", "delete"]
    text: str = ""
    rationale: str
    language: Language | None = None


class AmendmentOut(Schema):
    id: int
    document: int
    article: int
    article_number: int
    kind: str
    text: str
    rationale: str
    language: str
    author: str | None
    base_revision: int
    stale: bool
    status: str
    reason: str
    decided_at: dt.datetime | None
    version: int | None
    created_at: dt.datetime
    agree: int
    disagree: int
    endorsements: int


class DecisionIn(Input):
    reason: str = ""


class AmendmentVoteIn(Input):
    value: Literal["agree", "disagree"]


class AmendmentVoteOut(Schema):
    amendment: int
    value: str
    agree: int
    disagree: int


class EndorsementOut(Schema):
    amendment: int
    endorsed: bool
    endorsements: int


# --- helpers --------------------------------------------------------------------------------


def _latest_version(document: Document) -> Version | None:
    return document.versions.order_by("-number").first()


def _summary(document: Document) -> dict[str, Any]:
    latest = _latest_version(document)
    return {
        "id": document.pk,
        "slug": document.slug,
        "url": reverse("drafting:document", args=[document.slug]),
        "title": all_languages(document, "title"),
        "preamble": _texts_or_source(document, "preamble", document.source_language),
        "status": document.status,
        "starting_draft": document.starting_draft,
        "source_language": document.source_language,
        "version": latest.number if latest else None,
        "version_date": latest.created_at if latest else None,
        "consultation": document.consultation_id,
        "articles_count": document.articles.filter(deleted=False).count(),
    }


def _texts_or_source(instance: Any, name: str, source: str) -> dict[str, str]:
    """Each language's text, or the source language's where it has none (the
    ``translation`` field says which is which)."""
    fallback = str(getattr(instance, f"{name}_{source}", "") or "")
    return {
        code: str(getattr(instance, f"{name}_{code}", "") or "") or fallback
        for code in CONTENT_LANGUAGES
    }


def _article(article: Article) -> dict[str, Any]:
    return {
        "id": article.pk,
        "number": article.number,
        "anchor": article.anchor,
        "section": all_languages(article.section, "title") if article.section_id else None,
        "source_language": article.source_language,
        "text": _texts_or_source(article, "text", article.source_language),
        "translation": {code: status for code, status, _label in article.translation_statuses()},
    }


def _document(document_id: int) -> Document:
    return get_object_or_404(Document.objects.select_related("consultation"), pk=document_id)


def _amendments() -> QuerySet[Amendment]:
    return Amendment.objects.select_related("article__document", "author", "version").annotate(
        n_agree=Count("votes", filter=Q(votes__value="agree"), distinct=True),
        n_disagree=Count("votes", filter=Q(votes__value="disagree"), distinct=True),
        n_endorsements=Count("endorsements", distinct=True),
    )


def _visible(amendments: QuerySet[Amendment]) -> QuerySet[Amendment]:
    """Amendments the moderators hid are neither listed nor found (404)."""
    return amendments.exclude(visibility=Visibility.HIDDEN)


def _amendment(amendment_id: int) -> Amendment:
    return get_object_or_404(
        _visible(_amendments()).select_related("article__document__consultation"),
        pk=amendment_id,
    )


def _amendment_out(a: Amendment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "document": a.article.document_id,
        "article": a.article_id,
        "article_number": a.article.number,
        "kind": API_KIND.get(a.kind, a.kind),
        "text": a.text,
        "rationale": a.rationale,
        "language": a.language,
        "author": a.author.public_name if a.author_id else None,
        "base_revision": a.base_revision,
        "stale": a.is_pending and a.is_stale,
        "status": a.status,
        "reason": a.reason,
        "decided_at": a.decided_at,
        "version": a.version.number if a.version_id else None,
        "created_at": a.created_at,
        "agree": getattr(a, "n_agree", 0),
        "disagree": getattr(a, "n_disagree", 0),
        "endorsements": getattr(a, "n_endorsements", 0),
    }


def _fresh(amendment_id: int) -> dict[str, Any]:
    return _amendment_out(_amendments().get(pk=amendment_id))


def _proposal_language(request: HttpRequest, payload: AmendmentIn) -> str | None:
    """The language the proposal is written in: as given, else the request's language
    when the client named one, else ``None`` (the service takes the article's source)."""
    if payload.language:
        return payload.language
    if request.headers.get("Accept-Language"):
        return active_language()
    return None


# --- documents ------------------------------------------------------------------------------


@router.get("/documents", response=list[DocumentSummary], summary="Drafted documents")
@paginate(LimitOffsetPagination)
def list_documents(request: HttpRequest) -> list[dict[str, Any]]:
    documents = Document.objects.select_related("consultation").order_by("pk")
    return [_summary(d) for d in documents]


@router.get(
    "/documents/{document_id}",
    response=DocumentOut,
    summary="A document as it stands, its articles in three languages",
)
def get_document(request: HttpRequest, document_id: int) -> dict[str, Any]:
    document = _document(document_id)
    articles = (
        document.articles.filter(deleted=False).select_related("section").order_by("order", "pk")
    )
    return {**_summary(document), "articles": [_article(a) for a in articles]}


@router.get(
    "/documents/{document_id}/versions",
    response=list[VersionOut],
    summary="Every version of a document, oldest first",
)
@paginate(LimitOffsetPagination)
def list_versions(request: HttpRequest, document_id: int) -> list[dict[str, Any]]:
    document = _document(document_id)
    out = []
    for version in document.versions.select_related("created_by").order_by("number"):
        snap = version.snapshot or {}
        out.append(
            {
                "number": version.number,
                "created_at": version.created_at,
                "created_by": version.created_by.public_name if version.created_by_id else None,
                "note": version.note,
                "title": {c: (snap.get("title") or {}).get(c, "") for c in CONTENT_LANGUAGES},
                "articles": [
                    {
                        "id": a["id"],
                        "number": a["number"],
                        "text": {c: a.get(f"text_{c}", "") for c in CONTENT_LANGUAGES},
                    }
                    for a in snap.get("articles", [])
                ],
            }
        )
    return out


@router.get(
    "/documents/{document_id}/export",
    summary="The document as PDF, Markdown or JSON, in one language",
    openapi_extra={
        "responses": {
            200: {
                "description": "The document as a file (Content-Disposition: attachment)",
                "content": {
                    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                    "text/markdown": {"schema": {"type": "string"}},
                    "application/json": {"schema": {"type": "object"}},
                },
            }
        }
    },
)
def export(
    request: HttpRequest,
    document_id: int,
    format: Literal["pdf", "md", "json"],
    language: Language | None = None,
) -> HttpResponse:
    document = _document(document_id)
    content, content_type, filename = exports.export_document(
        document,
        format,
        language or active_language(),
        base_url=request.build_absolute_uri("/"),
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- amendments -----------------------------------------------------------------------------


@router.get(
    "/documents/{document_id}/amendments",
    response=list[AmendmentOut],
    summary="Amendments to a document, oldest first",
)
@paginate(LimitOffsetPagination)
def list_amendments(
    request: HttpRequest,
    document_id: int,
    status: Literal["pending", "accepted", "rejected"] | None = None,
    article: int | None = None,
) -> list[dict[str, Any]]:
    document = _document(document_id)
    amendments = _visible(_amendments()).filter(article__document=document)
    if status:
        amendments = amendments.filter(status=status)
    if article is not None:
        amendments = amendments.filter(article_id=article)
    return [_amendment_out(a) for a in amendments.order_by("created_at", "pk")]


@router.post(
    "/documents/{document_id}/amendments",
    response={201: AmendmentOut, 409: Problem},
    auth=write_auth,
    summary="Propose to modify, delete or add after an article",
)
def propose(request: HttpRequest, document_id: int, payload: AmendmentIn) -> Status | HttpResponse:
    _throttle(request)
    document = _document(document_id)
    try:
        amendment = services.propose_amendment(
            document,
            payload.article,
            by=request.user,
            kind=KINDS[payload.kind],
            text=payload.text,
            rationale=payload.rationale,
            language=_proposal_language(request, payload),
        )
    except ValidationError as error:
        return _conflict_or_raise(error)
    return Status(201, _fresh(amendment.pk))


@router.post(
    "/amendments/{amendment_id}/accept",
    response={200: AmendmentOut, 409: Problem},
    auth=write_auth,
    summary="Accept an amendment (organisers): a new version of the document",
)
def accept(
    request: HttpRequest, amendment_id: int, payload: DecisionIn
) -> dict[str, Any] | HttpResponse:
    _throttle(request)
    amendment = _amendment(amendment_id)
    try:
        services.accept_amendment(amendment, by=request.user, reason=payload.reason)
    except ValidationError as error:
        return _conflict_or_raise(error)
    return _fresh(amendment.pk)


@router.post(
    "/amendments/{amendment_id}/reject",
    response={200: AmendmentOut, 409: Problem},
    auth=write_auth,
    summary="Reject an amendment with a public reason (organisers)",
)
def reject(
    request: HttpRequest, amendment_id: int, payload: DecisionIn
) -> dict[str, Any] | HttpResponse:
    _throttle(request)
    amendment = _amendment(amendment_id)
    try:
        services.reject_amendment(amendment, by=request.user, reason=payload.reason)
    except ValidationError as error:
        return _conflict_or_raise(error)
    return _fresh(amendment.pk)


@router.post(
    "/amendments/{amendment_id}/votes",
    response={201: AmendmentVoteOut, 409: Problem},
    auth=write_auth,
    summary="Agree or disagree with a pending amendment (once)",
)
def vote(
    request: HttpRequest, amendment_id: int, payload: AmendmentVoteIn
) -> Status | HttpResponse:
    _throttle(request)
    amendment = _amendment(amendment_id)
    try:
        services.vote(amendment, payload.value, by=request.user)
    except ValidationError as error:
        return _conflict_or_raise(error)
    tally = _fresh(amendment.pk)
    return Status(
        201,
        {
            "amendment": amendment.pk,
            "value": payload.value,
            "agree": tally["agree"],
            "disagree": tally["disagree"],
        },
    )


@router.post(
    "/amendments/{amendment_id}/endorsements",
    response={201: EndorsementOut, 409: Problem},
    auth=write_auth,
    summary="Endorse a pending amendment (once)",
)
def endorse(request: HttpRequest, amendment_id: int) -> Status | HttpResponse:
    _throttle(request)
    amendment = _amendment(amendment_id)
    try:
        services.endorse(amendment, by=request.user)
    except ValidationError as error:
        return _conflict_or_raise(error)
    tally = _fresh(amendment.pk)
    return Status(
        201, {"amendment": amendment.pk, "endorsed": True, "endorsements": tally["endorsements"]}
    )
