"""Fixtures of the recommendations tests: the seeded programme, one person per role, members
of organisations in three world sections, a recommendation contribution, an approved themes
run and the valid fields of a recommendation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from cityforum.cities.models import Country
from cityforum.participation.models import Contribution
from cityforum.people.models import Organisation, User
from cityforum.programme.models import Capital, Consultation, Region

PASSWORD = "a-long-pass-phrase"
ROLES = ["public", "participant", "moderator", "organiser"]


def make_person(role: str, email: str | None = None, **extra: Any) -> Any:
    if role == "public":
        return AnonymousUser()
    return User.objects.create_user(email or f"{role}@example.org", PASSWORD, role=role, **extra)


@pytest.fixture
def consultation(programme: None) -> Consultation:
    """The thematic consultation on local democracy, open."""
    found = Consultation.objects.get(slug="local-democracy")
    found.status = "open"
    found.save(update_fields=["status"])
    return found


@pytest.fixture
def organiser(programme: None) -> User:
    return make_person("organiser")


@pytest.fixture
def moderator(programme: None) -> User:
    return make_person("moderator")


@pytest.fixture
def participant(programme: None) -> User:
    return make_person("participant")


@pytest.fixture
def organisations(programme: None) -> dict[str, Organisation]:
    """A Senegalese local government (Africa), a Brazilian NGO (Latin America) and an Indian
    partner (Asia-Pacific)."""
    sections = {r.code: r for r in Region.objects.filter(kind=Region.Kind.SECTION)}
    sn = Country.objects.create(iso2="SN", name="Senegal", section=sections["africa"])
    br = Country.objects.create(iso2="BR", name="Brazil", section=sections["latam"])
    india = Country.objects.create(iso2="IN", name="India", section=sections["aspac"])
    return {
        "africa": Organisation.objects.create(
            name="Ville de Thiès", kind="local_government", country=sn, verified=True
        ),
        "latam": Organisation.objects.create(
            name="Rede Cidadã", kind="civil_society", country=br, verified=True
        ),
        "aspac": Organisation.objects.create(
            name="Urban Partners", kind="partner", country=india, verified=True
        ),
    }


@pytest.fixture
def member(organisations: dict[str, Organisation]) -> Callable[[str, str], User]:
    """``member("africa", "a@x.org")``: a participant of that section's organisation."""

    def make(section: str, email: str) -> User:
        return User.objects.create_user(
            email, PASSWORD, role="participant", organisation=organisations[section]
        )

    return make


@pytest.fixture
def contributions_from(
    consultation: Consultation, member: Callable[[str, str], User]
) -> Callable[[list[str]], list[Contribution]]:
    """Visible contributions written from the given sections: the sections that took part."""

    def make(sections: list[str]) -> list[Contribution]:
        out = []
        for i, code in enumerate(sections):
            author = member(code, f"writer{i}-{code}@example.org")
            out.append(
                Contribution.objects.create(
                    consultation=consultation,
                    author=author,
                    region=Region.objects.get(code=code),
                    type="proposal",
                    title=f"Idée {i}",
                    body="Les villes intermédiaires ont besoin de budgets participatifs.",
                    language="fr",
                )
            )
        return out

    return make


@pytest.fixture
def proposal(consultation: Consultation, member: Callable[[str, str], User]) -> Contribution:
    """A participant's contribution of type recommendation, in Spanish, on two capitals."""
    author = member("latam", "autora@example.org")
    contribution = Contribution.objects.create(
        consultation=consultation,
        author=author,
        region=Region.objects.get(code="latam"),
        type="recommendation",
        title="Presupuestos participativos",
        body="Los gobiernos nacionales deben transferir recursos a las ciudades intermedias.",
        language="es",
    )
    contribution.capitals.set(Capital.objects.filter(code__in=["economic", "human"]))
    return contribution


@pytest.fixture
def fields(consultation: Consultation) -> dict[str, Any]:
    """Valid fields of a recommendation (keyword arguments of the services)."""
    return {
        "text": "Les États transfèrent aux villes intermédiaires les moyens de leurs compétences.",
        "language": "fr",
        "consultations": [consultation.pk],
        "capitals": ["economic"],
        "line": "financing",
        "addressee": "national",
        "pact_component": "government",
    }


@pytest.fixture
def theme_run(consultation: Consultation, proposal: Contribution, organiser: User) -> Any:
    """An approved themes run with one theme, present in two regions, a global trend on it,
    and an unapproved one."""
    from cityforum.synthesis.models import ThemeRun

    result = {
        "themes": [
            {
                "id": 0,
                "labels": {"fr": "finances locales", "en": "local finance", "es": "finanzas"},
                "terms": ["budget"],
                "size": 12,
                "quotes": [
                    {
                        "contribution": proposal.pk,
                        "language": "es",
                        "region": "latam",
                        "text": proposal.body,
                    }
                ],
                "prevalence": {
                    "latam": {"count": 7, "total": 20, "share": 0.35, "low": 0.2, "high": 0.5},
                    "africa": {"count": 5, "total": 20, "share": 0.25, "low": 0.1, "high": 0.4},
                },
            }
        ],
        "trends": [
            {
                "theme": 0,
                "overall": 0.3,
                "is_global": True,
                "regions_present": ["africa", "latam"],
                "regions_absent": [],
                "regions_total": 2,
                "evenness": 0.9,
                "contributions": [proposal.pk],
            }
        ],
        "specificities": [
            {
                "region": "latam",
                "kind": "theme",
                "key": "0",
                "labels": {"fr": "finances locales", "en": "local finance"},
                "z": 3.1,
                "count": 7,
                "count_rest": 5,
                "contributions": [proposal.pk],
            }
        ],
        "regions": {},
    }
    approved = ThemeRun.objects.create(
        consultation=consultation,
        status="done",
        result=result,
        approved_by=organiser,
        approved_at=timezone.now(),
    )
    ThemeRun.objects.create(consultation=consultation, status="done", result=result)
    return approved
