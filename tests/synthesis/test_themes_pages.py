"""The themes page ``/<lang>/synthesis/themes/`` and ``GET /api/v1/synthesis/themes``: only an
approved synthesis is public; organisers see the others with an Approve button."""

from __future__ import annotations

import html as html_lib
import json

import pytest
from django.test import Client

from cityforum.participation.models import Contribution
from cityforum.people.models import User
from cityforum.synthesis.models import ThemeRun
from cityforum.synthesis.themes.services import approve_themes

from . import test_themes_runs as _runs
from .test_themes_runs import PASSWORD, _theme_with

# The corpus and its run, shared with the service tests.
corpus = _runs.corpus
run = _runs.run

URL = "/{lang}/synthesis/themes/"


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_no_approved_synthesis_is_a_plain_404(run: ThemeRun) -> None:
    response = Client().get(URL.format(lang="en"))
    assert response.status_code == 404
    page = response.content.decode()
    assert "No synthesis of the contributions has been approved yet." in page
    assert "Approve" not in page
    assert Client().get(f"/en/synthesis/themes/{run.pk}/").status_code == 404


def test_the_api_has_nothing_before_approval(run: ThemeRun) -> None:
    response = Client().get("/api/v1/synthesis/themes")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert (
        "No synthesis of the contributions has been approved"
        in json.loads(response.content)["detail"]
    )


@pytest.mark.parametrize("role", ["participant", "moderator"])
def test_others_than_organisers_neither_see_nor_approve_a_pending_run(
    run: ThemeRun, role: str
) -> None:
    person = User.objects.create_user(f"{role}@example.org", PASSWORD, role=role)
    client = client_for(person)
    assert client.get(URL.format(lang="en")).status_code == 404
    assert client.get(f"/en/synthesis/themes/{run.pk}/").status_code == 404
    assert client.post(f"/en/synthesis/themes/{run.pk}/approve/").status_code == 403
    run.refresh_from_db()
    assert run.approved_at is None


def test_organisers_see_pending_runs_and_approve_them(run: ThemeRun, organiser: User) -> None:
    client = client_for(organiser)
    page = client.get(URL.format(lang="en")).content.decode()
    assert "Syntheses awaiting approval" in page
    assert f'action="/en/synthesis/themes/{run.pk}/approve/"' in page
    assert "csrfmiddlewaretoken" in page
    preview = client.get(f"/en/synthesis/themes/{run.pk}/").content.decode()
    assert "Not approved yet: only organisers see this synthesis." in preview
    assert client.get(f"/en/synthesis/themes/{run.pk}/approve/").status_code == 405
    response = client.post(f"/en/synthesis/themes/{run.pk}/approve/")
    assert response.status_code == 302 and response["Location"] == "/en/synthesis/themes/"
    run.refresh_from_db()
    assert run.approved_by == organiser


def test_the_approval_needs_the_csrf_token(run: ThemeRun, organiser: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(organiser)
    assert client.post(f"/en/synthesis/themes/{run.pk}/approve/").status_code == 403
    run.refresh_from_db()
    assert run.approved_at is None


@pytest.mark.parametrize("language", ["fr", "en", "es"])
def test_the_approved_synthesis_is_public_in_each_language(
    run: ThemeRun, organiser: User, language: str
) -> None:
    approve_themes(run, by=organiser)
    response = Client().get(URL.format(lang=language))
    assert response.status_code == 200
    page = html_lib.unescape(response.content.decode())
    assert f'<html lang="{language}"' in page
    water = _theme_with(run, "water")
    assert water["labels"][language] in page  # labels in the reader's language
    for quote in water["quotes"]:  # quotes in their own language, linked to the contribution
        original = Contribution.objects.get(pk=quote["contribution"])
        assert f'<blockquote lang="{original.language}">' in page
        assert original.title in page
        assert f'href="/{language}/participate/contributions/{original.pk}/"' in page
    assert "/approve/" not in page  # no Approve button for the public


def test_the_page_says_the_trends_and_specificities_in_words(
    run: ThemeRun, organiser: User
) -> None:
    approve_themes(run, by=organiser)
    page = html_lib.unescape(Client().get(URL.format(lang="en")).content.decode())
    water = _theme_with(run, "water")["labels"]["en"]
    tourism = _theme_with(run, "tourism")["labels"]["en"]
    assert f"“{water}” is a global trend: present in 3 of 3 regions" in page
    assert f"“{tourism}” is not a global trend: present in 1 of 3 regions" in page
    assert f"the theme “{tourism}” comes up more than elsewhere (z = " in page
    assert "Approved by" in page and "Not approved yet" not in page
    assert "60 contributions from 3 regions, in their own languages, fall into 4 themes." in page


def test_the_api_serves_the_approved_synthesis(run: ThemeRun, organiser: User) -> None:
    approve_themes(run, by=organiser)
    response = Client().get("/api/v1/synthesis/themes")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["run"]["id"] == run.pk and body["run"]["approved_at"]
    assert body["run"]["input_sha256"] == run.input_sha256
    assert body["themes"] == run.result["themes"]
    assert {s["region"] for s in body["specificities"]} >= {"latam"}
    assert all(s["contributions"] for s in body["specificities"])
