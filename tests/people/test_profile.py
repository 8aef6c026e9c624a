"""The profile: name, language, city from the registry, organisation, and API tokens."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from cityforum.cities.models import City, Country
from cityforum.core.models import AuditEvent
from cityforum.people import services
from cityforum.people.models import ApiToken, Organisation, User

PROFILE = "/en/accounts/profile/"


@pytest.fixture
def client(person: User) -> Client:
    client = Client()
    client.force_login(person)
    return client


@pytest.fixture
def kenitra(places: None) -> City:
    return City.objects.get(name="Kenitra", country_id="MA")


def _form(**changes: object) -> dict[str, object]:
    data = {"display_name": "Ana", "preferred_language": "en", "organisation_role": ""}
    data.update(changes)
    return data


def test_the_profile_page_shows_the_person(client: Client) -> None:
    page = client.get(PROFILE).content.decode()
    assert "ana@example.org" in page
    assert 'name="display_name"' in page and 'value="Ana"' in page
    assert "You have no token." in page


def test_the_city_search_answers_an_htmx_fragment(client: Client, places: None) -> None:
    response = client.get(
        "/en/accounts/profile/cities/", {"field": "city", "city_q": "kenit"}, HTTP_HX_REQUEST="true"
    )
    fragment = response.content.decode()
    assert "<html" not in fragment
    assert 'name="city"' in fragment and "Kenitra, Morocco" in fragment


def test_the_city_search_works_without_javascript(client: Client, places: None) -> None:
    response = client.post(PROFILE, {**_form(), "city_q": "Kénit", "find_city": "city"})
    assert response.status_code == 200
    assert "Kenitra, Morocco" in response.content.decode()
    # A search saves nothing.
    assert User.objects.get(email="ana@example.org").city is None


def test_an_unknown_city_is_explained(client: Client, places: None) -> None:
    response = client.get("/en/accounts/profile/cities/", {"field": "city", "city_q": "zzzq"})
    assert "No place starts with “zzzq”." in response.content.decode()


def test_the_profile_is_saved_and_the_language_follows(client: Client, kenitra: City) -> None:
    response = client.post(
        PROFILE, _form(display_name="  Ana   López ", preferred_language="es", city=kenitra.pk)
    )
    assert response.status_code == 302
    assert response["Location"] == "/es/accounts/profile/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    user = User.objects.get(email="ana@example.org")
    assert (user.display_name, user.preferred_language, user.city) == ("Ana López", "es", kenitra)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"preferred_language": "de"}, "Select a valid choice."),
        ({"city": "999999999"}, "Select a valid choice."),
        ({"display_name": "x" * 101}, "at most 100 characters"),
        ({"organisation_role": "mayor"}, "Choose an organisation to give your role in it."),
        ({"new_organisation_name": "Cité", "new_organisation_kind": "club"}, "valid choice"),
        ({"new_organisation_name": "Cité"}, "Unknown type of organisation"),
    ],
)
def test_bad_profile_input_is_explained_and_nothing_written(
    client: Client, places: None, changes: dict[str, object], message: str
) -> None:
    response = client.post(PROFILE, _form(**changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    user = User.objects.get(email="ana@example.org")
    assert (user.preferred_language, user.city, user.organisation) == ("fr", None, None)
    assert not Organisation.objects.exists()


def test_a_person_joins_an_existing_organisation(client: Client, places: None) -> None:
    uclg = Organisation.objects.create(name="UCLG Africa", kind="network")
    client.post(PROFILE, _form(organisation=uclg.pk, organisation_role="Programme officer"))
    user = User.objects.get(email="ana@example.org")
    assert (user.organisation, user.organisation_role) == (uclg, "Programme officer")


def test_a_person_creates_their_organisation_with_its_city(client: Client, kenitra: City) -> None:
    response = client.post(
        PROFILE,
        _form(
            new_organisation_name="Commune de Kénitra",
            new_organisation_kind="local_government",
            new_organisation_country="MA",
            new_organisation_city=kenitra.pk,
            organisation_role="Deputy mayor",
        ),
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get()
    assert (organisation.name, organisation.kind, organisation.country_id) == (
        "Commune de Kénitra",
        "local_government",
        "MA",
    )
    assert organisation.city == kenitra and not organisation.verified
    assert organisation.region.code == "africa"
    assert User.objects.get(email="ana@example.org").organisation == organisation


def test_an_organisation_is_not_created_twice_in_a_country(client: Client, places: None) -> None:
    Organisation.objects.create(name="Commune de Kénitra", kind="local_government", country_id="MA")
    response = client.post(
        PROFILE,
        _form(
            new_organisation_name="commune de kénitra",
            new_organisation_kind="local_government",
            new_organisation_country="MA",
        ),
    )
    assert response.status_code == 400
    assert "already exists in Morocco" in response.content.decode()
    assert Organisation.objects.count() == 1


def test_an_organisation_s_city_is_in_its_country(places: None, kenitra: City) -> None:
    with pytest.raises(services.ValidationError, match="Kenitra is not in France"):
        services.create_organisation(
            name="X", kind="partner", country=Country.objects.get(pk="FR"), city=kenitra
        )
    assert not Organisation.objects.exists()


def test_a_token_is_shown_once_and_can_be_revoked(client: Client, person: User) -> None:
    page = client.post("/en/accounts/profile/tokens/").content.decode()
    record = ApiToken.objects.get(user=person)
    assert "shown only this once" in page
    token = page.split('<code id="new-token">')[1].split("</code>")[0]
    assert token.startswith(record.prefix)
    api = Client().get("/api/v1/health", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.status_code == 200
    again = client.get(PROFILE).content.decode()
    assert token not in again and record.prefix in again
    response = client.post(f"/en/accounts/profile/tokens/{record.pk}/revoke/")
    assert response.status_code == 302
    assert not ApiToken.objects.exists()


def test_nobody_revokes_another_person_s_token(client: Client, organiser: User) -> None:
    record, _token = ApiToken.issue(organiser)
    response = client.post(f"/en/accounts/profile/tokens/{record.pk}/revoke/")
    assert response.status_code == 403
    assert ApiToken.objects.filter(pk=record.pk).exists()
    services.revoke_api_token(record, by=organiser)
    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("language", ["fr", "en", "es"])
def test_the_profile_page_in_three_languages(client: Client, language: str) -> None:
    page = client.get(f"/{language}/accounts/profile/").content.decode()
    assert f'<html lang="{language}">' in page
    assert {"fr": "Langue", "en": "Language", "es": "Idioma"}[language] in page
    assert {"fr": "Villes", "en": "Cities", "es": "Ciudades"}[language] in page
    if language == "en":
        assert "Your profile" in page and "API tokens" in page
