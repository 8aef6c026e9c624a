"""API of the synthesis app: stored opinion maps and themes syntheses (read only; runs are made
and reviewed by organisers). Only an approved synthesis is public; organisers also read the
others by id."""

from __future__ import annotations

import json
from typing import Any

import rules
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router

from cityforum.programme.models import Consultation
from cityforum.synthesis.opinion.services import latest_run

from .auth import TokenAuth

router = Router(tags=["synthesis"])


@router.get(
    "/consultations/{consultation_id}/opinion",
    summary="The consultation's latest opinion map",
    response={200: dict, 404: dict},
)
def get_opinion_map(request: HttpRequest, consultation_id: int) -> HttpResponse:
    """The stored result of the latest finished opinion-map run, in the format of
    ``cityforum analyse votes`` (participants keyed by voter public id, statements by id),
    with ``run``: its id, dates, seed, parameters, input checksum and engine version."""
    consultation = get_object_or_404(Consultation, pk=consultation_id)
    run = latest_run(consultation)
    if run is None:
        raise Http404(_("No opinion map has been computed for this consultation yet."))
    body = {
        **(run.result or {}),
        "run": {
            "id": run.pk,
            "consultation": consultation.pk,
            "created_at": run.created_at.isoformat(),
            "finished_at": run.finished_at.isoformat() if run.finished_at else None,
            "seed": run.seed,
            "engine_version": run.engine_version,
            "input_sha256": run.input_sha256,
            "n_votes": run.n_votes,
        },
    }
    # The stored document is served as is: no schema validation of a million participants.
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, allow_nan=False), content_type="application/json"
    )


def _viewer(request: HttpRequest) -> Any:
    """Who reads: the bearer token's person when one is sent, else the session's."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        user = TokenAuth().authenticate(request, header[7:].strip())
        if user:
            return user
    return request.user


def _json(body: dict[str, Any]) -> HttpResponse:
    # The stored documents are served as they are: no schema validation of large results.
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, allow_nan=False), content_type="application/json"
    )


def _run_summary(run: Any) -> dict[str, Any]:
    return {
        "id": run.pk,
        "consultation": run.consultation_id,
        "created_at": run.created_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "approved_at": run.approved_at.isoformat() if run.approved_at else None,
        **run.summary(),
    }


def _public_document(run: Any) -> dict[str, Any]:
    from cityforum.synthesis.themes.review import public_themes

    document = run.published()
    return {**document, "themes": public_themes(document)}


@router.get(
    "/synthesis/themes",
    summary="The latest approved themes synthesis of all consultations",
    response={200: dict, 404: dict},
)
def get_themes(request: HttpRequest) -> HttpResponse:
    """The latest synthesis of all consultations an organiser approved, as reviewed (rejected
    and merged-away themes left out): ``themes`` (labels in fr/en/es, terms, size, contribution
    ids, quotes in their original language, prevalence per region with its 95% interval),
    ``trends``, ``specificities`` (z-scores, counts, contribution ids), ``regions``, and ``run``:
    its id, dates, approval, parameters, input checksum and engine version."""
    from cityforum.synthesis.themes.services import latest_approved

    run = latest_approved(None)
    if run is None:
        raise Http404(_("No synthesis of the contributions has been approved yet."))
    return _json({**_public_document(run), "run": _run_summary(run)})


@router.get(
    "/syntheses/{synthesis_id}",
    summary="One themes synthesis, as reviewed and approved",
    response={200: dict, 404: dict},
)
def get_synthesis(request: HttpRequest, synthesis_id: int) -> HttpResponse:
    """A themes synthesis by id (one consultation, or all of them): the reviewed themes (kept
    ones), trends, specificities, regions, the capitals profile kept at the approval, the
    review's changes, the parameters, input checksum and versions, and who approved it when.
    404 until it is approved, except for organisers."""
    from cityforum.synthesis.models import ThemeRun
    from cityforum.synthesis.themes.review_services import active_reviews

    run = (
        ThemeRun.objects.select_related("approved_by", "consultation")
        .defer("assignment")
        .filter(pk=synthesis_id, status=ThemeRun.Status.DONE)
        .first()
    )
    viewer = _viewer(request)
    if run is None or (
        not run.is_approved and not rules.test_rule("synthesis.approve_themes", viewer, run)
    ):
        raise Http404(_("No approved synthesis has this number."))
    consultation = run.consultation
    body = {
        "id": run.pk,
        "scope": {
            "consultation": run.consultation_id,
            "slug": consultation.slug if consultation else None,
        },
        **_public_document(run),
        "rejected_themes": [
            {"id": t["id"], "labels": t["labels"], "size": t["size"]}
            for t in run.published().get("themes", [])
            if t.get("status") == "rejected"
        ],
        "capitals_profile": run.capitals_profile,
        "review": [
            {
                "action": step.action,
                "data": step.data,
                "by": step.by.public_name if step.by else None,
                "at": step.created_at.isoformat(),
            }
            for step in active_reviews(run)
        ],
        "reviewed": run.is_reviewed,
        "approved": run.is_approved,
        "approved_by": (
            {"id": run.approved_by.pk, "name": str(run.approved_by.public_name)}
            if run.approved_by
            else None
        ),
        "approved_at": run.approved_at.isoformat() if run.approved_at else None,
        "created_at": run.created_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        **run.summary(),
    }
    return _json(body)
