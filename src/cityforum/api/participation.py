"""API of the participation app: contributions, comments, endorsements, reports, moderation.

Reads are public (hidden content only for its author and the moderators); writes take a
bearer token or the site session, are rate-limited per person, and go through
:mod:`cityforum.participation.services` like the pages do.
"""

import datetime as dt
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate

from cityforum.core.audit import history
from cityforum.participation import services
from cityforum.participation.constituencies import breakdown
from cityforum.participation.markdown import render
from cityforum.participation.models import Comment, Contribution, Report, Visibility
from cityforum.participation.rules import consultation_of, may
from cityforum.programme.models import Capital, Consultation

from .auth import TokenAuth, session_auth
from .inputs import Input, Text
from .problems import Problem

router = Router(tags=["participation"])

#: Writes: a bearer token, or the site session (with its CSRF token).
write_auth = [TokenAuth(), session_auth]
_token = TokenAuth()

ContributionType = Contribution.Type
CapitalCode = Capital.Code

#: Writes per person and minute before the API answers 429.
WRITE_RATE = "30/m"


def _viewer(request: HttpRequest) -> Any:
    """Who reads: the token's person when one is sent, else the session's (maybe anonymous)."""
    if request.headers.get("Authorization"):
        user = _token(request)
        if user:
            return user
    return request.user


def _throttle(request: HttpRequest) -> None:
    rate = getattr(settings, "CITYFORUM_WRITE_RATE", WRITE_RATE)
    if is_ratelimited(request, group="participation.write", key="user", rate=rate, increment=True):
        raise HttpError(429, _("Too many requests: wait a minute and try again."))


# --- schemas --------------------------------------------------------------------------------


class ContributionIn(Input):
    type: str
    title: str
    body: str
    language: str = ""
    capitals: list[str]


class Meeting(Schema):
    name: str
    date: dt.date | None
    place: str


class Constituencies(Schema):
    total: int
    by_organisation_kind: dict[str, int]
    by_region: dict[str, int]


class ContributionOut(Schema):
    id: int
    url: str
    consultation: int
    type: str
    title: str
    body: str
    body_html: str
    language: str
    capitals: list[str]
    status: str
    moderation_reason: str | None
    source: str
    meeting: Meeting | None
    on_behalf_of: str | None
    author: str
    organisation: str | None
    organisation_kind: str | None
    city: str | None
    region: str | None
    created_at: dt.datetime
    endorsements: int
    comments: int


class ContributionDetail(ContributionOut):
    constituencies: Constituencies


class Created(Schema):
    id: int
    url: str


class CommentIn(Input):
    body: str
    parent: int | None = None


class CommentOut(Schema):
    id: int
    parent: int | None
    author: str
    body: str
    status: str
    created_at: dt.datetime


class EndorsementsOut(Schema):
    count: int
    endorsed: bool
    constituencies: Constituencies


class ReportIn(Input):
    reason: str
    comment: int | None = None


class ContentModerationIn(Input):
    action: Literal["hide", "restore"]
    reason: str
    comment: int | None = None


class ContentModerationEvent(Schema):
    action: str
    reason: str
    at: dt.datetime


class ContentModerationOut(Schema):
    status: str
    reason: str
    events: list[ContentModerationEvent]


# --- helpers --------------------------------------------------------------------------------


def _contributions() -> QuerySet[Contribution]:
    return (
        Contribution.objects.select_related(
            "author", "organisation", "city", "region", "on_behalf_of"
        )
        .prefetch_related("capitals")
        .annotate(
            n_endorsements=Count("endorsements", distinct=True),
            n_comments=Count(
                "comments", filter=Q(comments__status=Visibility.VISIBLE), distinct=True
            ),
        )
    )


def _visible_to(viewer: Any, queryset: QuerySet[Contribution]) -> QuerySet[Contribution]:
    if not getattr(viewer, "is_authenticated", False):
        return queryset.filter(status=Visibility.VISIBLE)
    return queryset.filter(Q(status=Visibility.VISIBLE) | Q(author=viewer))


def _may_see_reason(viewer: Any, c: Contribution) -> bool:
    return bool(c.moderated_at) and (
        getattr(viewer, "pk", None) == c.author_id
        or may(viewer, "participation.moderate", c.consultation)
    )


def _out(c: Contribution, viewer: Any) -> dict[str, Any]:
    return {
        "id": c.pk,
        "url": reverse("participation:contribution", args=[c.pk]),
        "consultation": c.consultation_id,
        "type": c.type,
        "title": c.title,
        "body": c.body,
        "body_html": str(render(c.body)),
        "language": c.language,
        "capitals": [capital.code for capital in c.capitals.all()],
        "status": c.status,
        "moderation_reason": c.moderation_reason if _may_see_reason(viewer, c) else None,
        "source": c.source,
        "meeting": {"name": c.meeting_name, "date": c.meeting_date, "place": c.meeting_place}
        if c.source == Contribution.Source.WORKSHOP
        else None,
        "on_behalf_of": c.on_behalf_of.name if c.on_behalf_of_id else None,
        "author": c.author.public_name,
        "organisation": c.organisation.name if c.organisation_id else None,
        "organisation_kind": c.organisation.kind if c.organisation_id else None,
        "city": c.city.name if c.city_id else None,
        "region": c.region.code if c.region_id else None,
        "created_at": c.created_at,
        "endorsements": getattr(c, "n_endorsements", 0),
        "comments": getattr(c, "n_comments", 0),
    }


