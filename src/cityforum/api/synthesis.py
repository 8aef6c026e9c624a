"""API of the synthesis app: stored opinion maps (read only; runs are made by organisers)."""

from __future__ import annotations

import json

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router

from cityforum.programme.models import Consultation
from cityforum.synthesis.services import latest_run

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


@router.get(
    "/synthesis/themes",
    summary="The latest approved themes synthesis of all consultations",
    response={200: dict, 404: dict},
)
def get_themes(request: HttpRequest) -> HttpResponse:
    """The latest synthesis an organiser approved: ``themes`` (labels in fr/en/es, terms, size,
    contribution ids, quotes in their original language, prevalence per region with its 95%
    interval), ``trends``, ``specificities`` (z-scores, counts, contribution ids), ``regions``,
    and ``run``: its id, dates, approval, parameters, input checksum and engine version."""
    from cityforum.synthesis.themes_services import latest_approved

    run = latest_approved(None)
    if run is None:
        raise Http404(_("No synthesis of the contributions has been approved yet."))
    body = {
        **(run.result or {}),
        "run": {
            "id": run.pk,
            "consultation": run.consultation_id,
            "created_at": run.created_at.isoformat(),
            "finished_at": run.finished_at.isoformat() if run.finished_at else None,
            "approved_at": run.approved_at.isoformat() if run.approved_at else None,
            **run.summary(),
        },
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, allow_nan=False), content_type="application/json"
    )
