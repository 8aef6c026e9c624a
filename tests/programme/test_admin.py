"""The back office: organisers reach every model; status moves go through the service."""

from __future__ import annotations

import html

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from cityforum.people.models import User
from cityforum.programme.models import Consultation, StatusChange


@pytest.fixture
def organiser_client(programme: None) -> Client:
    user = User.objects.create_user("org@example.org", "a-long-pass-phrase", role="organiser")
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def test_an_organiser_reaches_every_model(organiser_client: Client) -> None:
    models = list(admin.site._registry)
    assert {m._meta.model_name for m in models} >= {
        "forum",
        "capital",
        "region",
        "consultation",
        "referencedocument",
        "statuschange",
        "country",
        "city",
        "user",
        "apitoken",
        "datasetload",
    }
    for model in models:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = organiser_client.get(url)
        assert response.status_code == 200, url
        title = html.escape(str(model._meta.verbose_name_plural)).lower()
        assert title in response.content.decode().lower()


def test_a_participant_is_kept_out_of_the_back_office(programme: None) -> None:
    user = User.objects.create_user("p@example.org", "a-long-pass-phrase", role="participant")
    client = Client()
    client.force_login(user)
    response = client.get("/admin/programme/consultation/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_admin_action_moves_a_status_and_logs_who_did_it(organiser_client: Client) -> None:
    consultation = Consultation.objects.get(slug="inequalities")
    response = organiser_client.post(
        "/admin/programme/consultation/",
        {"action": "move_to_open", "_selected_action": [consultation.pk]},
        follow=True,
    )
    assert response.status_code == 200
    consultation.refresh_from_db()
    assert consultation.status == "open"
    change = StatusChange.objects.get(consultation=consultation)
    assert change.changed_by.email == "org@example.org"


def test_the_admin_action_refuses_a_skipped_step_and_says_why(organiser_client: Client) -> None:
    consultation = Consultation.objects.get(slug="inequalities")
    response = organiser_client.post(
        "/admin/programme/consultation/",
        {"action": "move_to_published", "_selected_action": [consultation.pk]},
        follow=True,
    )
    assert "cannot become published" in response.content.decode()
    consultation.refresh_from_db()
    assert consultation.status == "planned" and not StatusChange.objects.exists()
