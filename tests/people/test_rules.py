"""One test per rule, every role: public, participant, moderator, organiser, and inactive."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from cityforum.people.models import User
from cityforum.people.rules import is_moderator, is_organiser, is_participant

ROLES = ["public", "participant", "moderator", "organiser", "inactive organiser"]


def _person(role: str) -> object:
    if role == "public":
        return AnonymousUser()
    user = User.objects.create_user(
        f"{role.replace(' ', '-')}@example.org", "a-long-pass-phrase", role=role.split()[-1]
    )
    if role.startswith("inactive"):
        user.is_active = False
        user.save()
    return user


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("public", False),
        ("participant", False),
        ("moderator", False),
        ("organiser", True),
        ("inactive organiser", False),
    ],
)
def test_is_organiser(db: None, role: str, expected: bool) -> None:
    person = _person(role)
    assert is_organiser(person) is expected
    assert person.has_perm("cityforum.run_back_office") is expected
    assert person.has_perm("programme.change_consultation") is expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("public", False),
        ("participant", False),
        ("moderator", True),
        ("organiser", False),
        ("inactive organiser", False),
    ],
)
def test_is_moderator(db: None, role: str, expected: bool) -> None:
    assert is_moderator(_person(role)) is expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("public", False),
        ("participant", True),
        ("moderator", True),
        ("organiser", True),
        ("inactive organiser", False),
    ],
)
def test_is_participant(db: None, role: str, expected: bool) -> None:
    assert is_participant(_person(role)) is expected


def test_a_named_rule_is_never_overridden_by_the_organiser_role(db: None) -> None:
    import rules

    rules.add_perm("tests.never", rules.always_deny)
    try:
        organiser = _person("organiser")
        assert not organiser.has_perm("tests.never")
        assert organiser.has_perm("programme.view_consultation")  # a plain model permission
    finally:
        rules.remove_perm("tests.never")
