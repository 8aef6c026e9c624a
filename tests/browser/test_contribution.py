"""A contribution full of script and HTML is shown in Chromium, and nothing runs."""

from __future__ import annotations

import pytest
from django.test import Client

from cityforum.participation.models import Contribution
from cityforum.people.models import ApiToken, User
from cityforum.programme.models import Consultation
from cityforum.programme.seed import load_programme

pytestmark = pytest.mark.browser

PAYLOAD = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'


@pytest.fixture
def site(live_server: object, transactional_db: None) -> str:
    load_programme()
    Consultation.objects.filter(slug="inequalities").update(status="open")
    return str(live_server.url)  # type: ignore[attr-defined]


def test_script_in_a_contribution_never_runs(page, site: str) -> None:
    user = User.objects.create_user("xss@example.org", "a-long-pass-phrase")
    _record, token = ApiToken.issue(user)
    consultation = Consultation.objects.get(slug="inequalities")
    response = Client().post(
        f"/api/v1/consultations/{consultation.pk}/contributions",
        {"type": "proposal", "title": PAYLOAD, "body": PAYLOAD + "\n\nSome *real* text.",
         "language": "en", "capitals": ["social"]},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    contribution = Contribution.objects.get()
    page.goto(f"{site}/en/participate/contributions/{contribution.pk}/")
    page.wait_for_load_state("load")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert "<script>window.__pwned=1</script>" in page.locator("h1").inner_text()
    assert page.locator("article.contribution img").count() == 0
    page.goto(f"{site}/en/participate/consultations/inequalities/")
    assert page.evaluate("typeof window.__pwned") == "undefined"
