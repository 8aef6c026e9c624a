"""API of the forum's recommendations: list, read, write, translate, change status, endorse,
link evidence, and the balance of the forum's output.

Reads are public. Writes take a bearer token or the site session, are rate-limited per person
like the other writes, and go through :mod:`cityforum.recommendations.services` like the pages
do. A write that collides with the state of the recommendation (an edit against an older
version, a second endorsement, evidence already cited, a contribution already promoted)
answers ``409`` with the service's own message, which names the newer version; other bad input
answers ``422`` — both problem+json in the request's language.
"""

import datetime as dt
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate

from cityforum.core.languages import CONTENT_LANGUAGES
from cityforum.participation.models import Contribution
from cityforum.recommendations import services
from cityforum.recommendations.balance import balance
from cityforum.recommendations.models import Evidence, Recommendation
from cityforum.recommendations.support import support, support_many

from .auth import TokenAuth, session_auth
from .inputs import Input, Int, Text
from .problems import Problem, problem

router = Router(tags=["recommendations"])

write_auth = [TokenAuth(), session_auth]
WRITE_RATE = "30/m"

#: Service error codes that mean "this collides with the recommendation's state" → 409.
CONFLICT_CODES: dict[str, str] = {"conflict": "conflict", "duplicate": "duplicate"}

LineCode = Literal["advocacy", "financing", "capacity_building", "implementation"]
AddresseeCode = Literal["local", "national", "regional", "global"]
StatusCode = Literal["draft", "consulted", "adopted", "withdrawn"]


def _throttle(request: HttpRequest) -> None:
    rate = getattr(settings, "CITYFORUM_WRITE_RATE", WRITE_RATE)
    if is_ratelimited(
        request, group="recommendations.write", key="user", rate=rate, increment=True
    ):
        raise HttpError(429, _("Too many requests: wait a minute and try again."))


