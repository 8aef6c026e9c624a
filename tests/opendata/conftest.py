"""A forum with something in every dataset, and a participant whose name and address must
never leave it: Zenobia Quillfeather signs up for an organisation, contributes, comments,
votes and proposes an amendment.

Around her: contributions (one hidden by a moderator, workshop minutes), accepted, pending
and rejected statements with votes, an opinion map, an approved themes synthesis and one not
approved, the Code of Conduct amended, frozen and signed, assessments of a city, a project
and an agenda, and a hand-made registry of a few Senegalese and Spanish places with roles.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache

from cityforum.analysis.capitals import CAPITALS

ZENOBIA_NAME = "Zenobia Quillfeather"
ZENOBIA_EMAIL = "zenobia.quillfeather@example.org"
PASSWORD = "a-long-pass-phrase"

#: Marks written into what must never be published, to search the bundle for.
HIDDEN_TITLE = "Hidden-by-moderators marker title"
#: A recommendation left as a draft: not the forum's yet, never published.
DRAFT_RECOMMENDATION = "Draft-recommendation marker, never published"
REJECTED_STATEMENT = "Rejected-statement marker: buy my product"
PENDING_STATEMENT = "Pending-statement marker, never accepted"
HIDDEN_AMENDMENT = "Hidden-amendment marker rationale"
UNVERIFIED_ORGANISATION = "Unverified Collective of Marker Street"
RENAMED = {"fr": "Eau pour tous", "en": "Water for everyone", "es": "Agua para todos"}
ANONYMOUS_SESSION = "anonymous-session-marker-1234"

PLACES = [
    # geonameid, name, country, lat, lon, population, role
    (2253354, "Dakar", "SN", 14.6937, -17.44406, 2476400, "metropolis"),
    (2244322, "Thiès", "SN", 14.7910, -16.9359, 320000, "intermediary"),
    (2246452, "Saint-Louis", "SN", 16.01793, -16.48962, 176000, "intermediary"),
    (2250805, "Kaolack", "SN", 14.15197, -16.07259, 172305, "intermediary"),
    (3128760, "Barcelona", "ES", 41.38879, 2.15899, 1620343, "metropolis"),
    (3119841, "Granollers", "ES", 41.60797, 2.28773, 59930, "satellite"),
    (9100001, "Ndiaganiao", "SN", 14.55, -16.75, 3000, ""),
]

SENTENCES = {
    "water": [
        "L'eau potable doit arriver dans chaque quartier.",
        "Les coupures d'eau touchent les familles pauvres.",
        "Une régie publique de l'eau et l'accès à l'eau pour tous.",
        "Récupérer l'eau de pluie pour l'irrigation des jardins.",
    ],
    "housing": [
        "Le logement social manque dans notre ville.",
        "Les loyers des logements sont trop chers pour les jeunes.",
        "Rénover l'habitat ancien et construire des logements.",
        "Un logement digne pour chaque famille.",
    ],
    "mobility": [
        "Plus de bus et de transports en commun vers la périphérie.",
        "La mobilité des habitants dépend du tramway.",
        "Un réseau cyclable et des transports en commun fréquents.",
        "Les déplacements quotidiens en bus sont trop longs.",
    ],
}
#: Said in Latin America only: a regional specificity for the synthesis to find.
TOURISM = [
    "Le tourisme de masse chasse les habitants du centre.",
    "Les locations touristiques font monter les loyers du centre historique.",
    "Limiter les hôtels et le tourisme dans la vieille ville.",
    "Les touristes remplissent les rues et le tourisme croît sans contrôle.",
]


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fewer_draws(monkeypatch: pytest.MonkeyPatch) -> None:
    """50 Monte Carlo draws instead of 1,000: the assessments' arithmetic is not tested here."""
    from cityforum.assessments import scoring

    monkeypatch.setattr(scoring, "UNCERTAINTY_DRAWS", 50)


@pytest.fixture
def opendata_dir(settings: Any, tmp_path: Path) -> Path:
    """The site's bundle folder, private to the test."""
    settings.CITYFORUM_OPENDATA_DIR = str(tmp_path / "site-opendata")
    return tmp_path / "site-opendata"


