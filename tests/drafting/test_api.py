"""The co-drafting API: documents, versions, amendments and their decisions, exports.

Reads are public; writes need a token; decisions that collide with the document's state
answer 409 with the service's message, and nothing is written.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client, override_settings

from cityforum.drafting import services
from cityforum.drafting.models import Amendment, Article, Document, Version
from cityforum.people.models import ApiToken, User

from .conftest import make_person

PROBLEM = "application/problem+json"


def bearer(user: User) -> dict[str, str]:
    _record, token = ApiToken.issue(user)
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def get(path: str, **headers: str) -> Any:
    return Client().get(f"/api/v1{path}", **headers)


def post(path: str, data: dict[str, Any] | None = None, user: User | None = None, **headers: str):
    auth = bearer(user) if user is not None else {}
    return Client().post(
        f"/api/v1{path}", data or {}, content_type="application/json", **auth, **headers
    )


def proposal(target: Article, **changes: Any) -> dict[str, Any]:
    body = {
        "article": target.pk,
        "kind": "modify",
        "text": "Les gouvernements locaux associent les habitants à chaque décision.",
        "rationale": "Plus direct.",
    }
    body.update(changes)
    return body


def assert_problem(response: Any, status: int, kind: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and body["detail"]
    if kind:
        assert body["type"].endswith(f"/{kind}")
    return body


# --- reading -----------------------------------------------------------------------------------


def test_documents_are_listed_with_their_latest_version(document: Document) -> None:
    body = get("/documents").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["id"] == document.pk
    assert item["title"]["en"] == "Code of Conduct for Resilience (starting draft)"
    assert set(item["title"]) == {"fr", "en", "es"}
    assert item["version"] == 1
    assert item["consultation"] == document.consultation_id
    assert item["status"] == "drafting" and item["starting_draft"] is True
    assert item["articles_count"] == document.articles.filter(deleted=False).count()
    assert item["url"].endswith(f"/drafting/{document.slug}/")


def test_a_document_gives_every_article_in_three_languages(document: Document) -> None:
    body = get(f"/documents/{document.pk}").json()
    articles = document.articles.filter(deleted=False).order_by("order")
    assert [a["number"] for a in body["articles"]] == [a.number for a in articles]
    first = body["articles"][0]
    assert set(first) >= {"id", "number", "text"}
    assert first["text"] == {
        "fr": articles[0].text_fr,
        "en": articles[0].text_en,
        "es": articles[0].text_es,
    }
    assert first["translation"] == {"fr": "source", "en": "current", "es": "current"}
    assert body["preamble"]["fr"].startswith("Nous, gouvernements locaux")


def test_an_untranslated_article_gives_its_source_text_and_says_so(
    document: Document, article: Article
) -> None:
    Article.objects.filter(pk=article.pk).update(text_es="", revision_es=0)
    body = get(f"/documents/{document.pk}").json()
    row = next(a for a in body["articles"] if a["id"] == article.pk)
    assert row["text"]["es"] == article.text_fr
    assert row["translation"]["es"] == "missing"


def test_an_unknown_document_is_a_404_problem(programme: None) -> None:
    assert_problem(get("/documents/999999"), 404, "not-found")
    assert_problem(get("/documents/999999/versions"), 404)
    assert_problem(get("/documents/999999/amendments"), 404)


def test_versions_keep_the_full_history(
    document: Document, amendment: Amendment, organiser: User
) -> None:
    before = amendment.article.text_fr
    services.accept_amendment(amendment, by=organiser)
    body = get(f"/documents/{document.pk}/versions").json()
    assert body["count"] == 2
    first, second = body["items"]
    assert [first["number"], second["number"]] == [1, 2]
    texts = [{a["id"]: a["text"]["fr"] for a in v["articles"]} for v in (first, second)]
    assert texts[0][amendment.article_id] == before
    assert texts[1][amendment.article_id] == amendment.text
    assert second["created_by"] == organiser.public_name


def test_amendments_are_listed_and_filtered(
    document: Document, amendment: Amendment, organiser: User, participant: User
) -> None:
    other = services.propose_amendment(
        document, amendment.article, by=participant, kind="delete", rationale="Redondant."
    )
    services.reject_amendment(other, by=organiser, reason="Il est utile.")
    body = get(f"/documents/{document.pk}/amendments").json()
    assert body["count"] == 2
    first = body["items"][0]
    assert first["id"] == amendment.pk and first["kind"] == "modify"
    assert first["article"] == amendment.article_id and first["stale"] is False
    assert first["author"] == participant.public_name
    pending = get(f"/documents/{document.pk}/amendments?status=pending").json()
    assert [a["id"] for a in pending["items"]] == [amendment.pk]
    rejected = get(f"/documents/{document.pk}/amendments?status=rejected").json()["items"]
    assert rejected[0]["kind"] == "delete" and rejected[0]["reason"] == "Il est utile."
    other_article = document.articles.exclude(pk=amendment.article_id).first()
    assert get(f"/documents/{document.pk}/amendments?article={other_article.pk}").json() == {
        "items": [],
        "count": 0,
    }
    assert_problem(get(f"/documents/{document.pk}/amendments?status=maybe"), 422)


def test_hidden_amendments_are_neither_listed_nor_found(
    document: Document, amendment: Amendment, organiser: User
) -> None:
    Amendment.objects.filter(pk=amendment.pk).update(visibility="hidden")
    assert get(f"/documents/{document.pk}/amendments").json()["count"] == 0
    assert_problem(post(f"/amendments/{amendment.pk}/accept", {}, organiser), 404)


# --- proposing ---------------------------------------------------------------------------------


def test_a_participant_proposes_an_amendment(
    document: Document, article: Article, participant: User
) -> None:
    response = post(f"/documents/{document.pk}/amendments", proposal(article), participant)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending" and body["kind"] == "modify"
    assert body["language"] == "fr"  # no language named: the article's source
    assert body["base_revision"] == article.source_revision
    assert Amendment.objects.get(pk=body["id"]).author == participant


def test_add_is_the_models_add_after(
    document: Document, article: Article, participant: User
) -> None:
    body = proposal(article, kind="add", text="Un article nouveau.", language="en")
    response = post(f"/documents/{document.pk}/amendments", body, participant)
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "add" and response.json()["language"] == "en"
    assert Amendment.objects.get(pk=response.json()["id"]).kind == Amendment.Kind.ADD_AFTER


def test_the_proposal_language_defaults_to_the_requests(
    document: Document, article: Article, participant: User
) -> None:
    response = post(
        f"/documents/{document.pk}/amendments",
        proposal(article, text="Los gobiernos locales asocian a la población."),
        participant,
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert response.status_code == 201, response.content
    assert response.json()["language"] == "es"
    assert Amendment.objects.get(pk=response.json()["id"]).base_text == article.text_es


def test_writes_need_credentials(document: Document, article: Article, amendment) -> None:
    for path, body in [
        (f"/documents/{document.pk}/amendments", proposal(article)),
        (f"/amendments/{amendment.pk}/accept", {}),
        (f"/amendments/{amendment.pk}/reject", {"reason": "Non."}),
        (f"/amendments/{amendment.pk}/votes", {"value": "agree"}),
        (f"/amendments/{amendment.pk}/endorsements", {}),
    ]:
        assert_problem(post(path, body), 401, "unauthenticated")
    response = post(
        f"/documents/{document.pk}/amendments",
        proposal(article),
        HTTP_AUTHORIZATION="Bearer cf_not-a-token",
    )
    assert_problem(response, 401)
    assert Amendment.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"rationale": "   "}, "Explain why"),
        ({"text": ""}, "empty"),
        ({"kind": "rewrite"}, "kind"),
        ({"language": "de"}, "language"),
        ({"article": 999999}, "no article"),
        ({"text": "x" * 3001}, "3000"),
    ],
)
def test_bad_proposals_are_refused_clearly_and_nothing_is_written(
    document: Document, article: Article, participant: User, changes: dict, words: str
) -> None:
    response = post(
        f"/documents/{document.pk}/amendments", proposal(article, **changes), participant
    )
    body = assert_problem(response, 422, "invalid-input")
    assert words.lower() in body["detail"].lower()
    assert Amendment.objects.count() == 0


def test_an_amendment_to_a_deleted_article_is_refused(
    document: Document, article: Article, participant: User, organiser: User
) -> None:
    deletion = services.propose_amendment(
        document, article, by=participant, kind="delete", rationale="Redondant."
    )
    services.accept_amendment(deletion, by=organiser)
    response = post(f"/documents/{document.pk}/amendments", proposal(article), participant)
    body = assert_problem(response, 422)
    assert "deleted" in body["detail"]
    assert Amendment.objects.count() == 1


def test_proposals_wait_for_the_consultation_to_open(
    document: Document, article: Article, participant: User
) -> None:
    document.consultation.status = "closed"
    document.consultation.save(update_fields=["status"])
    response = post(f"/documents/{document.pk}/amendments", proposal(article), participant)
    assert_problem(response, 403, "forbidden")


def test_a_frozen_document_takes_no_amendment(
    document: Document, article: Article, participant: User, organiser: User
) -> None:
    services.freeze_document(document, by=organiser)
    response = post(f"/documents/{document.pk}/amendments", proposal(article), participant)
    body = assert_problem(response, 409, "frozen")
    assert "frozen" in body["detail"]
    assert Amendment.objects.count() == 0


# --- deciding ----------------------------------------------------------------------------------


def test_an_organiser_accepts_an_amendment_into_a_new_version(
    document: Document, amendment: Amendment, organiser: User
) -> None:
    response = post(f"/amendments/{amendment.pk}/accept", {"reason": "Bienvenu."}, organiser)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "accepted" and body["version"] == 2 and body["reason"] == "Bienvenu."
    assert Article.objects.get(pk=amendment.article_id).text_fr == amendment.text
    assert get(f"/documents/{document.pk}").json()["version"] == 2


def test_a_participant_cannot_accept_or_reject(amendment: Amendment, participant: User) -> None:
    body = assert_problem(post(f"/amendments/{amendment.pk}/accept", {}, participant), 403)
    assert "organisers" in body["detail"]
    assert_problem(post(f"/amendments/{amendment.pk}/reject", {"reason": "Non."}, participant), 403)
    amendment.refresh_from_db()
    assert amendment.is_pending and Version.objects.count() == 1


def test_two_organisers_accepting_conflicting_amendments_the_second_gets_409(
    document: Document, article: Article, participant: User, organiser: User
) -> None:
    """Both amendments were written against the same text; the first accepted makes
    version 2, and accepting the second is refused with a message naming version 2."""
    other = make_person("moderator")
    first = post(f"/documents/{document.pk}/amendments", proposal(article), participant).json()
    second = post(
        f"/documents/{document.pk}/amendments",
        proposal(article, text="Les habitants décident avec leurs élus."),
        other,
    ).json()
    organiser_b = User.objects.create_user(
        "organiser-b@example.org", "pw-long-enough", role="organiser"
    )

    accepted = post(f"/amendments/{first['id']}/accept", {}, organiser)
    assert accepted.status_code == 200 and accepted.json()["version"] == 2

    stale = get(f"/documents/{document.pk}/amendments?status=pending").json()["items"]
    assert [a["stale"] for a in stale] == [True]
    refused = post(f"/amendments/{second['id']}/accept", {}, organiser_b)
    body = assert_problem(refused, 409, "conflict")
    assert "version 2" in body["detail"]

    article.refresh_from_db()
    assert article.text_fr == first["text"]
    assert Amendment.objects.get(pk=second["id"]).status == "pending"
    assert Version.objects.filter(document=document).count() == 2


def test_a_decided_amendment_cannot_be_decided_again(amendment: Amendment, organiser: User) -> None:
    assert post(f"/amendments/{amendment.pk}/accept", {}, organiser).status_code == 200
    for path, body in [
        (f"/amendments/{amendment.pk}/accept", {}),
        (f"/amendments/{amendment.pk}/reject", {"reason": "Finalement non."}),
    ]:
        problem = assert_problem(post(path, body, organiser), 409, "not-pending")
        assert "already been decided" in problem["detail"]
    assert Version.objects.count() == 2


def test_accepting_on_a_frozen_document_is_refused(
    document: Document, amendment: Amendment, organiser: User
) -> None:
    services.freeze_document(document, by=organiser)
    versions = Version.objects.count()
    assert_problem(post(f"/amendments/{amendment.pk}/accept", {}, organiser), 409, "frozen")
    assert Version.objects.count() == versions
    amendment.refresh_from_db()
    assert amendment.is_pending


def test_rejecting_needs_a_public_reason(amendment: Amendment, organiser: User) -> None:
    body = assert_problem(post(f"/amendments/{amendment.pk}/reject", {}, organiser), 422)
    assert "reason" in body["detail"]
    amendment.refresh_from_db()
    assert amendment.is_pending
    response = post(f"/amendments/{amendment.pk}/reject", {"reason": "Hors sujet."}, organiser)
    assert response.status_code == 200
    assert response.json()["status"] == "rejected" and response.json()["reason"] == "Hors sujet."


def test_an_unknown_amendment_is_a_404(programme: None, organiser: User) -> None:
    assert_problem(post("/amendments/999999/accept", {}, organiser), 404)


# --- votes and endorsements --------------------------------------------------------------------


def test_people_vote_once_on_an_amendment(amendment: Amendment, participant: User) -> None:
    voter = make_person("moderator")
    response = post(f"/amendments/{amendment.pk}/votes", {"value": "agree"}, participant)
    assert response.status_code == 201
    assert response.json() == {
        "amendment": amendment.pk,
        "value": "agree",
        "agree": 1,
        "disagree": 0,
    }
    response = post(f"/amendments/{amendment.pk}/votes", {"value": "disagree"}, voter)
    assert response.json()["disagree"] == 1
    again = post(f"/amendments/{amendment.pk}/votes", {"value": "disagree"}, participant)
    assert "already voted" in assert_problem(again, 409, "duplicate")["detail"]
    assert_problem(post(f"/amendments/{amendment.pk}/votes", {"value": "maybe"}, voter), 422)
    assert amendment.votes.count() == 2


def test_people_endorse_once(amendment: Amendment, participant: User, organiser: User) -> None:
    response = post(f"/amendments/{amendment.pk}/endorsements", None, participant)
    assert response.status_code == 201
    assert response.json() == {"amendment": amendment.pk, "endorsed": True, "endorsements": 1}
    assert_problem(post(f"/amendments/{amendment.pk}/endorsements", None, participant), 409)
    services.accept_amendment(amendment, by=organiser)
    late = post(f"/amendments/{amendment.pk}/endorsements", None, make_person("moderator"))
    assert_problem(late, 409, "not-pending")
    assert amendment.endorsements.count() == 1


# A day, not a minute: django-ratelimit's windows end at a per-key moment of each period, so a
# minute-long one could end between the three posts and let the third through.
@override_settings(CITYFORUM_WRITE_RATE="2/d")
def test_writes_are_rate_limited(amendment: Amendment, participant: User) -> None:
    statuses = [
        post(f"/amendments/{amendment.pk}/endorsements", None, participant).status_code
        for _ in range(3)
    ]
    assert statuses[:2] == [201, 409] and statuses[2] == 429


# --- exports -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("format", "content_type"),
    [
        ("md", "text/markdown; charset=utf-8"),
        ("json", "application/json"),
        ("pdf", "application/pdf"),
    ],
)
def test_the_document_is_exported(document: Document, format: str, content_type: str) -> None:
    response = get(f"/documents/{document.pk}/export?format={format}&language=es")
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == (
        f'attachment; filename="{document.slug}-v1-es.{format}"'
    )
    if format == "json":
        assert json.loads(response.content)["title"] == document.title_es
    elif format == "md":
        assert response.content.decode().startswith(f"# {document.title_es}")
    else:
        assert response.content.startswith(b"%PDF-")


def test_the_export_language_defaults_to_the_requests(document: Document) -> None:
    response = get(f"/documents/{document.pk}/export?format=json", HTTP_ACCEPT_LANGUAGE="en")
    assert json.loads(response.content)["language"] == "en"


@pytest.mark.parametrize(
    "query", ["format=docx&language=fr", "format=md&language=de", "language=fr"]
)
def test_an_unknown_export_is_a_clear_422(document: Document, query: str) -> None:
    body = assert_problem(get(f"/documents/{document.pk}/export?{query}"), 422, "invalid-input")
    assert "format" in body["detail"] or "language" in body["detail"]


def test_exporting_an_unknown_document_is_a_404(programme: None) -> None:
    assert_problem(get("/documents/999999/export?format=md&language=fr"), 404)
