"""The recommendation pages in French, English and Spanish, with plain forms (no JavaScript):
list with filters, detail with evidence quoted in its original language and support, the
writing form with the services' messages, the stale edit, the balance matrix and alerts."""

from __future__ import annotations

import pytest
from django.test import Client

from cityforum.recommendations import services
from cityforum.recommendations.models import Recommendation

pytestmark = pytest.mark.django_db


def client_for(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("language", "title"),
    [("fr", "Recommandations"), ("en", "Recommendations"), ("es", "Recomendaciones")],
)
def test_the_list_is_in_three_languages_and_filters(organiser, fields, language, title):
    services.draft_recommendation(by=organiser, **fields)
    services.draft_recommendation(
        by=organiser, **{**fields, "line": "advocacy", "text": "Plaider."}
    )
    page = client_for().get(f"/{language}/recommendations/")
    assert page.status_code == 200 and title in page.content.decode()
    assert page.content.decode().count('class="recommendation"') == 2
    filtered = client_for().get(f"/{language}/recommendations/?line=advocacy")
    assert filtered.content.decode().count('class="recommendation"') == 1


def test_the_detail_quotes_evidence_in_its_original_language_with_regions_and_support(
    organiser, fields, theme_run, member
):
    rec = services.draft_recommendation(by=organiser, **fields)
    services.link_evidence(rec, "theme", theme_run.pk, "0", by=organiser)
    services.endorse(rec, by=member("africa", "maire@example.org"))
    html = client_for().get(f"/en/recommendations/{rec.pk}/").content.decode()
    assert '<blockquote lang="es">' in html and "Los gobiernos nacionales" in html
    assert "Latin America" in html or "latam" in html
    assert "civil society (1)" in html
    assert 'class="support-by-region"' in html and "1 endorsement" in html


def test_the_writing_form_works_without_javascript_and_shows_the_services_message(
    organiser, fields, consultation
):
    client = client_for(organiser)
    assert client.get("/fr/recommendations/new/").status_code == 200
    data = {
        **fields,
        "capitals": ["human", "social", "cultural"],
        "consultations": [consultation.pk],
    }
    refused = client.post("/en/recommendations/new/", data)
    assert refused.status_code == 200
    assert "Choose one or two capitals (3 given)" in refused.content.decode()
    assert not Recommendation.objects.exists()
    saved = client.post("/en/recommendations/new/", {**data, "capitals": ["economic"]})
    assert saved.status_code == 302
    assert Recommendation.objects.get().author == organiser


def test_a_stale_edit_on_the_page_names_the_newer_version(organiser, moderator, fields):
    rec = services.draft_recommendation(by=organiser, **fields)
    services.update_recommendation(rec, by=moderator, expected_version=1, line="advocacy")
    data = {**fields, "version": 1, "line": "implementation"}
    answer = client_for(organiser).post(f"/en/recommendations/{rec.pk}/edit/", data)
    assert answer.status_code == 200 and "now at version 2" in answer.content.decode()
    rec.refresh_from_db()
    assert rec.line == "advocacy"


def test_status_endorsement_and_balance_through_the_pages(organiser, fields, proposal, member):
    rec = services.draft_recommendation(by=organiser, **fields)
    client = client_for(organiser)
    client.post(f"/en/recommendations/{rec.pk}/status/", {"status": "consulted", "reason": "Go."})
    rec.refresh_from_db()
    assert rec.status == "draft"  # no evidence yet: refused, with a message
    client.post(
        f"/en/recommendations/{rec.pk}/evidence/", {"kind": "contribution", "source": proposal.pk}
    )
    client.post(f"/en/recommendations/{rec.pk}/status/", {"status": "consulted", "reason": "Go."})
    rec.refresh_from_db()
    assert rec.status == "consulted"
    endorser = client_for(member("aspac", "partner@example.org"))
    assert endorser.post(f"/en/recommendations/{rec.pk}/endorse/").status_code == 302
    assert rec.endorsements.count() == 1
    html = client_for().get("/en/recommendations/balance/").content.decode()
    assert "Balance index over the capitals" in html
    assert "No recommendation for Cultural capital × advocacy." in html
    assert "Balance index over the capitals: 0.12 (unbalanced)." in html
    assert "Ninguna recomendación para Capital cultural × incidencia." in (
        client_for().get("/es/recommendations/balance/").content.decode()
    )


def test_promote_page_keeps_the_author(organiser, proposal, participant):
    assert (
        client_for(participant).get(f"/en/recommendations/promote/{proposal.pk}/").status_code
        == 403
    )
    answer = client_for(organiser).post(
        f"/en/recommendations/promote/{proposal.pk}/",
        {"line": "financing", "addressee": "global", "pact_component": "people"},
    )
    assert answer.status_code == 302
    assert Recommendation.objects.get().author == proposal.author


def test_the_suggestion_fragment_answers_and_stays_quiet_on_an_empty_text(organiser):
    answer = client_for(organiser).post("/en/recommendations/suggest/", {"text": ""})
    assert answer.status_code == 200
    assert "Suggested line" not in answer.content.decode()


def test_the_suggestion_fragment_names_the_line_and_capitals_the_text_points_to(organiser):
    text = "Create a dedicated fund and grants so that intermediary cities finance infrastructure."
    answer = client_for(organiser).post(
        "/en/recommendations/suggest/", {"text": text, "language": "en"}
    )
    html = answer.content.decode()
    assert 'class="line-financing"' in html and "Suggested line of transformation:" in html
    assert 'class="capital-economic"' in html


def test_the_contribution_page_offers_promotion_to_drafters_then_links_the_recommendation(
    organiser, moderator, participant, proposal
):
    url = f"/en/participate/contributions/{proposal.pk}/"
    promote = f"/en/recommendations/promote/{proposal.pk}/"
    assert promote in client_for(moderator).get(url).content.decode()
    assert promote not in client_for(participant).get(url).content.decode()
    rec = services.promote_contribution(
        proposal, by=organiser, line="advocacy", addressee="global", pact_component="planet"
    )
    html = client_for().get(url).content.decode()
    assert f"/en/recommendations/{rec.pk}/" in html and promote not in html