def _codes(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [e.code or "" for errors in error.error_dict.values() for e in errors]
    return [e.code or "" for e in error.error_list]


def _conflict_or_raise(error: ValidationError) -> HttpResponse:
    for code in _codes(error):
        if code in CONFLICT_CODES:
            extra: dict[str, Any] = {}
            version = getattr(error, "params", None) or {}
            if "version" in version:
                extra["current_version"] = version["version"]
            return problem(
                409,
                _("This conflicts with the current state of the recommendation."),
                " ".join(error.messages),
                CONFLICT_CODES[code],
                **extra,
            )
    raise error


# --- schemas -----------------------------------------------------------------------------------


class RecommendationEvidenceOut(Schema):
    id: int
    kind: str
    source: int
    key: str
    label: str
    quote: str
    language: str
    regions: list[str]
    constituencies: dict[str, int]
    count: int
    note: str
    created_at: dt.datetime


class RecommendationStatusChangeOut(Schema):
    from_status: str
    to_status: str
    reason: str
    at: dt.datetime


class RecommendationSupportOut(Schema):
    total: int
    by_constituency: dict[str, int]
    by_region: dict[str, int]
    sections_taking_part: list[str]
    sections_endorsing: list[str]
    needed: int
    backed_across_regions: bool


class RecommendationOut(Schema):
    id: int
    url: str
    text: str
    language: str
    translations: dict[str, str]
    translation_status: dict[str, str]
    consultations: list[int]
    capitals: list[str]
    line: str
    addressee: str
    region: str | None
    pact_component: str
    status: str
    version: int
    author: str
    source_contribution: int | None
    support: RecommendationSupportOut
    evidence_count: int
    created_at: dt.datetime
    updated_at: dt.datetime


class RecommendationDetail(RecommendationOut):
    evidence: list[RecommendationEvidenceOut]
    status_changes: list[RecommendationStatusChangeOut]


class RecommendationIn(Input):
    text: str
    language: str
    consultations: list[Int]
    capitals: list[str]
    line: str
    addressee: str
    pact_component: str
    region: str | None = None


class RecommendationPatch(Input):
    version: Int
    text: str | None = None
    language: str | None = None
    consultations: list[Int] | None = None
    capitals: list[str] | None = None
    line: str | None = None
    addressee: str | None = None
    pact_component: str | None = None
    region: str | None = None


class RecommendationPromoteIn(Input):
    contribution: Int
    line: str
    addressee: str
    pact_component: str
    capitals: list[str] | None = None
    region: str | None = None
    text: str | None = None


class RecommendationTranslationIn(Input):
    text: str


class RecommendationStatusIn(Input):
    status: str
    reason: str


class RecommendationEvidenceIn(Input):
    kind: str
    source: Int
    key: str = ""
    note: str = ""


class RecommendationEndorsementOut(Schema):
    recommendation: int
    endorsed: bool
    support: RecommendationSupportOut


class RecommendationBalanceOut(Schema):
    statuses: list[str]
    n_recommendations: int
    by_line: dict[str, dict[str, int]]
    by_addressee: dict[str, dict[str, int]]
    capital_totals: dict[str, int]
    index: dict[str, Any] | None
    alerts: list[dict[str, Any]]
    addressee_alerts: list[dict[str, Any]]


# --- reading -----------------------------------------------------------------------------------


def _queryset() -> QuerySet[Recommendation]:
    return (
        Recommendation.objects.select_related("region", "author")
        .prefetch_related("capitals", "consultations")
        .annotate(n_evidence=Count("evidence", distinct=True))
    )


def _author_name(recommendation: Recommendation) -> str:
    return str(recommendation.author.public_name)


def _out(recommendation: Recommendation, backing: Any) -> dict[str, Any]:
    return {
        "id": recommendation.pk,
        "url": reverse("recommendations:detail", args=[recommendation.pk]),
        "text": recommendation.text,
        "language": recommendation.language,
        "translations": {code: recommendation.text_in(code) for code in CONTENT_LANGUAGES},
        "translation_status": {
            code: recommendation.translation_status(code) for code in CONTENT_LANGUAGES
        },
        "consultations": sorted(c.pk for c in recommendation.consultations.all()),
        "capitals": [c.code for c in recommendation.capitals.all()],
        "line": recommendation.line,
        "addressee": recommendation.addressee,
        "region": recommendation.region.code if recommendation.region_id else None,
        "pact_component": recommendation.pact_component,
        "status": recommendation.status,
        "version": recommendation.version,
        "author": _author_name(recommendation),
        "source_contribution": recommendation.source_contribution_id,
        "support": backing.as_dict(),
        "evidence_count": getattr(recommendation, "n_evidence", None)
        if getattr(recommendation, "n_evidence", None) is not None
        else recommendation.evidence.count(),
        "created_at": recommendation.created_at,
        "updated_at": recommendation.updated_at,
    }


def _evidence_out(evidence: Evidence) -> dict[str, Any]:
    return {
        "id": evidence.pk,
        "kind": evidence.kind,
        "source": evidence.source_id,
        "key": evidence.key,
        "label": evidence.label,
        "quote": evidence.quote,
        "language": evidence.language,
        "regions": list(evidence.regions or []),
        "constituencies": dict(evidence.constituencies or {}),
        "count": evidence.count,
        "note": evidence.note,
        "created_at": evidence.created_at,
    }


def _detail(pk: int) -> dict[str, Any]:
    recommendation = get_object_or_404(_queryset(), pk=pk)
    out = _out(recommendation, support(recommendation))
    out["evidence"] = [_evidence_out(e) for e in recommendation.evidence.all()]
    out["status_changes"] = [
        {"from_status": c.from_status, "to_status": c.to_status, "reason": c.reason, "at": c.at}
        for c in recommendation.status_changes.all()
    ]
    return out


def _recommendation(pk: int) -> Recommendation:
    return get_object_or_404(Recommendation, pk=pk)


@router.get(
    "/recommendations",
    response=list[RecommendationOut],
    summary="The forum's recommendations, with filters",
)
@paginate(LimitOffsetPagination)
def list_recommendations(
    request: HttpRequest,
    capital: Text | None = None,
    line: LineCode | None = None,
    addressee: AddresseeCode | None = None,
    status: StatusCode | None = None,
    consultation: Int | None = None,
) -> list[dict[str, Any]]:
    queryset = _queryset()
    if capital:
        queryset = queryset.filter(capitals__code=capital)
    if line:
        queryset = queryset.filter(line=line)
    if addressee:
        queryset = queryset.filter(addressee=addressee)
    if status:
        queryset = queryset.filter(status=status)
    if consultation is not None:
        queryset = queryset.filter(consultations__pk=consultation)
    items = list(queryset.distinct().order_by("-updated_at", "-pk"))
    backing = support_many(items)
    return [_out(r, backing[r.pk]) for r in items]


@router.get(
    "/recommendations/balance",
    response=RecommendationBalanceOut,
    summary="Capitals × lines and capitals × addressees of the consulted and adopted ones",
)
def get_balance(request: HttpRequest) -> dict[str, Any]:
    return balance().as_dict()


# Declared before /recommendations/{recommendation_id}: its path would take "promote".
@router.post(
    "/recommendations/promote",
    response={201: RecommendationDetail, 409: Problem},
    auth=write_auth,
    summary="Promote a contribution of type recommendation (organisers, moderators)",
)
def promote(request: HttpRequest, payload: RecommendationPromoteIn) -> Status | HttpResponse:
    _throttle(request)
    contribution = Contribution.objects.filter(pk=payload.contribution).first()
    if contribution is None:  # a field of the body, not the address: invalid input (422)
        raise ValidationError(
            {"contribution": _("There is no contribution %(ref)s.") % {"ref": payload.contribution}}
        )
    try:
        recommendation = services.promote_contribution(
            contribution,
            by=request.user,
            line=payload.line,
            addressee=payload.addressee,
            pact_component=payload.pact_component,
            capitals=payload.capitals,
            region=payload.region,
            text=payload.text,
        )
    except ValidationError as error:
        return _conflict_or_raise(error)
    return Status(201, _detail(recommendation.pk))


@router.get(
    "/recommendations/{recommendation_id}",
    response=RecommendationDetail,
    summary="One recommendation with its evidence, support and status log",
)
def get_recommendation(request: HttpRequest, recommendation_id: Int) -> dict[str, Any]:
    return _detail(recommendation_id)


@router.get(
    "/recommendations/{recommendation_id}/support",
    response=RecommendationSupportOut,
    summary="Endorsements by constituency and world section; backed across regions",
)
def get_support(request: HttpRequest, recommendation_id: Int) -> dict[str, Any]:
    return support(_recommendation(recommendation_id)).as_dict()


# --- writing -----------------------------------------------------------------------------------


@router.post(
    "/recommendations",
    response={201: RecommendationDetail, 409: Problem},
    auth=write_auth,
    summary="Draft (organisers, moderators) or propose (participants) a recommendation",
)
def create(request: HttpRequest, payload: RecommendationIn) -> Status:
    _throttle(request)
    fields = payload.dict()
    action = (
        services.draft_recommendation
        if services.may(request.user, "recommendations.draft")
        else services.propose_recommendation
    )
    recommendation = action(by=request.user, **fields)
    return Status(201, _detail(recommendation.pk))


@router.patch(
    "/recommendations/{recommendation_id}",
    response={200: RecommendationDetail, 409: Problem},
    auth=write_auth,
    summary="Edit a recommendation made against `version` (409 when it changed since)",
)
def update(
    request: HttpRequest, recommendation_id: Int, payload: RecommendationPatch
) -> dict[str, Any] | HttpResponse:
    _throttle(request)
    recommendation = _recommendation(recommendation_id)
    given = payload.dict(exclude_unset=True)
    expected = given.pop("version")
    if "region" in given and given["region"] is None:
        given["region"] = ""
    changes = {k: v for k, v in given.items() if v is not None or k == "region"}
    try:
        services.update_recommendation(
            recommendation, by=request.user, expected_version=expected, **changes
        )
    except ValidationError as error:
        return _conflict_or_raise(error)
    return _detail(recommendation.pk)


@router.put(
    "/recommendations/{recommendation_id}/translations/{language}",
    response=RecommendationDetail,
    auth=write_auth,
    summary="Set the French, English or Spanish version (organisers, moderators)",
)
def translate(
    request: HttpRequest,
    recommendation_id: Int,
    language: Text,
    payload: RecommendationTranslationIn,
) -> dict[str, Any]:
    _throttle(request)
    recommendation = _recommendation(recommendation_id)
    services.set_translation(recommendation, language, payload.text, by=request.user)
    return _detail(recommendation.pk)


@router.post(
    "/recommendations/{recommendation_id}/status",
    response=RecommendationDetail,
    auth=write_auth,
    summary="Move to draft, consulted, adopted or withdrawn with a public reason (organisers)",
)
def change_status(
    request: HttpRequest, recommendation_id: Int, payload: RecommendationStatusIn
) -> dict[str, Any]:
    _throttle(request)
    recommendation = _recommendation(recommendation_id)
    services.change_status(recommendation, payload.status, by=request.user, reason=payload.reason)
    return _detail(recommendation.pk)


@router.post(
    "/recommendations/{recommendation_id}/evidence",
    response={201: RecommendationEvidenceOut, 409: Problem},
    auth=write_auth,
    summary="Link approved or public evidence (organisers, moderators)",
)
def link_evidence(
    request: HttpRequest, recommendation_id: Int, payload: RecommendationEvidenceIn
) -> Status | HttpResponse:
    _throttle(request)
    recommendation = _recommendation(recommendation_id)
    try:
        evidence = services.link_evidence(
            recommendation,
            payload.kind,
            payload.source,
            payload.key,
            by=request.user,
            note=payload.note,
        )
    except ValidationError as error:
        return _conflict_or_raise(error)
    return Status(201, _evidence_out(evidence))


@router.delete(
    "/recommendations/{recommendation_id}/evidence/{evidence_id}",
    response={204: None},
    auth=write_auth,
    summary="Unlink a piece of evidence (organisers, moderators)",
)
def unlink_evidence(request: HttpRequest, recommendation_id: Int, evidence_id: Int) -> Status:
    _throttle(request)
    evidence = get_object_or_404(Evidence, pk=evidence_id, recommendation_id=recommendation_id)
    services.unlink_evidence(evidence, by=request.user)
    return Status(204, None)


@router.post(
    "/recommendations/{recommendation_id}/endorsements",
    response={201: RecommendationEndorsementOut, 409: Problem},
    auth=write_auth,
    summary="Endorse a recommendation (once)",
)
def endorse(request: HttpRequest, recommendation_id: Int) -> Status | HttpResponse:
    _throttle(request)
    recommendation = _recommendation(recommendation_id)
    try:
        services.endorse(recommendation, by=request.user)
    except ValidationError as error:
        return _conflict_or_raise(error)
    return Status(
        201,
        {
            "recommendation": recommendation.pk,
            "endorsed": True,
            "support": support(recommendation).as_dict(),
        },
    )


@router.delete(
    "/recommendations/{recommendation_id}/endorsements",
    response=RecommendationEndorsementOut,
    auth=write_auth,
    summary="Withdraw one's endorsement",
)
def withdraw(request: HttpRequest, recommendation_id: Int) -> dict[str, Any]:
    _throttle(request)
    recommendation = _recommendation(recommendation_id)
    services.withdraw_endorsement(recommendation, by=request.user)
    return {
        "recommendation": recommendation.pk,
        "endorsed": False,
        "support": support(recommendation).as_dict(),
    }