def _contribution(request: HttpRequest, contribution_id: int) -> Contribution:
    """The contribution, or 404 — also when it is hidden from this viewer."""
    viewer = _viewer(request)
    contribution = get_object_or_404(
        _contributions().select_related("consultation"), pk=contribution_id
    )
    if not may(viewer, "participation.view_content", contribution):
        raise Http404(_("Nothing exists at this address."))
    return contribution


# --- contributions --------------------------------------------------------------------------


@router.get(
    "/consultations/{consultation_id}/contributions",
    response=list[ContributionOut],
    summary="Contributions to a consultation",
)
@paginate(LimitOffsetPagination)
def list_contributions(
    request: HttpRequest,
    consultation_id: int,
    type: ContributionType | None = None,
    capital: CapitalCode | None = None,
    language: Text | None = None,
    region: Text | None = None,
    status: Visibility | None = None,
) -> list[dict[str, Any]]:
    """Newest first; filters by type, capital code, language, region code and status."""
    consultation = get_object_or_404(Consultation, pk=consultation_id)
    viewer = _viewer(request)
    contributions = _contributions().filter(consultation=consultation)
    if not may(viewer, "participation.moderate", consultation):
        contributions = _visible_to(viewer, contributions)
    if type:
        contributions = contributions.filter(type=type)
    if capital:
        contributions = contributions.filter(capitals__code=capital)
    if language:
        contributions = contributions.filter(language=language)
    if region:
        contributions = contributions.filter(region__code=region)
    if status:
        contributions = contributions.filter(status=status)
    return [_out(c, viewer) for c in contributions]


@router.post(
    "/consultations/{consultation_id}/contributions",
    response={201: Created},
    auth=write_auth,
    summary="Contribute to an open consultation",
)
def create_contribution(
    request: HttpRequest, consultation_id: int, payload: ContributionIn
) -> Status:
    _throttle(request)
    consultation = get_object_or_404(Consultation, pk=consultation_id)
    contribution = services.contribute(consultation, request.user, **payload.dict())
    url = reverse("participation:contribution", args=[contribution.pk])
    return Status(201, Created(id=contribution.pk, url=url))


@router.get(
    "/contributions/{contribution_id}",
    response=ContributionDetail,
    summary="One contribution, with its endorsements by constituency",
)
def get_contribution(request: HttpRequest, contribution_id: int) -> dict[str, Any]:
    contribution = _contribution(request, contribution_id)
    return {
        **_out(contribution, _viewer(request)),
        "constituencies": breakdown(contribution.endorsements.all()).as_dict(),
    }


@router.patch(
    "/contributions/{contribution_id}",
    response=Created,
    auth=write_auth,
    summary="Edit one's contribution (30 minutes, until moderated)",
)
def edit_contribution(
    request: HttpRequest, contribution_id: int, payload: ContributionIn
) -> Created:
    _throttle(request)
    contribution = _contribution(request, contribution_id)
    services.edit_contribution(contribution, request.user, **payload.dict())
    return Created(
        id=contribution.pk, url=reverse("participation:contribution", args=[contribution.pk])
    )


# --- comments -------------------------------------------------------------------------------


def _comment_out(comment: Comment) -> dict[str, Any]:
    hidden = comment.is_hidden
    return {
        "id": comment.pk,
        "parent": comment.parent_id,
        "author": comment.author.public_name,
        "body": "" if hidden else comment.body,
        "status": comment.status,
        "created_at": comment.created_at,
    }


@router.get(
    "/contributions/{contribution_id}/comments",
    response=list[CommentOut],
    summary="Comments on a contribution, replies after their comment",
)
@paginate(LimitOffsetPagination)
def list_comments(request: HttpRequest, contribution_id: int) -> list[dict[str, Any]]:
    contribution = _contribution(request, contribution_id)
    comments = contribution.comments.select_related("author").order_by("created_at", "pk")
    ordered: list[Comment] = []
    replies: dict[int, list[Comment]] = {}
    for c in comments:
        if c.parent_id:
            replies.setdefault(c.parent_id, []).append(c)
        else:
            ordered.append(c)
    return [_comment_out(x) for c in ordered for x in [c, *replies.get(c.pk, [])]]


