"""The participation API: contributions, comments, endorsements, moderation; problem+json."""

from __future__ import annotations

import pytest
from django.test import Client

from cityforum.participation.models import Contribution
from cityforum.people.models import ApiToken

from .conftest import set_status

BODY = {
    "type": "proposal",
    "title": "Shade trees on market streets",
    "body": "Plant shade trees along every market street to cool the city in summer.",
    "language": "en",
    "capitals": ["environmental"],
}


def bearer(user) -> dict[str, str]:
    _record, token = ApiToken.issue(user)
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def post(path: str, data: dict | None, user=None, **headers):
    auth = bearer(user) if user is not None else {}
    return Client().post(
        f"/api/v1{path}", data or {}, content_type="application/json", **auth, **headers
    )


def test_contribute_then_read_list_and_page(regional, author) -> None:
    response = post(f"/consultations/{regional.pk}/contributions", BODY, author)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["url"].endswith(f"/participate/contributions/{created['id']}/")
    listing = Client().get(
        f"/api/v1/consultations/{regional.pk}/contributions?capital=environmental"
    )
    assert listing.json()["count"] == 1
    assert listing.json()["items"][0]["title"] == BODY["title"]
    assert (
        Client()
        .get(f"/api/v1/consultations/{regional.pk}/contributions?type=challenge")
        .json()["count"]
        == 0
    )
    page = Client().get(f"/api/v1/contributions/{created['id']}").json()
    assert page["constituencies"]["total"] == 0 and page["region"] == "africa"


def test_writes_need_credentials(regional) -> None:
    response = post(f"/consultations/{regional.pk}/contributions", BODY)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": "   "}, "title"),
        ({"body": "x" * 5001}, "body"),
        ({"language": "xx"}, "language"),
        ({"capitals": []}, "capitals"),
    ],
)
def test_bad_contributions_get_422_in_the_request_language(regional, author, change, field):
    response = post(
        f"/consultations/{regional.pk}/contributions", {**BODY, **change}, author,
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == "The request is not valid."
    assert not Contribution.objects.exists()


def test_a_closed_or_unknown_consultation_takes_nothing(regional, author) -> None:
    set_status(regional, "closed")
    response = post(f"/consultations/{regional.pk}/contributions", BODY, author)
    assert response.status_code == 403 and "only while it is open" in response.json()["detail"]
    assert post("/consultations/99999/contributions", BODY, author).status_code == 404
    assert not Contribution.objects.exists()


def test_endorse_once_then_409(contribution, person) -> None:
    reader = person("participant")
    first = post(f"/contributions/{contribution.pk}/endorsements", None, reader)
    assert first.status_code == 201 and first.json()["count"] == 1
    again = post(f"/contributions/{contribution.pk}/endorsements", None, reader)
    assert again.status_code == 409
    assert again["Content-Type"] == "application/problem+json"
    assert (
        Client().get(f"/api/v1/contributions/{contribution.pk}/endorsements").json()["count"] == 1
    )


def test_comments_and_replies(contribution, person) -> None:
    reader = person("participant")
    first = post(f"/contributions/{contribution.pk}/comments", {"body": "Yes"}, reader).json()
    reply = post(
        f"/contributions/{contribution.pk}/comments", {"body": "And", "parent": first["id"]}, reader
    )
    assert reply.status_code == 201
    deeper = post(
        f"/contributions/{contribution.pk}/comments",
        {"body": "No", "parent": reply.json()["id"]},
        reader,
    )
    assert deeper.status_code == 422
    items = Client().get(f"/api/v1/contributions/{contribution.pk}/comments").json()["items"]
    assert [i["body"] for i in items] == ["Yes", "And"]


def test_moderation_hides_with_a_reason_the_author_reads(contribution, person, author) -> None:
    path = f"/contributions/{contribution.pk}/moderation"
    hide = {"action": "hide", "reason": "Spam"}
    assert post(path, hide, person("participant")).status_code == 403
    assert post(path, hide, person("moderator elsewhere")).status_code == 403
    assert post(path, {"action": "bury", "reason": "x"}, person("organiser")).status_code == 422
    done = post(path, hide, person("moderator of the region"))
    assert done.status_code == 200 and done.json()["status"] == "hidden"
    assert Client().get(f"/api/v1/contributions/{contribution.pk}").status_code == 404
    mine = Client().get(f"/api/v1/contributions/{contribution.pk}", **bearer(author)).json()
    assert mine["moderation_reason"] == "Spam"
    history = Client().get(f"/api/v1{path}", **bearer(author)).json()
    assert history["events"][0]["action"] == "hide"


def test_reports_reach_the_moderators(contribution, person) -> None:
    reader = person("participant")
    path = f"/contributions/{contribution.pk}/reports"
    assert post(path, {"reason": "Off topic"}, reader).status_code == 201
    assert post(path, {"reason": ""}, person("participant", "x@x.org")).status_code == 422
    assert Client().get(f"/api/v1{path}", **bearer(reader)).status_code == 403
    reports = Client().get(f"/api/v1{path}", **bearer(person("organiser"))).json()
    assert [r["reason"] for r in reports] == ["Off topic"]


def test_writes_are_rate_limited(contribution, person, settings) -> None:
    # A day, not a minute: django-ratelimit's windows end at a per-key moment of each period,
    # so a minute-long one could end between the three posts and let the third through.
    settings.CITYFORUM_WRITE_RATE = "2/d"
    reader = person("participant")
    path = f"/contributions/{contribution.pk}/comments"
    codes = [post(path, {"body": "hi"}, reader).status_code for _ in range(3)]
    assert codes == [201, 201, 429]


def test_problems_speak_the_request_language(regional) -> None:
    response = Client().post(
        f"/api/v1/consultations/{regional.pk}/contributions",
        BODY,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 401
    assert response.json()["title"] == "Authentification requise."
