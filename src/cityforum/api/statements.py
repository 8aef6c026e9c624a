"""API of statements and votes (the Pol.is way): statements, votes, moderation, exports,
and the organisers' opening and closing of a consultation."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja import Status as Answer
from ninja.errors import AuthenticationError
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.security import HttpBearer
from pydantic import StrictInt

from cityforum.people import tokens
from cityforum.people.models import ApiToken, User, hash_token
from cityforum.programme.models import ALLOWED_TRANSITIONS, Consultation
from cityforum.programme.services import TransitionNotAllowed
from cityforum.statements import exports, services
from cityforum.statements.limits import vote_refused
from cityforum.statements.models import Statement

from .auth import TokenAuth, session_auth
from .inputs import Input
from .problems import Problem, problem
from .programme import ConsultationOut, _consultation, _consultations
from .programme import router as programme_router

router = Router(tags=["statements"])


class BearerToken(TokenAuth):
    """``TokenAuth``'s contract, at the cost of one plain query: vote writes are the API's
    hottest path. The token's ``last_used_at`` is written at most once a minute, not on
    every request (a write per request would serialise SQLite on the token table)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        token_table = connection.ops.quote_name(ApiToken._meta.db_table)
        user_table = connection.ops.quote_name(User._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT t.id, t.last_used_at, u.id, u.email, u.role, u.is_superuser,"  # noqa: S608 - table names from the models, values bound
                f" u.preferred_language FROM {token_table} t JOIN {user_table} u"
                " ON u.id = t.user_id WHERE t.key_hash = %s AND u.is_active",
                [hash_token(token)],
            )
            row = cursor.fetchone()
        if row is None:
            return None
        token_id, last_used, user_id, email, role, is_superuser, language = row
        now = timezone.now()
        if isinstance(last_used, str):  # SQLite through a plain cursor: UTC, naive
            last_used = dt.datetime.fromisoformat(last_used)
        if last_used is not None and last_used.tzinfo is None:
            last_used = last_used.replace(tzinfo=dt.UTC)
        if last_used is None or now - last_used > TOKEN_TOUCH_INTERVAL:
            ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
        user = User(
            id=user_id,
            email=email,
            role=role,
            is_superuser=bool(is_superuser),
            is_active=True,
            preferred_language=language,
        )
        user._state.adding = False
        user._state.db = "default"
        request.user = user
        return user


TOKEN_TOUCH_INTERVAL = dt.timedelta(minutes=1)
AUTH = [BearerToken(), session_auth]


class DeferredToken:
    """A bearer token whose check is left to the vote's own SQL statement.

    A token always belongs to the same person, so the person's id is remembered per
    process after the first full check (:mod:`cityforum.people.tokens`); whether the token
    still exists and the person is still active is checked again by every vote
    (:func:`services.cast_vote_fast` joins both), so a revoked token stops working at once.
    """

    def __init__(self, token: str) -> None:
        self.token = token
        self.hash = hash_token(token)

    def owner(self, request: HttpRequest) -> int | None:
        """The person's id, remembered or found by a full check (which sets ``request.user``)."""
        owner = tokens.owner_of(self.hash)
        if owner is None:
            user = self.user(request)
            owner = user.pk if user is not None else None
        return owner

    def touch(self) -> None:
        """``last_used_at`` at most once a minute per process, as :class:`BearerToken` does."""
        tokens.touch_if_due(self.hash)

    def user(self, request: HttpRequest) -> Any:
        """The full check: the person, or ``None`` for an unknown or revoked token."""
        user = BearerToken().authenticate(request, self.token)
        if user is None:
            tokens.forget(self.hash)
        else:
            tokens.remember(self.hash, user.pk)
            tokens.touched(self.hash)  # the full check keeps last_used_at up to date
        return user


