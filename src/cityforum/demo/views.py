"""The "About this demo" page: what the demo is, its sources with their licences and
attributions, how their places were mapped onto the forum's consultations, the demo
accounts, and the recommendations written for the demo. A real forum answers 404 here."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .accounts import DEMO_ACCOUNTS
from .sources import SOURCES


def about(request: HttpRequest) -> HttpResponse:
    if not getattr(settings, "CITYFORUM_DEMO", False):
        raise Http404(_("This forum is not a demonstration."))
    from cityforum.programme.models import Consultation

    titles = {c.slug: c.title for c in Consultation.objects.all()}
    sources = [
        {
            "source": source,
            "rows": [(place, titles.get(slug, slug)) for place, slug in source.mapping_rows],
        }
        for source in SOURCES
    ]
    from cityforum.people.models import Role

    accounts = [(Role(a.role).label, a.email, a.password) for a in DEMO_ACCOUNTS]
    return render(
        request,
        "demo/about.html",
        {"sources": sources, "accounts": accounts, "recommendations": _demo_recommendations()},
    )


def _demo_recommendations() -> list[Any]:
    """The recommendations the demo wrote (all of them: none was promoted from an imported
    text), with their text in the reader's language where there is one."""
    from django.utils.translation import get_language

    from cityforum.recommendations.models import Recommendation

    language = (get_language() or "en")[:2]
    return [
        {"pk": r.pk, "text": r.text_in(language) or r.text, "status": r.get_status_display()}
        for r in Recommendation.objects.filter(source_contribution__isnull=True).order_by("pk")
    ]
