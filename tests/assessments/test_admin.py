"""Organisers edit the framework in the back office; goalposts go through the service."""

from __future__ import annotations

from django.forms.models import model_to_dict
from django.test import Client

from cityforum.assessments.admin import IndicatorForm
from cityforum.assessments.models import Indicator
from cityforum.core.models import AuditEvent


def _form_data(indicator: Indicator, **changes) -> dict:
    data = {k: v for k, v in model_to_dict(indicator).items() if k in IndicatorForm.Meta.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data.update(changes)
    return data


def test_an_organiser_changes_goalposts_in_the_admin_and_the_version_grows(
    indicators, organiser
) -> None:
    client = Client()
    client.force_login(organiser)
    h3 = Indicator.objects.get(code="H3")
    url = f"/admin/assessments/indicator/{h3.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(url, _form_data(h3, best=80, reason="review"))
    assert response.status_code == 302, response.content.decode()[:2000]
    h3.refresh_from_db()
    assert (h3.best, h3.version) == (80, 2)
    assert AuditEvent.objects.get(verb="indicator.goalposts").reason == "review"


def test_equal_goalposts_are_refused_in_the_admin(indicators, organiser) -> None:
    client = Client()
    client.force_login(organiser)
    h3 = Indicator.objects.get(code="H3")
    response = client.post(
        f"/admin/assessments/indicator/{h3.pk}/change/", _form_data(h3, worst=100, best=100)
    )
    assert response.status_code == 200
    assert "they must differ to normalise" in response.content.decode()
    h3.refresh_from_db()
    assert (h3.worst, h3.best, h3.version) == (0, 100, 1)
