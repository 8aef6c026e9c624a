"""Writes are limited per person and per client address, on pages and on the API alike.

Beyond the rate, a write is refused with 429 before anything is written: a page in the
visitor's language, or a problem+json document in the request's language for the API.
Reads are never counted.
"""

from __future__ import annotations

import pytest
from django.test import Client

from cityforum.participation.models import Contribution
from cityforum.people.models import ApiToken, User
from cityforum.programme.models import Consultation, Status

PROFILE = "/en/accounts/profile/"


@pytest.fixture
def low_rates(settings: pytest.FixtureRequest, one_rate_window: None) -> None:
    settings.CITYFORUM_WRITE_RATE_PER_PERSON = "3/m"
    settings.CITYFORUM_WRITE_RATE_PER_ADDRESS = "5/m"


def _profile(name: str) -> dict[str, str]:
    return {"display_name": name, "preferred_language": "en", "organisation_role": ""}


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_person_s_fourth_form_post_in_a_minute_is_refused_and_writes_nothing(
    person: User, low_rates: None
) -> None:
    client = _signed_in(person)
    for n in range(3):
        assert client.post(PROFILE, _profile(f"Ana {n}")).status_code == 302
    refused = client.post(PROFILE, _profile("Ana too many"))
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    page = refused.content.decode()
    assert "Too many requests: wait a minute and try again." in page
    assert User.objects.get(pk=person.pk).display_name == "Ana 2"


def test_the_refusal_page_speaks_the_language_of_its_address(person: User, low_rates: None) -> None:
    client = _signed_in(person)
    for _n in range(3):
        client.post("/fr/accounts/profile/", _profile("Ana"))
    page = client.post("/fr/accounts/profile/", _profile("Ana")).content.decode()
    assert "Trop de requêtes : patientez une minute et réessayez." in page


def test_the_person_limit_follows_the_person_across_addresses(
    person: User, low_rates: None
) -> None:
    client = _signed_in(person)
    codes = [
        client.post(PROFILE, _profile("Ana"), REMOTE_ADDR=f"10.0.0.{n}").status_code
        for n in range(4)
    ]
    assert codes == [302, 302, 302, 429]


def test_the_address_limit_follows_the_address_across_people(
    person: User, organiser: User, low_rates: None
) -> None:
    """A workshop room shares one address: its limit is higher than one person's."""
    ana, org = _signed_in(person), _signed_in(organiser)
    codes = [ana.post(PROFILE, _profile("Ana")).status_code for _n in range(3)]
    codes += [org.post(PROFILE, _profile("Org")).status_code for _n in range(3)]
    assert codes == [302, 302, 302, 302, 302, 429]


def test_reads_are_never_counted(person: User, low_rates: None) -> None:
    client = _signed_in(person)
    assert all(client.get(PROFILE).status_code == 200 for _n in range(10))
    assert client.post(PROFILE, _profile("Ana")).status_code == 302


@pytest.fixture
def open_consultation(programme: None) -> Consultation:
    consultation = Consultation.objects.get(slug="regional-africa")
    consultation.status = Status.OPEN
    consultation.save(update_fields=["status"])
    return consultation


def _contribution(n: int) -> dict[str, object]:
    return {
        "type": "proposal",
        "title": f"Idea {n}",
        "body": "Shade over the market.",
        "language": "en",
        "capitals": ["environmental"],
    }


def test_api_writes_are_limited_per_person_across_tokens_with_a_translated_problem(
    person: User, open_consultation: Consultation, low_rates: None
) -> None:
    tokens = [ApiToken.issue(person)[1] for _n in range(2)]
    url = f"/api/v1/consultations/{open_consultation.pk}/contributions"
    codes = []
    for n in range(4):
        response = Client().post(
            url,
            _contribution(n),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {tokens[n % 2]}",
            HTTP_ACCEPT_LANGUAGE="es",
            REMOTE_ADDR=f"10.0.1.{n}",
        )
        codes.append(response.status_code)
    assert codes == [201, 201, 201, 429]
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 429 and problem["type"].endswith("/rate-limited")
    assert problem["title"] == "Demasiadas solicitudes."
    assert problem["detail"] == "Demasiadas solicitudes: espere un minuto y vuelva a intentarlo."
    assert Contribution.objects.count() == 3


def test_anonymous_api_writes_are_limited_per_address(db: None, low_rates: None) -> None:
    credentials = {"email": "nobody@example.org", "password": "wrong"}
    codes = [
        Client()
        .post("/api/v1/auth/token", credentials, content_type="application/json")
        .status_code
        for _n in range(6)
    ]
    assert codes[-1] == 429 and 429 not in codes[:5]


def test_an_unknown_token_names_nobody_so_only_its_address_counts(
    db: None, low_rates: None
) -> None:
    from cityforum.people.throttle import person_key

    class Request:
        user = None
        headers = {"Authorization": "Bearer cf_not-a-token"}

    assert person_key(Request()) is None  # type: ignore[arg-type]
