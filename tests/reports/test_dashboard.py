"""The organisers' dashboard ``/<lang>/dashboard/``: live participation (total and the last
seven days) by consultation, region and organisation type, the moderation backlog, and which
syntheses are stale or awaiting approval. Organisers see everything, moderators their regions'
part; everyone else is sent to sign in or refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cityforum.cities.models import Country
from cityforum.drafting import services as drafting
from cityforum.drafting.seed import load_code_of_conduct
from cityforum.participation import services as participation
from cityforum.participation.models import Contribution
from cityforum.people.models import Organisation, User
from cityforum.programme.models import Consultation, Region
from cityforum.statements.models import Statement, Vote, Voter
from cityforum.synthesis.models import OpinionMapRun, ThemeRun

URL = "/en/dashboard/"
PASSWORD = "a-long-pass-phrase"


@pytest.fixture
def site(programme: None) -> dict[str, Any]:
    """Africa: two visible contributions (one a month old), one hidden, a pending statement, an
    open report, a vote cast after its opinion map; Latin America: one contribution and a themes
    synthesis awaiting approval; the Code of Conduct: one pending amendment."""
    Consultation.objects.update(status="open")
    africa = Consultation.objects.get(slug="regional-africa")
    latam = Consultation.objects.get(slug="regional-latam")
    section = Region.objects.get(code="africa")
    country = Country.objects.create(iso2="SN", name="Senegal", section=section)
    city_hall = Organisation.objects.create(
        name="Ville de Thiès", kind="local_government", country=country
    )
    person = User.objects.create_user("p@example.org", PASSWORD, organisation=city_hall)
    other = User.objects.create_user("q@example.org", PASSWORD)
    organiser = User.objects.create_user("o@example.org", PASSWORD, role="organiser")
    moderator = User.objects.create_user("m@example.org", PASSWORD, role="moderator")
    moderator.moderated_regions.add(section)

    def contribute(consultation: Consultation, author: User, title: str) -> Contribution:
        return participation.contribute(
            consultation,
            author,
            type="proposal",
            title=title,
            body=f"{title}: clean water for every neighbourhood.",
            language="en",
            capitals=["environmental"],
        )

    old = contribute(africa, person, "Old")
    Contribution.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(30))
    new = contribute(africa, person, "New")
    hidden = contribute(africa, other, "Spam")
    participation.moderate(hidden, "hide", "Advertising.", by=organiser)
    participation.report(other, new, "Off topic?")
    contribute(latam, other, "Buses")
    Statement.objects.create(consultation=africa, text="Pending one", status="pending")
    accepted = Statement.objects.create(consultation=africa, text="Accepted", status="accepted")

    finished = timezone.now() - dt.timedelta(hours=1)
    OpinionMapRun.objects.create(
        consultation=africa, status="done", n_votes=0, finished_at=finished, figures={}
    )
    voter = Voter.objects.create(consultation=africa, public_id=7, user=person)
    Vote.objects.create(
        statement=accepted,
        voter=voter,
        value=1,
        created_at=timezone.now(),
        updated_at=timezone.now(),
    )
    waiting = ThemeRun.objects.create(
        consultation=latam, status="done", n_contributions=1, finished_at=timezone.now()
    )
    approved = ThemeRun.objects.create(
        consultation=africa,
        status="done",
        n_contributions=2,
        finished_at=timezone.now() + dt.timedelta(seconds=1),
        approved_at=timezone.now(),
        approved_by=organiser,
    )
    document = load_code_of_conduct()
    article = document.articles.get(number=1)
    drafting.propose_amendment(
        document,
        article,
        by=person,
        kind="modify",
        text=article.text_fr + " Ensemble.",
        rationale="Dire ensemble.",
        language="fr",
    )
    return {
        "organiser": organiser,
        "moderator": moderator,
        "person": person,
        "africa": africa,
        "waiting": waiting,
        "approved": approved,
        "contribute": contribute,
    }


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_the_public_is_sent_to_sign_in_and_participants_are_refused(site: dict) -> None:
    response = client_for(None).get(URL)
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/login/?next=/en/dashboard/"
    assert client_for(site["person"]).get(URL).status_code == 403


def test_organisers_see_participation_total_and_recent(site: dict) -> None:
    response = client_for(site["organiser"]).get(URL)
    assert response.status_code == 200
    rows = {row.label: row for row in response.context["consultations"]}
    africa = rows["Regional consultation: Africa"]
    assert (africa.contributions.total, africa.contributions.recent) == (2, 1)
    assert (africa.participants.total, africa.participants.recent) == (2, 2)
    assert (africa.votes.total, africa.votes.recent) == (1, 1)
    regions = {row.label: row for row in response.context["regions"]}
    assert regions["Africa"].contributions.total == 2
    assert regions["Region unknown"].contributions.total == 0  # a contribution takes its region
    kinds = {row.label: row for row in response.context["kinds"]}
    assert kinds["local government"].participants.total == 1


def test_the_moderation_backlog(site: dict) -> None:
    response = client_for(site["organiser"]).get(URL)
    backlog = response.context["backlog"]
    assert [(title, n) for title, n, _url in backlog.pending_statements] == [
        ("Regional consultation: Africa", 1)
    ]
    assert backlog.open_reports == 1
    assert backlog.hidden == 1 and backlog.hidden_recent == 1
    assert [n for _title, n, _url in backlog.pending_amendments] == [1]
    assert backlog.total == 3
    html = response.content.decode()
    assert "1 statement awaiting moderation" in html
    assert 'href="/en/vote/regional-africa/moderation/"' in html


def test_stale_and_waiting_syntheses_come_first(site: dict) -> None:
    states = client_for(site["organiser"]).get(URL).context["syntheses"]
    found = {(s.scope, s.what): s.state for s in states}
    assert found[("Regional consultation: Africa", "Opinion map")] == "stale"
    assert found[("Regional consultation: Latin America", "Themes synthesis")] == "awaiting"
    assert found[("Regional consultation: Africa", "Themes synthesis")] == "current"
    assert states[0].state == "stale"
    site["contribute"](site["africa"], site["person"], "Later")
    states = client_for(site["organiser"]).get(URL).context["syntheses"]
    found = {(s.scope, s.what): s.state for s in states}
    assert found[("Regional consultation: Africa", "Themes synthesis")] == "stale"


def test_moderators_see_their_regions_part(site: dict) -> None:
    response = client_for(site["moderator"]).get(URL)
    assert response.status_code == 200
    labels = [row.label for row in response.context["consultations"]]
    assert "Regional consultation: Africa" in labels
    assert "Regional consultation: Latin America" not in labels
    assert "Intermediary cities & inequalities" in labels  # thematic: everyone's
    assert [row.label for row in response.context["regions"]] == ["Africa"]


def test_the_header_links_the_dashboard_for_organisers_only(site: dict) -> None:
    home = "/en/"
    assert 'href="/en/dashboard/"' in client_for(site["organiser"]).get(home).content.decode()
    assert 'href="/en/dashboard/"' not in client_for(site["person"]).get(home).content.decode()
