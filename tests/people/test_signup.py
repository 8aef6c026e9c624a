"""Signing up: consent, a strong password, a unique e-mail, and a link that verifies it."""

from __future__ import annotations

import re
import time

import pytest
from django.core import mail, signing
from django.test import Client

from cityforum.people import services
from cityforum.people.models import User

from .conftest import PASSWORD

SIGNUP = "/en/accounts/signup/"


def _form(**changes: object) -> dict[str, object]:
    data = {
        "email": "Nadia@Example.org",
        "display_name": "Nadia (Chefchaouen)",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "consent": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _link(message: mail.EmailMessage) -> str:
    match = re.search(r"https?://\S+/accounts/verify/\S+/", message.body)
    assert match, message.body
    return match.group(0)


def test_the_sign_up_page_says_what_is_public_and_what_is_not(db: None) -> None:
    page = Client().get(SIGNUP).content.decode()
    assert "What is public, what is not" in page
    for public in ("display name", "organisation", "contributions"):
        assert public in page
    for private in ("e-mail address", "individual votes"):
        assert private in page
    assert 'name="consent"' in page and "required" in page


def test_a_person_signs_up_and_receives_a_verification_link(db: None) -> None:
    response = Client().post(SIGNUP, _form())
    assert response.status_code == 200
    assert "Check your e-mail" in response.content.decode()
    user = User.objects.get()
    assert user.email == "nadia@example.org"
    assert user.display_name == "Nadia (Chefchaouen)"
    assert user.role == "participant"
    assert user.preferred_language == "en"  # the language of the page signed up on
    assert user.consented_at is not None
    assert not user.email_verified
    assert user.check_password(PASSWORD)
    [message] = mail.outbox
    assert message.to == ["nadia@example.org"]
    assert "/en/accounts/verify/" in _link(message)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"consent": None}, "Please accept what the forum makes public."),
        ({"password1": "short", "password2": "short"}, "This password is too short."),
        ({"password1": "12345678901", "password2": "12345678901"}, "entirely numeric"),
        ({"password2": "something-else-99"}, "The two passwords differ."),
        ({"email": "not-an-address"}, "Enter a valid email address."),
        ({"email": ""}, "This field is required."),
        ({"display_name": "x" * 101}, "at most 100 characters"),
    ],
)
def test_bad_sign_up_input_is_explained_and_nothing_is_written(
    db: None, changes: dict[str, object], message: str
) -> None:
    response = Client().post(SIGNUP, _form(**changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not User.objects.exists()
    assert not mail.outbox


def test_an_e_mail_address_signs_up_once_whatever_its_case(person: User) -> None:
    response = Client().post(SIGNUP, _form(email="ANA@example.org"))
    assert response.status_code == 400
    assert "An account with this e-mail address already exists." in response.content.decode()
    assert User.objects.count() == 1
    assert not mail.outbox


def test_the_service_refuses_without_consent_too(db: None) -> None:
    with pytest.raises(services.ValidationError, match="accept"):
        services.sign_up("x@example.org", PASSWORD, consent=False, link_for=str)
    assert not User.objects.exists()


def test_the_link_verifies_the_address_and_works_twice(db: None) -> None:
    client = Client()
    client.post(SIGNUP, _form())
    link = _link(mail.outbox[0])
    response = client.get(link)
    assert response.status_code == 200
    assert "Thank you: nadia@example.org is verified." in response.content.decode()
    verified_at = User.objects.get().email_verified_at
    assert verified_at is not None
    assert client.get(link).status_code == 200
    assert User.objects.get().email_verified_at == verified_at


def test_a_tampered_link_verifies_nothing(db: None) -> None:
    client = Client()
    client.post(SIGNUP, _form())
    link = _link(mail.outbox[0])
    tampered = link[:-3] + ("A" if link[-3] != "A" else "B") + link[-2:]
    response = client.get(tampered)
    assert response.status_code == 400
    assert "This verification link is not valid." in response.content.decode()
    assert not User.objects.get().email_verified


def test_a_link_for_another_account_or_address_verifies_nothing(person: User) -> None:
    person.email_verified_at = None
    person.save()
    token = services.verification_token(person)
    person.email = "new@example.org"
    person.save()
    response = Client().get(f"/en/accounts/verify/{token}/")
    assert response.status_code == 400
    assert "no longer has" in response.content.decode()
    person.refresh_from_db()
    assert not person.email_verified


def test_an_expired_link_verifies_nothing(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    client = Client()
    client.post(SIGNUP, _form())
    link = _link(mail.outbox[0])
    later = time.time() + services.VERIFICATION_MAX_AGE.total_seconds() + 60
    monkeypatch.setattr(signing.time, "time", lambda: later)
    response = client.get(link)
    assert response.status_code == 400
    assert "This verification link has expired." in response.content.decode()
    assert not User.objects.get().email_verified


def test_an_unverified_person_signs_in_and_is_reminded(db: None) -> None:
    client = Client()
    client.post(SIGNUP, _form())
    response = client.post(
        "/en/accounts/login/", {"username": "nadia@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    home = client.get(response["Location"]).content.decode()
    assert "Your e-mail address is not verified yet" in home
    # The reminder offers to send the link again.
    client.post("/en/accounts/verify-again/")
    assert len(mail.outbox) == 2
    client.get(_link(mail.outbox[1]))
    assert "not verified yet" not in client.get("/en/").content.decode()


@pytest.mark.parametrize("language", ["fr", "en", "es"])
def test_the_sign_up_page_speaks_the_language_of_its_address(db: None, language: str) -> None:
    client = Client()
    page = client.get(f"/{language}/accounts/signup/").content.decode()
    assert f'<html lang="{language}">' in page
    # Django's own catalogues already translate the password rules.
    rules = {
        "fr": "Votre mot de passe doit contenir au minimum 8 caractères.",
        "en": "Your password must contain at least 8 characters.",
        "es": "Su contraseña debe contener al menos 8 caracteres.",
    }
    assert rules[language] in page


def test_a_weak_password_is_refused_in_french(db: None) -> None:
    response = Client().post("/fr/accounts/signup/", _form(password1="abc", password2="abc"))
    assert "Ce mot de passe est trop court." in response.content.decode()
    assert not User.objects.exists()
