"""The voting page works without JavaScript, in French, English and Spanish."""

from __future__ import annotations

import pytest
from django.test import Client

from cityforum.statements import services
from cityforum.statements.models import Statement, Vote, VotingSettings

from .conftest import PASSWORD


@pytest.fixture
def three(consultation, organiser) -> list[Statement]:
    return [
        services.add_statement(consultation, f"Statement number {n}.", by=organiser)
        for n in (1, 2, 3)
    ]


@pytest.mark.parametrize("language", ["fr", "en", "es"])
def test_voting_without_javascript_goes_from_one_statement_to_the_next(
    client: Client, consultation, participant, three, language
) -> None:
    client.login(email=participant.email, password=PASSWORD)
    url = f"/{language}/vote/{consultation.slug}/"
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and f'<html lang="{language}">' in html
    assert "Statement number 1." in html and "1 of 3" in html.replace("1 sur 3", "1 of 3").replace(
        "1 de 3", "1 of 3"
    )
    assert 'name="value" value="1"' in html and 'accesskey="a"' in html
    answer = client.post(url, {"statement": three[0].pk, "value": "1"})
    assert answer.status_code == 302 and answer["Location"] == url
    html = client.get(url).content.decode()
    assert "Statement number 2." in html and "Statement number 1." not in html
    assert "2 of 3" in html or "2 sur 3" in html or "2 de 3" in html
    assert Vote.objects.get().value == 1


def test_htmx_gets_the_next_statement_in_place(client: Client, consultation, participant, three):
    client.login(email=participant.email, password=PASSWORD)
    url = f"/en/vote/{consultation.slug}/"
    answer = client.post(
        url, {"statement": three[0].pk, "value": "-1"}, headers={"HX-Request": "true"}
    )
    html = answer.content.decode()
    assert answer.status_code == 200 and html.startswith('<section id="vote-card"')
    assert "Statement number 2." in html and "2 of 3" in html


def test_a_bad_vote_on_the_page_is_explained_and_writes_nothing(
    client: Client, consultation, participant, three
) -> None:
    client.login(email=participant.email, password=PASSWORD)
    url = f"/en/vote/{consultation.slug}/"
    page = client.post(url, {"statement": three[0].pk, "value": "7"}, follow=True)
    assert "not “7”" in page.content.decode()
    assert not Vote.objects.exists()


def test_anonymous_people_vote_where_the_organiser_allows_it(
    client: Client, consultation, three
) -> None:
    url = f"/en/vote/{consultation.slug}/"
    assert "Sign in to vote" in client.get(url).content.decode()
    client.post(url, {"statement": three[0].pk, "value": "1"})
    assert not Vote.objects.exists()
    VotingSettings.objects.create(consultation=consultation, allow_anonymous=True)
    client.post(url, {"statement": three[0].pk, "value": "1"})
    client.post(url, {"statement": three[0].pk, "value": "0"})
    vote = Vote.objects.get()
    assert vote.value == 0 and vote.voter.user is None
    assert "2 of 3" in client.get(url).content.decode()


def test_html_and_script_in_a_statement_are_shown_as_text(
    client: Client, consultation, organiser, participant
) -> None:
    services.add_statement(consultation, '<script>alert("x")</script><b>bold</b>', by=organiser)
    client.login(email=participant.email, password=PASSWORD)
    html = client.get(f"/en/vote/{consultation.slug}/").content.decode()
    assert "<script>alert" not in html and "<b>bold" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in html


def test_a_participant_proposes_and_a_moderator_accepts(
    client: Client, consultation, participant, organiser
) -> None:
    client.login(email=participant.email, password=PASSWORD)
    client.post(f"/en/vote/{consultation.slug}/propose/", {"text": "More trains."})
    statement = Statement.objects.get()
    assert statement.status == "pending"
    assert client.get(f"/en/vote/{consultation.slug}/moderation/").status_code == 403
    client.logout()
    client.login(email=organiser.email, password=PASSWORD)
    queue = client.get(f"/en/vote/{consultation.slug}/moderation/").content.decode()
    assert "More trains." in queue
    client.post(f"/en/vote/statements/{statement.pk}/moderate/", {"decision": "reject"})
    statement.refresh_from_db()
    assert statement.status == "pending"
    client.post(
        f"/en/vote/statements/{statement.pk}/moderate/", {"decision": "reject", "reason": "Dup"}
    )
    statement.refresh_from_db()
    assert (statement.status, statement.reason) == ("rejected", "Dup")


def test_the_consultation_page_links_to_the_vote_while_open(client: Client, consultation) -> None:
    html = client.get(f"/en/consultations/{consultation.slug}/").content.decode()
    assert f"/en/vote/{consultation.slug}/" in html


def test_htmx_shows_a_refused_vote_in_the_card(client: Client, consultation, three) -> None:
    answer = client.post(
        f"/en/vote/{consultation.slug}/",
        {"statement": three[0].pk, "value": "1"},
        headers={"HX-Request": "true"},
    )
    html = answer.content.decode()
    assert answer.status_code == 200 and 'role="alert"' in html and "Sign in to vote" in html
    assert not Vote.objects.exists()
