"""The review page (organisers only), what review changes do to the public pages and to
``GET /api/v1/syntheses/{id}``, the themes × regions heat map, and one consultation's page."""

from __future__ import annotations

import html as html_lib
import json
import re
from typing import Any

import pytest
from django.test import Client

from cityforum.people.models import ApiToken, User
from cityforum.programme.models import Consultation
from cityforum.synthesis.models import ThemeReview, ThemeRun
from cityforum.synthesis.themes.review_services import rename_theme
from cityforum.synthesis.themes.services import approve_themes, run_themes

from . import test_themes_runs as _runs
from .test_themes_runs import PASSWORD, _theme_with

corpus = _runs.corpus
run = _runs.run

LABELS = {"label_fr": "L'eau pour tous", "label_en": "Water for all", "label_es": "Agua para todos"}


def client_for(user: User | None, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    if user is not None:
        client.force_login(user)
    return client


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return html_lib.unescape(response.content.decode())


def test_organisers_review_on_a_page_with_every_action(run: ThemeRun, organiser: User) -> None:
    text = page(client_for(organiser), f"/en/synthesis/themes/{run.pk}/review/")
    for action in ("rename", "merge", "split", "reject"):
        assert f'action="/en/synthesis/themes/{run.pk}/review/{action}/"' in text
    assert 'name="label_es"' in text and 'value="c:water"' in text
    assert "No change yet: the themes are those the model found." in text
    assert f'action="/en/synthesis/themes/{run.pk}/approve/"' in text


@pytest.mark.parametrize("role", ["participant", "moderator", None])
def test_others_neither_see_the_review_nor_change_it(run: ThemeRun, role: str | None) -> None:
    person = User.objects.create_user(f"{role}@example.org", PASSWORD, role=role) if role else None
    client = client_for(person)
    assert client.get(f"/en/synthesis/themes/{run.pk}/review/").status_code == 404
    response = client.post(f"/en/synthesis/themes/{run.pk}/review/rename/", {"theme": 0, **LABELS})
    assert response.status_code == 403
    run.refresh_from_db()
    assert run.reviewed is None and not ThemeReview.objects.exists()


def test_a_review_action_needs_the_csrf_token(run: ThemeRun, organiser: User) -> None:
    client = client_for(organiser, enforce_csrf_checks=True)
    response = client.post(f"/en/synthesis/themes/{run.pk}/review/reject/", {"theme": 0})
    assert response.status_code == 403
    assert not ThemeReview.objects.exists()


def test_renaming_and_rejecting_on_the_page_change_what_the_public_reads(
    run: ThemeRun, organiser: User
) -> None:
    client = client_for(organiser)
    water, tourism = _theme_with(run, "water"), _theme_with(run, "tourism")
    base = f"/en/synthesis/themes/{run.pk}/review/"
    response = client.post(f"{base}rename/", {"theme": water["id"], **LABELS}, follow=True)
    assert "The theme is renamed." in response.content.decode()
    client.post(f"{base}reject/", {"theme": tourism["id"], "reason": "Off topic"})
    review = page(client, base)
    assert (
        f"Theme no. {water['id']} renamed “L'eau pour tous / Water for all / Agua para todos”"
        in (review)
    )
    assert f"Theme no. {tourism['id']} rejected." in review and "(rejected)" in review
    client.post(f"/en/synthesis/themes/{run.pk}/approve/")

    public = page(Client(), "/en/synthesis/themes/")
    assert "<h3>Water for all</h3>" in public
    assert f"<h3>{water['labels']['en']}</h3>" not in public
    assert f"<h3>{tourism['labels']['en']}</h3>" not in public
    assert "fall into 3 themes" in public and "(2 changes)" in public
    spanish = page(Client(), "/es/synthesis/themes/")
    assert "<h3>Agua para todos</h3>" in spanish

    body = json.loads(Client().get("/api/v1/synthesis/themes").content)
    assert [t["labels"]["en"] for t in body["themes"] if t["id"] == water["id"]] == [
        "Water for all"
    ]
    assert tourism["id"] not in {t["id"] for t in body["themes"]}


@pytest.mark.parametrize(
    ("action", "data", "message"),
    [
        ("merge", {"theme": 1, "into": 1}, "A theme cannot be merged with itself."),
        ("rename", {"theme": 1, "label_fr": "", "label_en": "x", "label_es": "y"}, "is empty"),
        ("split", {"theme": 1}, "Choose some of the theme's words for the new theme"),
        ("reject", {"theme": 42}, "This synthesis has no theme no. 42."),
    ],
)
def test_bad_input_on_the_page_says_why_and_writes_nothing(
    run: ThemeRun, organiser: User, action: str, data: dict[str, Any], message: str
) -> None:
    response = client_for(organiser).post(
        f"/en/synthesis/themes/{run.pk}/review/{action}/", data, follow=True
    )
    assert response.status_code == 200
    assert message in html_lib.unescape(response.content.decode())
    run.refresh_from_db()
    assert run.reviewed is None and not ThemeReview.objects.exists()


def test_after_approval_the_page_offers_to_reopen_and_refuses_changes(
    run: ThemeRun, organiser: User
) -> None:
    approve_themes(run, by=organiser)
    client = client_for(organiser)
    text = page(client, f"/en/synthesis/themes/{run.pk}/review/")
    assert "Reopen for review" in text and "/review/rename/" not in text
    response = client.post(
        f"/en/synthesis/themes/{run.pk}/review/rename/", {"theme": 0, **LABELS}, follow=True
    )
    assert "This synthesis is approved: reopen it before reviewing it again." in (
        response.content.decode()
    )
    assert not ThemeReview.objects.exists()
    client.post(f"/en/synthesis/themes/{run.pk}/review/reopen/", {"reason": "A better name"})
    run.refresh_from_db()
    assert not run.is_approved
    assert Client().get("/api/v1/synthesis/themes").status_code == 404
    assert client.get("/en/synthesis/themes/foo/review/").status_code == 404
    assert client.post(f"/en/synthesis/themes/{run.pk}/review/explode/").status_code == 404


def test_the_synthesis_api_serves_only_approved_syntheses_except_to_organisers(
    run: ThemeRun, organiser: User
) -> None:
    url = f"/api/v1/syntheses/{run.pk}"
    response = Client().get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    participant = User.objects.create_user("p@example.org", PASSWORD, role="participant")
    assert client_for(participant).get(url).status_code == 404
    _record, token = ApiToken.issue(organiser)
    early = Client().get(url, headers={"authorization": f"Bearer {token}"})
    assert early.status_code == 200
    assert early.json()["approved"] is False and early.json()["approved_at"] is None
    assert client_for(organiser).get(url).status_code == 200
    assert Client().get("/api/v1/syntheses/99999").status_code == 404


def test_the_synthesis_api_gives_the_reviewed_and_approved_synthesis(
    run: ThemeRun, organiser: User
) -> None:
    water, tourism = _theme_with(run, "water"), _theme_with(run, "tourism")
    rename_theme(run, water["id"], {"fr": "Eau", "en": "Water", "es": "Agua"}, by=organiser)
    client = client_for(organiser)
    client.post(f"/en/synthesis/themes/{run.pk}/review/reject/", {"theme": tourism["id"]})
    approve_themes(run, by=organiser)
    body = json.loads(Client().get(f"/api/v1/syntheses/{run.pk}").content)
    assert body["id"] == run.pk and body["scope"] == {"consultation": None, "slug": None}
    assert body["approved"] and body["approved_by"]["id"] == organiser.pk
    assert "@" not in body["approved_by"]["name"]  # never the e-mail address
    assert body["approved_at"] and body["reviewed"]
    assert {t["id"] for t in body["themes"]} == {0, 1, 2, 3} - {tourism["id"]}
    assert body["rejected_themes"] == [
        {"id": tourism["id"], "labels": tourism["labels"], "size": tourism["size"]}
    ]
    assert [t["labels"] for t in body["themes"] if t["id"] == water["id"]] == [
        {"fr": "Eau", "en": "Water", "es": "Agua"}
    ]
    assert [step["action"] for step in body["review"]] == ["rename", "reject"]
    assert body["input_sha256"] == run.input_sha256 and body["parameters"]["n_themes"] == 4
    assert body["n_contributions"] == 60 and "scikit-learn" in body["engine_version"]
    assert body["trends"] and all(t["theme"] != tourism["id"] for t in body["trends"])
    assert set(body["capitals_profile"]["counts"]) == {
        "human",
        "social",
        "economic",
        "cultural",
        "environmental",
    }


def test_the_heat_map_is_a_figure_and_a_table_with_the_same_numbers(
    run: ThemeRun, organiser: User
) -> None:
    approve_themes(run, by=organiser)
    text = page(Client(), "/fr/synthesis/themes/")
    water = _theme_with(run, "water")
    svg = text[text.index('<svg xmlns="http://www.w3.org/2000/svg"') : text.index("</svg>")]
    assert 'role="img"' in svg and svg.count("<rect") == 4 * 3
    assert not re.search(r'(x|y|width|height)="\d+,\d', svg)  # no decimal commas in French
    table = text[text.index('<table class="heatmap-table">') : text.index("</table>")]
    row = table[table.index(f'<th scope="row">{water["labels"]["fr"]}</th>') :]
    row = row[: row.index("</tr>")]
    assert row.count("<td") == 3 and row.count("(6/18;") == 2  # latam: 6 of its 24
    assert "(6/24;" in row and "hsl(210, 65%," in row
    tourism = _theme_with(run, "tourism")
    row = table[table.index(f'<th scope="row">{tourism["labels"]["fr"]}</th>') :]
    assert "0 % <small>(0/18;" in row[: row.index("</tr>")]


def test_one_consultation_has_its_own_synthesis_page(corpus: Any, organiser: User) -> None:
    latam = Consultation.objects.get(slug="regional-latam")
    url = "/en/synthesis/regional-latam/themes/"
    before = page(Client(), url)
    assert "No synthesis of this consultation's contributions has been approved yet." in before
    one = run_themes(latam, by=organiser, n_themes=3)
    assert f"/en/synthesis/themes/{one.pk}/review/" in page(client_for(organiser), url)
    assert f"/synthesis/themes/{one.pk}/" not in page(Client(), url)
    response = client_for(organiser).post(f"/en/synthesis/themes/{one.pk}/approve/")
    assert response["Location"] == url
    text = page(Client(), url)
    assert "24 contributions from 1 region, in their own languages" in text
    assert "there are no regions to compare, so no global trend" in text
    assert "With only one region there is nothing to compare" in text
    assert all(f"<h3>{t['labels']['en']}</h3>" in text for t in one.result["themes"])
    assert Client().get("/en/synthesis/nowhere/themes/").status_code == 404
