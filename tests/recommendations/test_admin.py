"""The back office shows recommendations to organisers, read-only: every change goes through
the services (validated, logged, audited)."""

from __future__ import annotations

import pytest
from django.test import Client

from cityforum.recommendations import services

pytestmark = pytest.mark.django_db


def test_organisers_read_recommendations_in_the_admin_but_cannot_change_them(
    organiser, fields, proposal
):
    recommendation = services.draft_recommendation(by=organiser, **fields)
    services.link_evidence(recommendation, "contribution", proposal.pk, by=organiser)
    client = Client()
    client.force_login(organiser)
    listing = client.get("/admin/recommendations/recommendation/")
    assert listing.status_code == 200 and "Les États transfèrent" in listing.content.decode()
    page = client.get(f"/admin/recommendations/recommendation/{recommendation.pk}/change/")
    assert page.status_code == 200 and proposal.title in page.content.decode()
    assert client.get("/admin/recommendations/recommendation/add/").status_code == 403
    client.post(
        f"/admin/recommendations/recommendation/{recommendation.pk}/change/", {"line": "advocacy"}
    )
    recommendation.refresh_from_db()
    assert recommendation.line == "financing"
