"""A small forum with everything an outcome document reads, built through the services where a
person would act (Zenobia contributes, comments, endorses, votes, proposes an amendment and
signs) and with the models where only volume matters (the other contributions and votes).

- three regional consultations with contributions in French, Spanish and English (water,
  housing, transport; tourism only in Latin America), the forum-wide themes synthesis approved
  and Latin America's own, each with one theme renamed and rejected before the approval; and
  newer syntheses of both scopes, one theme renamed, never approved;
- Latin America's statements voted on by 40 voters in two camps, and its opinion map;
- the Code of Conduct frozen and signed by two organisations; one city assessed.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Any

from cityforum.assessments.models import Indicator
from cityforum.assessments.seed import load_indicators
from cityforum.assessments.services import ValueInput, assess_city
from cityforum.cities.models import City, Country
from cityforum.drafting import services as drafting
from cityforum.drafting.seed import load_code_of_conduct
from cityforum.participation import services as participation
from cityforum.participation.models import Contribution
from cityforum.people.models import Organisation, User
from cityforum.programme.models import Consultation, Region
from cityforum.programme.seed import load_programme
from cityforum.statements.models import Statement, Vote, Voter
from cityforum.statements.services import cast_vote
from cityforum.synthesis.opinion.services import run_opinion_map
from cityforum.synthesis.themes.review_services import reject_theme, rename_theme
from cityforum.synthesis.themes.services import approve_themes, run_themes
from tests.synthesis.test_themes_runs import SENTENCES as THEME_SENTENCES

PASSWORD = "a-long-pass-phrase"
ZENOBIA_NAME = "Zenobia Quillfeather"
ZENOBIA_EMAIL = "zenobia.quillfeather@example.org"
ORGANISER_NAME = "Secrétariat CGLU"
REJECTED_LABEL = "Thème écarté par les organisateurs"
UNAPPROVED_LABEL = "Brouillon jamais approuvé"
CONSENSUS_STATEMENT = "Every neighbourhood deserves clean drinking water."

#: The synthesis tests' French and Spanish sentences (tourism only in Spanish, the planted
#: regional specificity), and English ones of the same topics for the report's three languages.
SENTENCES: dict[str, dict[str, list[str]]] = {
    "fr": THEME_SENTENCES["fr"],
    "es": THEME_SENTENCES["es"],
    "en": {
        "water": [
            "Clean drinking water must reach every neighbourhood.",
            "Water cuts hurt poor families the most.",
            "A public water utility and access to water for all.",
            "Harvest rain water to irrigate community gardens.",
        ],
        "housing": [
            "Our city lacks social housing.",
            "Rents are too expensive for young people to find housing.",
            "Renovate old housing and build new homes.",
            "Decent housing for every family.",
        ],
        "mobility": [
            "More buses and public transport to the outskirts.",
            "People's mobility depends on the tramway.",
            "A cycling network and frequent public transport.",
            "Daily commutes by bus take too long.",
        ],
    },
}

#: Consultation slug → (language, topics, contributions per topic, the author's country).
REGIONS = {
    "regional-africa": ("fr", ["water", "housing", "mobility"], 8, "SN"),
    "regional-latam": ("es", ["water", "housing", "mobility", "tourism"], 6, "BR"),
    "regional-noram": ("en", ["water", "housing", "mobility"], 6, "CA"),
}


@dataclass
class Forum:
    """What the tests need to know about the seeded forum."""

    organiser: User
    zenobia: User
    latam: Consultation
    n_contributions: int
    n_latam_contributions: int
    n_signatories: int
    runs: dict[str, Any] = field(default_factory=dict)


def _text(language: str, topic: str, n: int) -> str:
    own = SENTENCES[language][topic]
    return " ".join(own[(n + k) % len(own)] for k in range(3))


def _people() -> dict[str, Any]:
    sections = {r.code: r for r in Region.objects.all()}
    countries = {
        "SN": Country.objects.create(iso2="SN", name="Senegal", section=sections["africa"]),
        "BR": Country.objects.create(iso2="BR", name="Brazil", section=sections["latam"]),
        "CA": Country.objects.create(iso2="CA", name="Canada", section=sections["noram"]),
    }
    thies = City.objects.create(
        geonameid=2243940,
        name="Thiès",
        search_name="thies",
        country=countries["SN"],
        latitude=14.79,
        longitude=-16.93,
        population=320000,
    )
    organisations = {
        "SN": Organisation.objects.create(
            name="Ville de Thiès",
            kind="local_government",
            country=countries["SN"],
            city=thies,
            verified=True,
        ),
        "BR": Organisation.objects.create(
            name="Rede Cidadã", kind="civil_society", country=countries["BR"], verified=True
        ),
        "CA": Organisation.objects.create(
            name="Sherbrooke Youth Council", kind="civil_society", country=countries["CA"]
        ),
    }
    authors = {
        code: User.objects.create_user(
            f"author-{code.lower()}@example.org",
            PASSWORD,
            display_name=f"Author {code}",
            organisation=organisation,
        )
        for code, organisation in organisations.items()
    }
    organiser = User.objects.create_user(
        "secretariat@example.org", PASSWORD, role="organiser", display_name=ORGANISER_NAME
    )
    zenobia = User.objects.create_user(
        ZENOBIA_EMAIL,
        PASSWORD,
        display_name=ZENOBIA_NAME,
        organisation=organisations["SN"],
        city=thies,
    )
    return {
        "organiser": organiser,
        "zenobia": zenobia,
        "authors": authors,
        "thies": thies,
        "organisations": organisations,
    }


def _contributions(authors: dict[str, User]) -> None:
    made = []
    for slug, (language, topics, per_topic, country) in REGIONS.items():
        consultation = Consultation.objects.get(slug=slug)
        author = authors[country]
        for topic, n in itertools.product(topics, range(per_topic)):
            made.append(
                Contribution(
                    consultation=consultation,
                    author=author,
                    organisation=author.organisation,
                    region=author.organisation.country.section,
                    type="recommendation" if n == 0 else "proposal",
                    title=SENTENCES[language][topic][n % 4][:60],
                    body=_text(language, topic, n),
                    language=language,
                )
            )
    Contribution.objects.bulk_create(made)


def _conversation(latam: Consultation, zenobia: User) -> None:
    """Eight statements, 40 voters in two camps who agree on one statement (a consensus)."""
    texts = [
        "Public transport should be free for students.",
        "Tourist flats should be limited in the old town.",
        "The city should build social housing first.",
        "Cars should be banned from the centre on Sundays.",
        "Water should stay a public service.",
        "Neighbourhood assemblies should vote part of the budget.",
        CONSENSUS_STATEMENT,
        "Nothing needs to change in our city.",
    ]
    statements = Statement.objects.bulk_create(
        [Statement(consultation=latam, text=t, status="accepted", language="en") for t in texts]
    )
    Voter.objects.bulk_create(
        [Voter(consultation=latam, public_id=10_000 + i, source_id=i) for i in range(40)]
    )
    voters = list(Voter.objects.filter(consultation=latam).order_by("public_id"))
    moment = dt.datetime(2021, 5, 3, 12, tzinfo=dt.UTC)
    votes = []
    for i, voter in enumerate(voters):
        camp = 1 if i < 20 else -1
        for j, statement in enumerate(statements):
            if j == 6:
                value = 1
            elif j == 7:
                value = -1
            else:
                value = camp if j < 3 else -camp
                if (i + j) % 9 == 0:
                    value = 0
            votes.append(
                Vote(
                    statement=statement,
                    voter=voter,
                    value=value,
                    created_at=moment,
                    updated_at=moment,
                )
            )
    Vote.objects.bulk_create(votes)
    for statement in statements[:7]:
        cast_vote(latam, statement.pk, 1, user=zenobia)


def _assessment(city: City, organiser: User) -> None:
    load_indicators()
    values = [
        ValueInput(
            i.code,
            round(i.plausible_min + (i.plausible_max - i.plausible_min) * 0.4, 2),
            source="Test figures",
            unit=i.unit,
        )
        for i in Indicator.objects.all()
    ]
    assess_city(city, 2020, values, by=organiser)


def _approved_with_a_rejected_theme(scope: Consultation | None, k: int, by: User) -> Any:
    run = run_themes(scope, by=by, n_themes=k)
    rename_theme(run, 0, dict.fromkeys(("fr", "en", "es"), REJECTED_LABEL), by=by)
    reject_theme(run, 0, by=by, reason="Trop vague.")
    run.refresh_from_db()
    return approve_themes(run, by=by)


def build() -> Forum:
    """Seed the forum (inside the caller's transaction) and return what tests check against."""
    load_programme()
    Consultation.objects.update(status="open")
    document = load_code_of_conduct()
    people = _people()
    organiser, zenobia = people["organiser"], people["zenobia"]
    _contributions(people["authors"])
    latam = Consultation.objects.get(slug="regional-latam")
    own = participation.contribute(
        Consultation.objects.get(slug="local-democracy"),
        zenobia,
        type="proposal",
        title="Des budgets participatifs",
        body="Confier une part du budget municipal aux assemblées de quartier, chaque année.",
        language="fr",
        capitals=["human"],
    )
    other = Contribution.objects.filter(consultation=latam).first()
    assert other is not None
    participation.comment(other, zenobia, "Je soutiens cette proposition.")
    participation.endorse(other, zenobia)
    participation.endorse(own, people["authors"]["BR"])
    _conversation(latam, zenobia)
    runs: dict[str, Any] = {"opinion": run_opinion_map(latam, by=organiser)}
    article = document.articles.get(number=2)
    drafting.propose_amendment(
        document,
        article,
        by=zenobia,
        kind="modify",
        text=article.text_fr + " Les jeunes y prennent part.",
        rationale="Nommer la jeunesse.",
        language="fr",
    )
    drafting.freeze_document(document, by=organiser, note="Version finale")
    drafting.sign(document, by=zenobia)
    drafting.sign(document, by=people["authors"]["BR"])
    _assessment(people["thies"], organiser)

    runs.update(
        overall=_approved_with_a_rejected_theme(None, 4, organiser),
        latam=_approved_with_a_rejected_theme(latam, 3, organiser),
    )
    for scope in (None, latam):  # newer syntheses, never approved
        draft = run_themes(scope, by=organiser, n_themes=2)
        rename_theme(draft, 0, dict.fromkeys(("fr", "en", "es"), UNAPPROVED_LABEL), by=organiser)
    return Forum(
        organiser=organiser,
        zenobia=zenobia,
        latam=latam,
        n_contributions=Contribution.objects.count(),
        n_latam_contributions=Contribution.objects.filter(consultation=latam).count(),
        n_signatories=document.signatures.count(),
        runs=runs,
    )
