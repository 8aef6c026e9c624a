"""Organisations are verified by organisers only, and every change of trust is audited."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import Client

from cityforum.core.audit import history
from cityforum.people import services
from cityforum.people.models import Organisation, User

from .conftest import PASSWORD


@pytest.fixture
def organisation(places: None) -> Organisation:
    return services.create_organisation(
        name="Commune de Chefchaouen", kind="local_government", country=_morocco()
    )


def _morocco() -> object:
    from cityforum.cities.models import Country

    return Country.objects.get(pk="MA")


def _person(role: str) -> object:
    if role == "public":
        return AnonymousUser()
    user = User.objects.create_user(
        f"{role.replace(' ', '-')}@x.org", PASSWORD, role=role.split()[-1]
    )
    if role.startswith("inactive"):
        user.is_active = False
        user.save()
    return user


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("public", False),
        ("participant", False),
        ("moderator", False),
        ("organiser", True),
        ("inactive organiser", False),
    ],
)
def test_rule_verify_organisation(organisation: Organisation, role: str, allowed: bool) -> None:
    person = _person(role)
    assert person.has_perm("people.verify_organisation", organisation) is allowed
    if allowed:
        services.verify_organisation(organisation, by=person, reason="Known member of UCLG")
        organisation.refresh_from_db()
        assert organisation.verified
        [event] = [e for e in history(organisation) if e.verb == "organisation.verify"]
        assert (event.actor, event.reason) == (person, "Known member of UCLG")
    else:
        with pytest.raises(PermissionDenied, match="Only organisers may verify organisations."):
            services.verify_organisation(organisation, by=person)
        organisation.refresh_from_db()
        assert not organisation.verified
        assert not [e for e in history(organisation) if e.verb == "organisation.verify"]


def test_withdrawing_trust_is_audited_and_repeating_it_changes_nothing(
    organisation: Organisation, organiser: User
) -> None:
    services.verify_organisation(organisation, by=organiser)
    services.verify_organisation(organisation, by=organiser)
    services.verify_organisation(organisation, by=organiser, verified=False, reason="Merged")
    verbs = [e.verb for e in history(organisation)]
    assert sorted(verbs) == ["organisation.create", "organisation.unverify", "organisation.verify"]
    organisation.refresh_from_db()
    assert not organisation.verified


def test_the_admin_action_verifies_through_the_service(
    organisation: Organisation, organiser: User
) -> None:
    client = Client()
    client.force_login(organiser)
    response = client.post(
        "/admin/people/organisation/",
        {"action": "mark_verified", "_selected_action": [organisation.pk]},
    )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.verified
    assert [e.actor for e in history(organisation) if e.verb == "organisation.verify"] == [
        organiser
    ]


def test_the_admin_form_does_not_change_verification(
    organisation: Organisation, organiser: User
) -> None:
    client = Client()
    client.force_login(organiser)
    page = client.get(f"/admin/people/organisation/{organisation.pk}/change/").content.decode()
    assert 'name="verified"' not in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "   "}, "Give the name of the organisation."),
        ({"name": "x" * 201}, "at most 200 characters"),
        ({"kind": "club"}, "Unknown type of organisation “club”"),
        ({"country": None}, "Choose the country of the organisation."),
    ],
)
def test_bad_organisations_are_refused(places: None, fields: dict, message: str) -> None:
    data = {"name": "Réseau des villes", "kind": "network", "country": _morocco(), **fields}
    with pytest.raises(services.ValidationError, match=message):
        services.create_organisation(**data)
    assert not Organisation.objects.exists()
