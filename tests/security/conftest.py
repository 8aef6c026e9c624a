"""A small, realistic forum for the security tests: one open regional consultation with
contributions, comments, statements and votes, the Code of Conduct with amendments, a themes
synthesis, a city with an assessment, and one person per role, each with an API token.

The same forum serves the API fuzzing (``test_api_fuzzing.py``) and the permission matrix
(``test_permission_matrix.py``), so that both speak of the same people and objects.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache

from cityforum.cities.models import City, Country
from cityforum.drafting.models import Amendment, AmendmentComment, Document
from cityforum.participation.models import Comment, Contribution
from cityforum.people.models import ApiToken, Organisation, User
from cityforum.programme.models import Consultation, Region, Status
from cityforum.statements.models import Statement

PASSWORD = "a-long-pass-phrase"
REPO_DOCS = Path(__file__).resolve().parents[2] / "docs"

#: Every role the matrix asks about. The consultation's region is Africa.
ROLES = [
    "public",
    "participant",
    "moderator of another region",
    "moderator of the region",
    "organiser",
]

#: Words that appear in every hidden or pending text, so that a leak is easy to find.
SECRET = "SECRET-HIDDEN-TEXT"

#: Themes need 20 contributions or more; three topics in French, as people write them.
TOPICS = {
    "water": [
        "L'eau potable manque dans les quartiers périphériques de la ville.",
        "Il faut protéger les sources d'eau et réparer les canalisations.",
        "Les coupures d'eau touchent d'abord les familles pauvres.",
    ],
    "housing": [
        "Les loyers augmentent et les jeunes ne trouvent pas de logement.",
        "Construire des logements sociaux près des transports publics.",
        "Les quartiers informels ont besoin de titres fonciers.",
    ],
    "mobility": [
        "Les bus sont rares le soir et les routes sont dangereuses.",
        "Des pistes cyclables relieraient les quartiers au centre-ville.",
        "Le transport rural vers la ville intermédiaire coûte trop cher.",
    ],
}


def email_of(role: str) -> str:
    return f"{role.replace(' ', '-')}@security.example.org"


@dataclass
class Forum:
    """Everything the security tests act on, by name."""

    consultation: Consultation
    document: Document
    people: dict[str, Any]
    tokens: dict[str, str]
    author: User
    organisation: Organisation
    city: City
    contribution: Contribution
    hidden_contribution: Contribution
    comment: Comment
    hidden_comment: Comment
    statement: Statement
    pending_statement: Statement
    amendment: Amendment
    hidden_amendment: Amendment
    amendment_comment: AmendmentComment
    theme_run: Any
    assessment: Any
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def emails(self) -> list[str]:
        """Every e-mail address of the forum's people: none may ever be shown."""
        return list(User.objects.values_list("email", flat=True))

    def auth(self, role: str) -> dict[str, str]:  # "author" too
        """Headers that authenticate as ``role`` on the API (none for the public)."""
        token = self.tokens.get(role)
        return {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}


def make_person(role: str, email: str | None = None, **extra: Any) -> Any:
    """A person in ``role`` (moderators moderate Africa or Latin America)."""
    if role == "public":
        return AnonymousUser()
    user = User.objects.create_user(
        email or email_of(role),
        PASSWORD,
        role=role.split()[0],
        display_name=role.title(),
        **extra,
    )
    if role == "moderator of the region":
        user.moderated_regions.add(Region.objects.get(code="africa"))
    elif role == "moderator of another region":
        user.moderated_regions.add(Region.objects.get(code="latam"))
    return user


def _themes(consultation: Consultation, author: User) -> None:
    """Twenty-one visible contributions on three topics, enough for a themes synthesis."""
    made = []
    for topic, sentences in TOPICS.items():
        for n in range(7):
            made.append(
                Contribution(
                    consultation=consultation,
                    author=author,
                    region=consultation.region,
                    type="proposal",
                    title=f"{topic} {n}",
                    body=" ".join(sentences[(n + k) % 3] for k in range(2)),
                    language="fr",
                )
            )
    Contribution.objects.bulk_create(made)