def _registry() -> dict[str, Any]:
    from cityforum.cities.models import City, CityRole, Country
    from cityforum.cities.search import search_key
    from cityforum.programme.models import Region

    senegal = Country.objects.create(
        iso2="SN",
        iso3="SEN",
        name="Senegal",
        population=17_000_000,
        section=Region.objects.get(code="africa"),
    )
    spain = Country.objects.create(
        iso2="ES",
        iso3="ESP",
        name="Spain",
        population=47_000_000,
        section=Region.objects.get(code="europe"),
    )
    spain.secondary_sections.add(Region.objects.get(code="mewa"))
    cities = {}
    for gid, name, country, lat, lon, population, role in PLACES:
        cities[name] = City.objects.create(
            geonameid=gid,
            name=name,
            search_name=search_key(name),
            country_id=country,
            admin1_code="01",
            latitude=lat,
            longitude=lon,
            population=population,
            timezone="Africa/Dakar" if country == "SN" else "Europe/Madrid",
        )
        if role:
            CityRole.objects.create(
                city=cities[name],
                role=role,
                subtype="regional" if role == "intermediary" else "",
                criteria="a" if role == "intermediary" else "",
                population_band="metropolis" if population >= 1_000_000 else "intermediary",
                intermediation_score=61.5,
                national_rank=2,
                primacy=0.13,
                d_larger_km=70.25 if role != "metropolis" else None,
                d_larger_any_km=70.25,
                d_metropolis_km=None if role == "metropolis" else 70.25,
                dominance=0.8,
                hinterland_n=12,
                hinterland_pop=250000,
                hinterland_percentile=0.9,
                confidence="high",
                peers_n=1,
                admin_seat=True,
                national_capital=name == "Dakar",
            )
    return {"senegal": senegal, "spain": spain, **cities}


def _person(email: str, role: str = "participant", **extra: Any) -> Any:
    from cityforum.people.models import User

    return User.objects.create_user(email, PASSWORD, role=role, **extra)


def _open(*slugs: str) -> None:
    from cityforum.programme.models import Consultation

    Consultation.objects.filter(slug__in=slugs).update(status="open")


def _consultation(slug: str) -> Any:
    from cityforum.programme.models import Consultation

    return Consultation.objects.select_related("region").get(slug=slug)