class DeferredBearer(HttpBearer):
    """Bearer authentication for the vote write: the token is checked by the write itself."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return DeferredToken(token) if token else None


VOTE_AUTH = [DeferredBearer(), session_auth]


class StatusIn(Input):
    status: Literal["planned", "open", "closed", "synthesised", "published"]
    note: str = ""


class StatementIn(Input):
    text: str
    language: str | None = None


class StatementOut(Schema):
    id: int
    consultation: int
    text: str
    language: str
    status: str


class VoteIn(Input):
    statement: int
    #: Strict: JSON ``true`` is not the vote 1, nor ``"1"``.
    value: StrictInt


class VoteOut(Schema):
    statement: int
    value: int
    revision: int
    replaced: bool


class ModerationIn(Input):
    decision: Literal["accept", "reject"]
    reason: str = ""


def _statement(s: Statement) -> StatementOut:
    return StatementOut(
        id=s.pk, consultation=s.consultation_id, text=s.text, language=s.language, status=s.status
    )


# Registered on the programme's router: Django resolves a path to one router, and the
# programme's router already answers GET on this path.
@programme_router.patch(
    "/consultations/{consultation_id}",
    response={200: ConsultationOut, 409: Problem},
    auth=AUTH,
    tags=["statements"],
    summary="Open, close… a consultation (organisers)",
)
def change_status(
    request: HttpRequest, consultation_id: int, payload: StatusIn
) -> ConsultationOut | HttpResponse:
    consultation = get_object_or_404(Consultation, pk=consultation_id)
    try:
        services.change_consultation_status(
            consultation, payload.status, by=request.user, note=payload.note
        )
    except TransitionNotAllowed as error:
        allowed = sorted(ALLOWED_TRANSITIONS[consultation.status])
        return problem(
            409,
            _("This change of status is not allowed."),
            " ".join(error.messages),
            "invalid-transition",
            current=consultation.status,
            allowed=allowed,
        )
    return _consultation(get_object_or_404(_consultations(), pk=consultation_id))


@router.get(
    "/consultations/{consultation_id}/statements",
    response=list[StatementOut],
    summary="Accepted statements of a consultation",
)
@paginate(LimitOffsetPagination)
def list_statements(request: HttpRequest, consultation_id: int) -> list[StatementOut]:
    consultation = get_object_or_404(Consultation, pk=consultation_id)
    return [_statement(s) for s in services.accepted_statements(consultation)]


@router.post(
    "/consultations/{consultation_id}/statements",
    response={201: StatementOut},
    auth=AUTH,
    summary="Add (organisers) or propose (participants) a statement",
)
def add_statement(
    request: HttpRequest, consultation_id: int, payload: StatementIn
) -> Answer[StatementOut]:
    consultation = get_object_or_404(Consultation, pk=consultation_id)
    statement = services.add_statement(
        consultation, payload.text, by=request.user, language=payload.language
    )
    return Answer(201, _statement(statement))


@router.post(
    "/consultations/{consultation_id}/votes",
    response={200: VoteOut, 201: VoteOut, 409: Problem},
    auth=VOTE_AUTH,
    summary="Vote on a statement (201 first vote, 200 replaced)",
)
def cast_vote(
    request: HttpRequest, consultation_id: int, payload: VoteIn
) -> Answer[VoteOut] | HttpResponse:
    """The platform's hottest write. A token client who has voted in the consultation
    before takes :func:`services.cast_vote_fast` (one statement checks and writes); any
    other case, or a fast path that wrote nothing, takes the full path, which explains
    every refusal."""
    deferred = request.auth if isinstance(request.auth, DeferredToken) else None
    owner = deferred.owner(request) if deferred else request.user.pk
    if owner is None:
        raise AuthenticationError
    wait = vote_refused(request.META, owner)  # counted once per request, both routes
    if wait is not None:
        refusal = problem(
            429,
            _("Too many requests."),
            _("Too many votes in a short time; wait a minute and try again."),
            "rate-limited",
        )
        refusal["Retry-After"] = str(wait)
        return refusal
    try:
        cast = None
        if deferred is not None:
            cast = services.cast_vote_fast(
                consultation_id,
                payload.statement,
                payload.value,
                user_id=owner,
                token_hash=deferred.hash,
            )
            if cast is not None:
                deferred.touch()
            else:
                user = deferred.user(request)
                if user is None:
                    raise AuthenticationError
        if cast is None:
            cast = services.cast_vote_by_id(
                consultation_id, payload.statement, payload.value, user=request.user
            )
    except services.ConsultationNotOpen as error:
        return problem(409, _("Voting is closed."), " ".join(error.messages), "not-open")
    out = VoteOut(
        statement=cast.statement_id,
        value=cast.value,
        revision=cast.revision,
        replaced=not cast.created,
    )
    return Answer(201 if cast.created else 200, out)


@router.post(
    "/statements/{statement_id}/moderation",
    response=StatementOut,
    auth=AUTH,
    summary="Accept or reject a proposed statement (moderators)",
)
def moderate(request: HttpRequest, statement_id: int, payload: ModerationIn) -> StatementOut:
    statement = get_object_or_404(Statement.objects.select_related("consultation"), pk=statement_id)
    services.moderate_statement(
        statement, by=request.user, accept=payload.decision == "accept", reason=payload.reason
    )
    return _statement(statement)


class ModerationOut(Schema):
    id: int
    status: str
    reason: str
    moderated_at: dt.datetime | None


@router.get(
    "/statements/{statement_id}/moderation",
    response=ModerationOut,
    auth=AUTH,
    summary="Where a statement stands in moderation (its author and moderators)",
)
def moderation_state(request: HttpRequest, statement_id: int) -> ModerationOut:
    statement = get_object_or_404(Statement.objects.select_related("consultation"), pk=statement_id)
    mine = statement.author_id is not None and statement.author_id == request.user.pk
    if not mine and not services.rules.test_rule(
        "statements.moderate", request.user, statement.consultation
    ):
        raise PermissionDenied(_("Only its author and the moderators see this."))
    return ModerationOut(
        id=statement.pk,
        status=statement.status,
        reason=statement.reason,
        moderated_at=statement.moderated_at,
    )


#: How the schema describes the Pol.is exports: CSV files.
CSV_FILE = {
    "responses": {
        200: {"description": "A CSV file", "content": {"text/csv": {"schema": {"type": "string"}}}}
    }
}


def _csv(request: HttpRequest, consultation_id: int, name: str) -> HttpResponse:
    consultation = get_object_or_404(Consultation, pk=consultation_id)
    if not services.rules.test_rule("statements.run", request.user, consultation):
        raise PermissionDenied(_("Only organisers may export the votes."))
    maker = {
        "votes": exports.votes_csv,
        "comments": exports.comments_csv,
        "participants-votes": exports.participants_votes_csv,
    }[name]
    response = HttpResponse(maker(consultation), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@router.get(
    "/consultations/{consultation_id}/votes.csv",
    auth=AUTH,
    openapi_extra=CSV_FILE,
    summary="Current votes, Pol.is votes.csv format (organisers)",
)
def votes_csv(request: HttpRequest, consultation_id: int) -> HttpResponse:
    return _csv(request, consultation_id, "votes")


@router.get(
    "/consultations/{consultation_id}/participants-votes.csv",
    auth=AUTH,
    openapi_extra=CSV_FILE,
    summary="Votes per participant, Pol.is participants-votes.csv format (organisers)",
)
def participants_votes_csv(request: HttpRequest, consultation_id: int) -> HttpResponse:
    return _csv(request, consultation_id, "participants-votes")


@router.get(
    "/consultations/{consultation_id}/comments.csv",
    auth=AUTH,
    openapi_extra=CSV_FILE,
    summary="Statements, Pol.is comments.csv format (organisers)",
)
def comments_csv(request: HttpRequest, consultation_id: int) -> HttpResponse:
    return _csv(request, consultation_id, "comments")
