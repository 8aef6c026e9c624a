"""Signing in and out, in the person's language, with a limit on guessing; password reset."""

from __future__ import annotations

import re

from django.conf import settings
from django.core import mail
from django.test import Client

from cityforum.people.models import User

from .conftest import PASSWORD

LOGIN = "/en/accounts/login/"


def test_a_person_signs_in_and_lands_in_their_preferred_language(person: User) -> None:
    person.preferred_language = "es"
    person.save()
    client = Client()
    response = client.post(LOGIN, {"username": " ANA@example.org ", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/es/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    page = client.get("/es/").content.decode()
    assert ">Ana</a>" in page  # the header names the person and links to the profile


def test_next_is_followed_in_the_preferred_language(person: User) -> None:
    person.preferred_language = "fr"
    person.save()
    response = Client().post(
        LOGIN + "?next=/en/cities/", {"username": person.email, "password": PASSWORD}
    )
    assert response["Location"] == "/fr/cities/"


def test_a_wrong_password_is_refused_with_a_message(person: User) -> None:
    client = Client()
    response = client.post(LOGIN, {"username": person.email, "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct e-mail address and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_eleventh_attempt_in_a_minute_is_refused_even_with_the_right_password(
    person: User,
) -> None:
    client = Client()
    for _ in range(10):
        assert client.post(LOGIN, {"username": person.email, "password": "no"}).status_code == 200
    response = client.post(LOGIN, {"username": person.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed attempts to sign in." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_limit_follows_the_e_mail_across_addresses(person: User) -> None:
    for n in range(10):
        Client(REMOTE_ADDR=f"10.0.0.{n}").post(LOGIN, {"username": person.email, "password": "no"})
    response = Client(REMOTE_ADDR="10.0.1.1").post(
        LOGIN, {"username": person.email, "password": PASSWORD}
    )
    assert response.status_code == 429


def test_the_limit_follows_the_address_across_e_mails(person: User) -> None:
    client = Client(REMOTE_ADDR="10.9.9.9")
    for n in range(10):
        client.post(LOGIN, {"username": f"guess{n}@example.org", "password": "no"})
    assert client.post(LOGIN, {"username": person.email, "password": PASSWORD}).status_code == 429
    # Another address is not affected.
    other = Client(REMOTE_ADDR="10.9.9.10")
    assert other.post(LOGIN, {"username": person.email, "password": PASSWORD}).status_code == 302


def test_successful_sign_ins_are_not_counted(person: User) -> None:
    for _ in range(12):
        client = Client()
        assert (
            client.post(LOGIN, {"username": person.email, "password": PASSWORD}).status_code == 302
        )


def test_signing_out_needs_a_post(person: User) -> None:
    client = Client()
    client.force_login(person)
    assert client.get("/en/accounts/logout/").status_code == 405
    response = client.post("/en/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert "Sign in" in client.get("/en/").content.decode()


def test_a_private_page_sends_to_the_sign_in_page(db: None) -> None:
    response = Client().get("/en/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/?next=")


def test_a_forgotten_password_is_reset_through_an_e_mailed_link(person: User) -> None:
    client = Client()
    response = client.post("/en/accounts/password/reset/", {"email": person.email})
    assert response["Location"] == "/en/accounts/password/reset/sent/"
    [message] = mail.outbox
    link = re.search(r"http://testserver(/en/accounts/password/reset/\S+/)", message.body).group(1)
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    new = "another-long-phrase-7"
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert response["Location"] == "/en/accounts/password/reset/done/"
    person.refresh_from_db()
    assert person.check_password(new)


def test_a_reset_for_an_unknown_address_says_the_same_and_sends_nothing(db: None) -> None:
    response = Client().post("/en/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert not mail.outbox


def test_the_sign_in_page_in_three_languages(db: None) -> None:
    for language, word in (("fr", "Langue"), ("en", "Sign in"), ("es", "Idioma")):
        page = Client().get(f"/{language}/accounts/login/").content.decode()
        assert f'<html lang="{language}">' in page
        assert word in page
