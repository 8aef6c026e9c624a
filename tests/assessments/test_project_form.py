"""The web forms for a project's 0–5 self-assessment and for a local agenda (resilience.md §6.2).

Organisers and moderators fill them in; the service decides, and its messages appear next to
the fields they are about; nothing is written unless everything is right.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from cityforum.analysis.capitals import CAPITALS
from cityforum.assessments.models import Assessment, SelfAssessment

URL = "/en/assessments/projects/new/"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(score: int = 2, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"title": "Water kiosks", "year": "2024", "city": "", "budget": ""}
    for code in CAPITALS:
        data[f"{code}_score"] = str(score)
        data[f"{code}_evidence"] = "survey report, p. 3" if score >= 3 else ""
        data[f"{code}_confidence"] = "medium"
    data.update(overrides)
    return data


def _field_errors(html: str, field: str) -> list[str]:
    """The error messages shown in the paragraph of one field."""
    block = re.search(rf'<p class="field invalid">\s*<label for="id_{field}">.*?</p>', html, re.S)
    return (
        re.findall(r'<span class="error" role="alert">(.*?)</span>', block.group(0))
        if block
        else []
    )


def test_the_form_shows_the_anchors_for_each_capital(indicators, organiser) -> None:
    page = _client(organiser).get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    for code in CAPITALS:
        assert f'name="{code}_score"' in html and f'name="{code}_evidence"' in html
        assert f'name="{code}_confidence"' in html and f'name="{code}_adverse"' in html
    assert html.count("outcomes measured against the baseline") >= 5  # help text of each score
    assert '<option value="4">4 — Effective</option>' in html
    assert 'name="budget"' in html and 'name="agenda"' in html


def test_an_organiser_records_a_project_and_lands_on_its_page(indicators, organiser, towns) -> None:
    client = _client(organiser)
    data = _post(
        2,
        city=str(towns["Chefchaouen"].pk),
        budget="120000",
        human_score="4",
        human_evidence="baseline and endline survey",
        human_confidence="high",
        cultural_score="5",
        cultural_evidence="adopted in the 2024 budget",
        environmental_adverse="on",
    )
    response = client.post(URL, data)
    project = Assessment.objects.get(kind="project")
    assert response.status_code == 302 and response["Location"] == f"/en/assessments/{project.pk}/"
    assert project.title == "Water kiosks" and project.city == towns["Chefchaouen"]
    assert float(project.budget) == 120000
    assert project.scores == {
        "human": 80,
        "social": 40,
        "economic": 40,
        "cultural": 100,
        "environmental": 20,  # adverse effect: capped at 1
    }
    human = project.self_scores.get(capital="human")
    assert (human.score, human.confidence, human.evidence) == (
        4,
        "high",
        "baseline and endline survey",
    )
    assert project.self_scores.get(capital="environmental").adverse_effect
    # the detail page: scores, BRI, balance band, radar, steering advice
    html = client.get(response["Location"]).content.decode()
    assert "The project&#x27;s self-assessment is recorded." in html
    assert re.search(r'<dd class="bri">[\d.]+</dd>', html)
    assert "unbalanced" in html or "uneven" in html or "balanced" in html
    assert '<figure class="radar">' in html and "<caption>Scores of the five capitals" in html
    assert 'class="steering"' in html and 'data-capital="' in html


def test_a_moderator_may_record_one_too(indicators, moderator) -> None:
    assert _client(moderator).post(URL, _post(1)).status_code == 302
    assert Assessment.objects.filter(kind="project").count() == 1


def test_a_4_without_evidence_is_shown_next_to_its_field_and_nothing_is_written(
    indicators, organiser
) -> None:
    response = _client(organiser).post(URL, _post(2, economic_score="4", economic_evidence=" "))
    assert response.status_code == 400
    html = response.content.decode()
    assert _field_errors(html, "economic_evidence") == [
        "economic: a score of 4 needs evidence (required from 3 up)."
    ]
    assert 'value="Water kiosks"' in html  # the form comes back filled in
    assert not Assessment.objects.exists() and not SelfAssessment.objects.exists()


def test_a_missing_capital_is_shown_next_to_its_score_and_nothing_is_written(
    indicators, organiser
) -> None:
    response = _client(organiser).post(URL, _post(2, social_score=""))
    assert response.status_code == 400
    html = response.content.decode()
    message = "A self-assessment scores all five capitals; missing: social."
    assert _field_errors(html, "social_score") == [message]
    assert _field_errors(html, "human_score") == []
    assert not Assessment.objects.exists() and not SelfAssessment.objects.exists()


def test_the_service_messages_come_in_the_visitor_s_language(indicators, organiser) -> None:
    client = _client(organiser)
    response = client.post("/fr/assessments/projects/new/", _post(2, economic_score="3"))
    assert response.status_code == 400
    assert _field_errors(response.content.decode(), "economic_evidence") == [
        "economic : un score de 3 nécessite des justificatifs (requis à partir de 3)."
    ]
    assert not Assessment.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"year": "1200"}, "year", "Ensure this value is greater than or equal to 1950."),
        ({"budget": "-5"}, "budget", "Ensure this value is greater than or equal to 0."),
        ({"city": "1"}, "city", "No city has the GeoNames id 1."),
        ({"human_score": "7"}, "human_score", "Select a valid choice. 7 is not one of the"),
    ],
)
def test_other_bad_input_is_refused_next_to_its_field(
    indicators, organiser, overrides, field, message
) -> None:
    response = _client(organiser).post(URL, _post(2, **overrides))
    assert response.status_code == 400
    errors = _field_errors(response.content.decode(), field)
    assert errors and errors[0].startswith(message)
    assert not Assessment.objects.exists()


def test_participants_and_anonymous_visitors_are_refused(indicators, participant) -> None:
    for client in (_client(participant), Client()):
        assert client.get(URL).status_code == 403
        assert client.post(URL, _post(2)).status_code == 403
        assert client.get("/en/assessments/agendas/new/").status_code == 403
    assert not Assessment.objects.exists()
    index = _client(participant).get("/en/assessments/").content.decode()
    assert URL not in index


def test_the_index_links_to_the_forms_for_those_who_may_use_them(indicators, organiser) -> None:
    html = _client(organiser).get("/en/assessments/").content.decode()
    assert f'href="{URL}"' in html and 'href="/en/assessments/agendas/new/"' in html


def test_an_agenda_is_opened_then_its_projects_added(indicators, organiser) -> None:
    client = _client(organiser)
    response = client.post("/en/assessments/agendas/new/", {"title": "Agenda 2030", "year": "2024"})
    agenda = Assessment.objects.get(kind="agenda")
    assert response.status_code == 302 and response["Location"] == f"/en/assessments/{agenda.pk}/"
    page = client.get(response["Location"]).content.decode()
    link = f"/en/assessments/projects/new/?agenda={agenda.pk}"
    assert link in page
    assert f'<option value="{agenda.pk}" selected>' in client.get(link).content.decode()
    client.post(URL, _post(2, agenda=str(agenda.pk), budget="100"))
    client.post(URL, _post(4, title="Library", agenda=str(agenda.pk), budget="300"))
    agenda.refresh_from_db()
    assert agenda.projects.count() == 2
    assert agenda.scores["human"] == pytest.approx((40 * 100 + 80 * 300) / 400)
    bad = client.post("/en/assessments/agendas/new/", {"title": "", "year": "2024"})
    assert bad.status_code == 400 and Assessment.objects.filter(kind="agenda").count() == 1