@pytest.fixture
def forum(programme: None, opendata_dir: Path) -> dict[str, Any]:
    """The seeded forum; returns the people and objects tests look at."""
    from cityforum.assessments import services as assessments
    from cityforum.assessments.models import Indicator
    from cityforum.assessments.seed import load_indicators
    from cityforum.drafting import services as drafting
    from cityforum.drafting.models import Section
    from cityforum.drafting.seed import load_code_of_conduct
    from cityforum.participation import services as participation
    from cityforum.participation.models import Contribution
    from cityforum.people import services as people
    from cityforum.statements import services as statements
    from cityforum.synthesis.opinion.services import run_opinion_map
    from cityforum.synthesis.themes.review_services import reject_theme, rename_theme
    from cityforum.synthesis.themes.services import approve_themes, run_themes

    places = _registry()
    load_indicators()
    _open("regional-africa", "regional-latam", "regional-aspac", "local-democracy")
    africa = _consultation("regional-africa")

    organiser = _person("organiser@example.org", "organiser", display_name="Olga Organiser")
    moderator = _person("moderator@example.org", "moderator")
    moderator.moderated_regions.add(africa.region)
    market = people.create_organisation(
        name="Coopérative des marchés de Thiès",
        kind="civil_society",
        country=places["senegal"],
        city=places["Thiès"],
    )
    people.verify_organisation(market, by=organiser)
    unverified = people.create_organisation(
        name=UNVERIFIED_ORGANISATION, kind="private_sector", country=places["senegal"]
    )
    town_hall = people.create_organisation(
        name="Ville de Saint-Louis",
        kind="local_government",
        country=places["senegal"],
        city=places["Saint-Louis"],
    )
    people.verify_organisation(town_hall, by=organiser)

    zenobia = people.sign_up(
        ZENOBIA_EMAIL,
        PASSWORD,
        consent=True,
        link_for=lambda token: f"https://x/{token}",
        display_name=ZENOBIA_NAME,
        language="en",
    )
    zenobia.first_name, zenobia.last_name = "Zenobia", "Quillfeather"
    zenobia.save(update_fields=["first_name", "last_name"])
    people.update_profile(
        zenobia,
        display_name=ZENOBIA_NAME,
        preferred_language="en",
        city=places["Thiès"],
        organisation=market,
        organisation_role="Treasurer",
    )
    other = _person("omar@example.org", display_name="Omar Other", organisation=unverified)
    mayor = _person("mayor@example.org", display_name="Mayor Person", organisation=town_hall)

    # Contributions: Zenobia's, another person's (unverified organisation), workshop minutes,
    # one hidden by a moderator, and enough in three regions for the themes synthesis.
    mine = participation.contribute(
        africa,
        zenobia,
        type="proposal",
        title="Shaded markets for Thiès",
        body="Covered market halls keep traders and food cool.",
        language="en",
        capitals=["economic", "environmental"],
    )
    theirs = participation.contribute(
        africa,
        other,
        type="challenge",
        title="Flooding of the lower town",
        body="Every rainy season the lower town floods.",
        language="en",
        capitals=["environmental"],
    )
    workshop = participation.enter_workshop_minutes(
        africa,
        moderator,
        type="recommendation",
        title="A council of neighbourhoods",
        body="The workshop asks for a council of neighbourhoods.",
        language="en",
        capitals=["social"],
        meeting_name="Saint-Louis workshop",
        meeting_date=dt.date(2021, 3, 2),
        meeting_place="Town hall",
        on_behalf_of=town_hall,
        city=places["Saint-Louis"],
    )
    hidden = participation.contribute(
        africa,
        other,
        type="proposal",
        title=HIDDEN_TITLE,
        body="Spam, spam and spam.",
        language="en",
        capitals=["human"],
    )
    participation.moderate(hidden, "hide", "Advertising.", by=organiser)
    participation.comment(mine, zenobia, "I would add shade trees too, says Zenobia.")
    participation.comment(theirs, zenobia, "Drainage first.")
    _themes_corpus(organiser)

    # Statements and votes: accepted ones, Zenobia's proposal pending, one rejected.
    texts = [
        "Intermediary cities need their own budget.",
        "Markets should be run by the city.",
        "Public transport must be free.",
        "Water is a common good.",
        "Cities should share services with their villages.",
        "Tourism should be limited in old towns.",
    ]
    accepted = [statements.add_statement(africa, t, by=organiser, language="en") for t in texts]
    statements.add_statement(africa, PENDING_STATEMENT, by=zenobia, language="en")
    rejected = statements.add_statement(africa, REJECTED_STATEMENT, by=other, language="en")
    statements.moderate_statement(rejected, by=organiser, accept=False, reason="Advertising.")
    proposed = statements.add_statement(
        africa, "Every market needs shade and water.", by=zenobia, language="en"
    )
    statements.moderate_statement(proposed, by=organiser, accept=True)
    accepted.append(proposed)
    voters = [zenobia, other, mayor] + [
        _person(f"voter{i}@example.org", display_name=f"Voter {i}") for i in range(21)
    ]
    chance = random.Random(8)
    for i, person in enumerate(voters):
        camp = 1 if i % 2 else -1
        for j, statement in enumerate(accepted):
            value = camp if j % 2 else -camp
            if chance.random() < 0.2:
                value = 0
            statements.cast_vote(africa, statement.pk, value, user=person)
    statements.cast_vote(africa, accepted[0].pk, 1, user=zenobia)  # a vote replaced
    statements.set_anonymous_voting(africa, True, by=organiser)
    statements.cast_vote(africa, accepted[1].pk, -1, session_key=ANONYMOUS_SESSION)
    opinion = run_opinion_map(africa, by=organiser)

    # Syntheses: one approved, one left unapproved.
    approved = run_themes(None, by=organiser, n_themes=4)
    rename_theme(approved, 0, RENAMED, by=organiser)
    reject_theme(approved, 3, by=organiser, reason="Too vague.")
    approve_themes(approved, by=organiser)
    approved.refresh_from_db()
    unapproved = run_themes(None, by=organiser, n_themes=2)

    # The Code of Conduct: Zenobia's amendment accepted, another hidden, sources, signature.
    document = load_code_of_conduct()
    _open(document.consultation.slug)
    article = document.articles.get(number=2)
    section = Section.objects.create(
        document=document, order=1, title_fr="Principes", title_en="Principles"
    )
    document.articles.filter(number__in=[1, 2]).update(section=section)
    amendment = drafting.propose_amendment(
        document,
        article,
        by=zenobia,
        kind="modify",
        text="Cities keep markets shaded and open to all traders.",
        rationale="Traders and buyers need shade.",
        language="fr",
    )
    drafting.accept_amendment(amendment, by=organiser, reason="Clearer.")
    spam = drafting.propose_amendment(
        document,
        document.articles.get(number=3),
        by=other,
        kind="delete",
        rationale=HIDDEN_AMENDMENT,
    )
    drafting.moderate(spam, "hide", "Off topic.", by=organiser)
    drafting.cite(article, by=organiser, contribution=mine, note="From the Africa consultation.")
    drafting.cite(article, by=organiser, statement=accepted[1])
    drafting.cite(article, by=organiser, theme_run=approved, theme_id=0)
    drafting.freeze_document(document, by=organiser, note="Final text.")
    drafting.sign(document, by=mayor)

    # Recommendations: one adopted for the G20 with three pieces of evidence, endorsed by
    # Zenobia (a verified civil-society organisation in Africa) and the mayor; one draft.
    from cityforum.recommendations import services as recommendations

    adopted = recommendations.draft_recommendation(
        by=organiser,
        text="Open climate funds directly to intermediary cities.",
        language="en",
        consultations=[africa.pk],
        capitals=["economic", "environmental"],
        line="financing",
        addressee="global",
        pact_component="planet",
    )
    recommendations.link_evidence(adopted, "contribution", mine.pk, by=organiser)
    recommendations.link_evidence(adopted, "theme", approved.pk, "0", by=organiser)
    recommendations.link_evidence(adopted, "article", article.pk, by=organiser)
    for status in ("consulted", "adopted"):
        recommendations.change_status(adopted, status, by=organiser, reason="Plenary vote.")
    recommendations.endorse(adopted, by=zenobia)
    recommendations.endorse(adopted, by=mayor)
    recommendations.draft_recommendation(
        by=organiser,
        text=DRAFT_RECOMMENDATION,
        language="en",
        consultations=[africa.pk],
        capitals=["social"],
        line="advocacy",
        addressee="local",
        pact_component="people",
    )

    # Assessments: a city (two versions), an agenda and its project.
    values = [
        assessments.ValueInput(i.code, _middle(i), source="Survey 2024")
        for i in Indicator.objects.all()
    ]
    assessments.assess_city(places["Thiès"], 2024, values, by=organiser)
    assessments.assess_city(places["Thiès"], 2024, values[:3], by=organiser)
    agenda = assessments.create_agenda("Thiès 2030", 2024, by=organiser, city=places["Thiès"])
    assessments.assess_project(
        "Shaded market",
        2024,
        {c: assessments.CapitalInput(score=3, evidence="Plan p. 2") for c in CAPITALS},
        by=organiser,
        city=places["Thiès"],
        agenda=agenda,
        budget="125000.50",
    )
    return {
        "zenobia": zenobia,
        "other": other,
        "mine": mine,
        "hidden": hidden,
        "workshop": workshop,
        "unverified": unverified,
        "market": market,
        "town_hall": town_hall,
        "rejected": rejected,
        "approved": approved,
        "unapproved": unapproved,
        "opinion": opinion,
        "document": document,
        "spam_amendment": spam,
        "recommendation": adopted,
        "contributions": Contribution.objects.count(),
    }


