"""Pages of the synthesis app: the consultation's opinion map, read from its latest run."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from cityforum.programme.models import Consultation

from .page import page_context
from .services import latest_run


def opinion_map(request: HttpRequest, consultation_slug: str) -> HttpResponse:
    consultation = (
        Consultation.objects.select_related("forum", "region")
        .filter(slug=consultation_slug)
        .order_by("-forum__edition")
        .first()
    )
    if consultation is None:
        raise Http404(_("No consultation is called “%(slug)s”.") % {"slug": consultation_slug})
    run = latest_run(consultation, with_result=False)
    if run is None:
        return render(
            request, "synthesis/opinion_none.html", {"consultation": consultation}, status=404
        )
    context = {"consultation": consultation, **page_context(run)}
    return render(request, "synthesis/opinion.html", context)