@router.post(
    "/contributions/{contribution_id}/comments",
    response={201: CommentOut},
    auth=write_auth,
    summary="Comment on a contribution, or reply to a comment",
)
def create_comment(request: HttpRequest, contribution_id: int, payload: CommentIn) -> Status:
    _throttle(request)
    contribution = _contribution(request, contribution_id)
    parent = None
    if payload.parent is not None:
        parent = Comment.objects.filter(pk=payload.parent).first()
        if parent is None:
            raise ValidationError({"parent": _("There is no comment %s.") % payload.parent})
    comment = services.comment(contribution, request.user, payload.body, parent=parent)
    return Status(201, _comment_out(comment))


# --- endorsements ---------------------------------------------------------------------------


@router.get(
    "/contributions/{contribution_id}/endorsements",
    response=EndorsementsOut,
    summary="Endorsements of a contribution, by organisation type and region",
)
def list_endorsements(request: HttpRequest, contribution_id: int) -> dict[str, Any]:
    contribution = _contribution(request, contribution_id)
    viewer = _viewer(request)
    counts = breakdown(contribution.endorsements.all()).as_dict()
    endorsed = bool(
        getattr(viewer, "is_authenticated", False)
        and contribution.endorsements.filter(person=viewer).exists()
    )
    return {"count": counts["total"], "endorsed": endorsed, "constituencies": counts}


@router.post(
    "/contributions/{contribution_id}/endorsements",
    response={201: EndorsementsOut, 409: Problem},
    auth=write_auth,
    summary="Endorse a contribution (once; again → 409)",
)
def create_endorsement(request: HttpRequest, contribution_id: int) -> Status:
    _throttle(request)
    contribution = _contribution(request, contribution_id)
    try:
        services.endorse(contribution, request.user)
    except services.AlreadyEndorsed as error:
        raise HttpError(409, " ".join(error.messages)) from None
    counts = breakdown(contribution.endorsements.all()).as_dict()
    return Status(201, {"count": counts["total"], "endorsed": True, "constituencies": counts})


# --- reports and moderation -----------------------------------------------------------------


def _target(contribution: Contribution, comment_id: int | None) -> Contribution | Comment:
    if comment_id is None:
        return contribution
    return get_object_or_404(Comment, pk=comment_id, contribution=contribution)


@router.get(
    "/contributions/{contribution_id}/reports",
    response=list[dict[str, Any]],
    auth=write_auth,
    summary="Open reports on a contribution and its comments (moderators)",
)
def list_reports(request: HttpRequest, contribution_id: int) -> list[dict[str, Any]]:
    contribution = _contribution(request, contribution_id)
    if not may(request.user, "participation.moderate", contribution.consultation):
        raise PermissionDenied(_("Only the consultation's moderators see reports."))
    reports = Report.objects.filter(
        Q(contribution=contribution) | Q(comment__contribution=contribution),
        resolved_at__isnull=True,
    )
    return [
        {"id": r.pk, "comment": r.comment_id, "reason": r.reason, "created_at": r.created_at}
        for r in reports
    ]


@router.post(
    "/contributions/{contribution_id}/reports",
    response={201: Created},
    auth=write_auth,
    summary="Report a contribution, or one of its comments, to the moderators",
)
def create_report(request: HttpRequest, contribution_id: int, payload: ReportIn) -> Status:
    _throttle(request)
    contribution = _contribution(request, contribution_id)
    report = services.report(request.user, _target(contribution, payload.comment), payload.reason)
    url = reverse("participation:contribution", args=[contribution.pk])
    return Status(201, Created(id=report.pk, url=url))


def _moderation(target: Contribution | Comment) -> dict[str, Any]:
    return {
        "status": target.status,
        "reason": target.moderation_reason,
        "events": [
            {"action": e.verb.split(".")[-1], "reason": e.reason, "at": e.at}
            for e in history(target)
            if e.verb.endswith((".hide", ".restore"))
        ],
    }


@router.get(
    "/contributions/{contribution_id}/moderation",
    response=ContentModerationOut,
    auth=write_auth,
    summary="A contribution's moderation history (its author and the moderators)",
)
def get_moderation(request: HttpRequest, contribution_id: int) -> dict[str, Any]:
    contribution = _contribution(request, contribution_id)
    user = request.user
    if user.pk != contribution.author_id and not may(
        user, "participation.moderate", consultation_of(contribution)
    ):
        raise PermissionDenied(_("Only the author and the moderators see the moderation history."))
    return _moderation(contribution)


@router.post(
    "/contributions/{contribution_id}/moderation",
    response=ContentModerationOut,
    auth=write_auth,
    summary="Hide or restore a contribution or one of its comments, with a reason",
)
def moderate(
    request: HttpRequest, contribution_id: int, payload: ContentModerationIn
) -> dict[str, Any]:
    _throttle(request)
    # 404 for a contribution the person may not see, as on its page: a hidden one's
    # existence is not told to those who cannot moderate it.
    contribution = _contribution(request, contribution_id)
    target = _target(contribution, payload.comment)
    moderated = services.moderate(target, payload.action, payload.reason, request.user)
    return _moderation(moderated)
