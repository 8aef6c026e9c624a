"""The "About this demo" page: what the demo is, its sources with their licences and
attributions, how their places were mapped onto the forum's consultations, and the demo
accounts. A real forum answers 404 here."""

from __future__ import annotations

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
    return render(request, "demo/about.html", {"sources": sources, "accounts": accounts})