def _middle(indicator: Any) -> float:
    if indicator.kind == "target":
        return float(indicator.target)
    return (float(indicator.plausible_min) + float(indicator.plausible_max)) / 2


def _themes_corpus(organiser: Any) -> None:
    """Twenty-four more contributions in three regions, written straight with the model."""
    from cityforum.participation.models import Contribution

    author = _person("corpus@example.org", display_name="Corpus Writer")
    made = []
    for slug in ("regional-africa", "regional-latam", "regional-aspac"):
        consultation = _consultation(slug)
        topics = {**SENTENCES, "tourism": TOURISM} if slug == "regional-latam" else SENTENCES
        for sentences in topics.values():
            for n in range(3 if slug != "regional-africa" else 2):
                text = " ".join(sentences[(n + k) % len(sentences)] for k in range(3))
                made.append(
                    Contribution(
                        consultation=consultation,
                        author=author,
                        region=consultation.region,
                        type="proposal",
                        title=sentences[n][:60],
                        body=text,
                        language="fr",
                    )
                )
    Contribution.objects.bulk_create(made)
    for contribution, capital in zip(made, itertools.cycle(CAPITALS), strict=False):
        contribution.capitals.add(_capital(capital))


def _capital(code: str) -> Any:
    from cityforum.programme.models import Capital

    return Capital.objects.get(code=code)