def build_forum() -> Forum:
    """Seed the forum through the services, as people would have made it."""
    from cityforum.assessments.services import create_agenda
    from cityforum.drafting import services as drafting
    from cityforum.drafting.seed import load_code_of_conduct
    from cityforum.participation import services as participation
    from cityforum.programme.seed import load_programme
    from cityforum.statements import services as statements
    from cityforum.synthesis.themes.services import run_themes

    load_programme()
    africa = Region.objects.get(code="africa")
    consultation = Consultation.objects.get(slug="regional-africa")
    Consultation.objects.filter(pk=consultation.pk).update(status=Status.OPEN)
    consultation.refresh_from_db()

    senegal = Country.objects.create(iso2="SN", iso3="SEN", name="Senegal", section=africa)
    city = City.objects.create(
        geonameid=2243940,
        name="Thiès",
        search_name="thies",
        country=senegal,
        latitude=14.79,
        longitude=-16.93,
        population=320000,
    )
    organisation = Organisation.objects.create(
        name="Ville de Thiès", kind="local_government", country=senegal, verified=True
    )

    people = {role: make_person(role) for role in ROLES}
    people["participant"].organisation = organisation
    people["participant"].save(update_fields=["organisation"])
    tokens = {role: ApiToken.issue(user)[1] for role, user in people.items() if role != "public"}
    author = make_person("participant", email="author@security.example.org")
    author.display_name = "Author"
    author.save(update_fields=["display_name"])
    tokens["author"] = ApiToken.issue(author)[1]

    # The document is drafted within the same (African) consultation, so that the moderators
    # of the region are its moderators too.
    document = load_code_of_conduct()
    Document.objects.filter(pk=document.pk).update(consultation=consultation)
    document.refresh_from_db()

    contribution = participation.contribute(
        consultation,
        author,
        type="proposal",
        title="Water for every neighbourhood",
        body="The city should bring *clean water* to every neighbourhood before 2030.",
        language="en",
        capitals=["environmental", "social"],
    )
    hidden_contribution = participation.contribute(
        consultation,
        author,
        type="challenge",
        title=f"{SECRET} contribution",
        body=f"{SECRET}: spam that the moderators hid.",
        language="en",
        capitals=["economic"],
    )
    participation.moderate(hidden_contribution, "hide", "Spam.", by=people["organiser"])
    comment = participation.comment(contribution, author, "And in the villages around it.")
    hidden_comment = participation.comment(contribution, author, f"{SECRET} comment")
    participation.moderate(hidden_comment, "hide", "Off topic.", by=people["organiser"])
    participation.report(people["moderator of the region"], comment, "Is this on topic?")
    _themes(consultation, author)

    statement = statements.add_statement(
        consultation, "Intermediary cities need their own budget.", by=people["organiser"]
    )
    pending_statement = statements.add_statement(
        consultation, f"{SECRET} statement waiting for moderation", by=author
    )
    statements.cast_vote(consultation, statement.pk, 1, user=author)

    article = document.articles.get(number=2)
    amendment = drafting.propose_amendment(
        document,
        article,
        by=author,
        kind="modify",
        text=article.text_fr + " Les jeunes y prennent part.",
        rationale="Nommer la jeunesse.",
        language="fr",
    )
    hidden_amendment = drafting.propose_amendment(
        document,
        document.articles.get(number=3),
        by=author,
        kind="delete",
        rationale=f"{SECRET} amendment",
        language="fr",
    )
    drafting.moderate(hidden_amendment, "hide", "Spam.", by=people["organiser"])
    amendment_comment = drafting.comment(amendment, "Oui, et les anciens.", by=author)
    drafting.vote(amendment, "agree", by=author)

    theme_run = run_themes(consultation, by=people["organiser"], n_themes=3)
    assessment = create_agenda("Agenda 2030 de Thiès", 2025, by=people["organiser"], city=city)
    from cityforum.recommendations import services as recommendations

    recommendation = recommendations.draft_recommendation(
        by=people["organiser"],
        text="Les États confient aux villes intermédiaires les moyens de leurs compétences.",
        language="fr",
        consultations=[consultation.pk],
        capitals=["social"],
        line="financing",
        addressee="global",
        pact_component="people",
    )
    evidence = recommendations.link_evidence(
        recommendation, "contribution", contribution.pk, by=people["organiser"]
    )
    return Forum(
        consultation=consultation,
        document=document,
        people=people,
        tokens=tokens,
        author=author,
        organisation=organisation,
        city=city,
        contribution=contribution,
        hidden_contribution=hidden_contribution,
        comment=comment,
        hidden_comment=hidden_comment,
        statement=statement,
        pending_statement=pending_statement,
        amendment=amendment,
        hidden_amendment=hidden_amendment,
        amendment_comment=amendment_comment,
        theme_run=theme_run,
        assessment=assessment,
        extra={"recommendation": recommendation, "evidence": evidence},
    )


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Rate-limit counters live in the cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def forum(db: None, settings: Any, tmp_path: Path) -> Forum:
    # The API's own per-person limits (30 writes a minute) would answer 429 long before the
    # tests are done; they have tests of their own.
    settings.CITYFORUM_WRITE_RATE = "100000/m"
    # The open-data files the API publishes on demand go to this test's own folder.
    settings.CITYFORUM_OPENDATA_DIR = str(tmp_path / "opendata")
    return build_forum()
