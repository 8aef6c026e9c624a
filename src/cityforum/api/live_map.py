"""API of the live opinion map (issue 16): the latest update, and the caller's own place in it.

Both answers carry an ``ETag`` and answer ``304 Not Modified`` to a matching ``If-None-Match``,
so that clients polling every second or two cost one small query when nothing changed.
Neither ever carries another participant's position or votes: the first holds groups (of at
least ``CITYFORUM_LIVE_MAP_MIN_GROUP`` members, smaller ones merged into "other"), the second
only the caller's own.
"""

from __future__ import annotations

import json
from typing import Any

from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router

from cityforum.programme.models import Consultation
from cityforum.statements.models import Voter
from cityforum.synthesis.opinion import live

from .statements import AUTH

router = Router(tags=["synthesis"])


def live_state_or_404(consultation: Consultation) -> live.LatestState:
    """Which update is the latest (one small row), or a 404 that says why (off, or nothing
    computed yet)."""
    state = live.latest_state(consultation.pk)
    if state is None or not state.enabled:
        raise Http404(_("The live opinion map is off for this consultation."))
    if state.update_id is None:
        raise Http404(
            _("The live opinion map has no update yet: it appears once enough people have voted.")
        )
    return state


def _update(state: live.LatestState) -> Any:
    update = live.loaded_update(state.update_id or 0)
    if update is None:  # pruned between the two reads: the next poll gets the newer one
        raise Http404(_("The live opinion map has changed; ask again."))
    return update


def conditional(request: HttpRequest, etag: str, body: Any) -> HttpResponse:
    """``304`` when the client already holds ``etag``, else the JSON of ``body()``."""
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(
            json.dumps(body(), ensure_ascii=False, allow_nan=False),
            content_type="application/json",
        )
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


def _not_current(consultation: Consultation, state: live.LatestState) -> str | None:
    since = live.not_current_since(consultation, state.max_event_id)
    return since.isoformat() if since is not None else None


@router.get(
    "/consultations/{consultation_id}/opinion/live",
    summary="The consultation's live opinion map",
    response={200: dict, 304: None, 404: dict},
)
def get_live_map(request: HttpRequest, consultation_id: int) -> HttpResponse:
    """The latest update of the live map: groups (label, size, centre, representative
    statements, vote shares per statement), consensus statements, counts and provenance, and
    ``not_current_since`` when votes older than a few seconds are not in it yet."""
    consultation = get_object_or_404(Consultation, pk=consultation_id)
    state = live_state_or_404(consultation)
    not_current = _not_current(consultation, state)
    etag = f'"live-{state.update_id}-{live.min_group_size()}-{not_current or ""}"'
    return conditional(
        request,
        etag,
        lambda: {**live.public_view(_update(state)), "not_current_since": not_current},
    )


@router.get(
    "/consultations/{consultation_id}/opinion/live/me",
    summary="Your place in the live opinion map",
    auth=AUTH,
    response={200: dict, 304: None, 401: dict, 404: dict},
)
def get_my_place(request: HttpRequest, consultation_id: int) -> HttpResponse:
    """The caller's own position and group in the latest update, and their votes beside their
    group's shares; only the caller's (a voter of the consultation)."""
    consultation = get_object_or_404(Consultation, pk=consultation_id)
    state = live_state_or_404(consultation)
    voter = Voter.objects.filter(consultation=consultation, user=request.auth).first()
    if voter is None:
        raise Http404(_("You have not voted in this consultation yet."))
    mine = voter.votes.aggregate(n=Count("pk"), last=Max("updated_at"))
    last = mine["last"].timestamp() if mine["last"] else 0
    etag = f'"me-{state.update_id}-{voter.pk}-{mine["n"]}-{last}"'
    return conditional(
        request,
        etag,
        lambda: {"update": state.update_id, **live.own_view(_update(state), voter)},
    )
