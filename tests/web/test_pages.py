"""Pages in each language show translated text, not only a 200."""

from __future__ import annotations

import pytest
from django.test import Client

from cityforum.programme.models import Consultation


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        (
            "fr",
            [
                "2e Forum mondial des villes intermédiaires de CGLU",
                "Les cinq capitaux de la résilience",
                "Consultations thématiques",
                "30 avril 2021",
                "Capital environnemental",
            ],
        ),
        (
            "en",
            [
                "UCLG 2nd World Forum of Intermediary Cities",
                "The five capitals of resilience",
                "Thematic consultations",
                "April 30, 2021",
                "Environmental capital",
            ],
        ),
        (
            "es",
            [
                "2º Foro Mundial de Ciudades Intermedias de CGLU",
                "Los cinco capitales de la resiliencia",
                "Consultas temáticas",
                "30 de abril de 2021",
                "Capital ambiental",
            ],
        ),
    ],
)
def test_home_shows_the_programme_in_each_language(
    programme: None, client: Client, language: str, texts: list[str]
) -> None:
    response = client.get(f"/{language}/")
    assert response.status_code == 200
    page = response.content.decode()
    for text in texts:
        assert text in page, text
    assert page.count('class="card consultation"') == 4
    assert f'<html lang="{language}">' in page


def test_the_root_redirects_to_the_language_the_browser_asks_for(client: Client, db: None) -> None:
    response = client.get("/", headers={"accept-language": "es-ES,es;q=0.9"})
    assert response.status_code == 302 and response["Location"] == "/es/"


def test_switching_language_is_remembered(programme: None, client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/fr/capitals/human/"})
    assert response.status_code == 302
    assert response["Location"] == "/en/capitals/human/"
    assert client.cookies["cityforum_language"].value == "en"
    assert client.get("/")["Location"] == "/en/"


def test_the_language_switch_is_protected_against_forgery(programme: None) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/fr/"})
    assert response.status_code == 403


def test_consultation_page(programme: None, client: Client) -> None:
    page = client.get("/es/consultations/ecological-transition/").content.decode()
    assert "Ciudades intermedias y la transición ecológica" in page
    assert "Reforzar la cultura de la ecología para una resiliencia global" in page
    assert "Resultado esperado" in page
    assert "7 de mayo de 2021" in page
    assert "Capital ambiental" in page and "Capital cultural" in page


def test_regional_consultation_page_says_its_date_is_to_be_confirmed(
    programme: None, client: Client
) -> None:
    page = client.get("/en/consultations/regional-mewa/").content.decode()
    assert "Middle East and West Asia" in page and "Date to be confirmed" in page


def test_capital_page_lists_its_consultations(programme: None, client: Client) -> None:
    page = client.get("/fr/capitals/cultural/").content.decode()
    assert "Capital culturel" in page
    assert "Villes intermédiaires &amp; la Transition écologique" in page
    assert "Inégalités" not in page.split("<main")[1].split("Autres capitaux")[0]
    assert page.count('class="card consultation"') == 7  # the ecological transition + six regional


def test_region_page_lists_its_consultation_and_countries(registry: None, client: Client) -> None:
    page = client.get("/en/regions/africa/").content.decode()
    assert "Regional consultation: Africa" in page
    assert "Morocco" in page and "France" not in page


def test_city_search_page_works_without_javascript(registry: None, client: Client) -> None:
    page = client.get("/en/cities/?q=chefchaouen").content.decode()
    assert "Chefchaouen" in page and "Morocco" in page and "1 place found." in page
    partial = client.get(
        "/en/cities/?q=chefchaouen", headers={"HX-Request": "true"}
    ).content.decode()
    assert "Chefchaouen" in partial and "<html" not in partial
    french = client.get("/fr/cities/?q=chefchaouen").content.decode()
    assert "Maroc" in french and "Morocco" not in french
    too_long = client.get("/en/cities/?q=" + "x" * 101).content.decode()
    assert "at most 100 characters" in too_long


@pytest.mark.parametrize(
    ("language", "text"),
    [("fr", "Page introuvable"), ("en", "Page not found"), ("es", "Página no encontrada")],
)
def test_not_found_pages_speak_each_language(
    programme: None, client: Client, language: str, text: str
) -> None:
    response = client.get(f"/{language}/consultations/no-such-consultation/")
    assert response.status_code == 404
    assert text in response.content.decode()


def test_user_text_is_escaped(programme: None, client: Client) -> None:
    Consultation.objects.filter(slug="inequalities").update(title_en='<script>alert("x")</script>')
    page = client.get("/en/").content.decode()
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_pages_are_not_framed_and_sniffing_is_off(programme: None, client: Client) -> None:
    response = client.get("/en/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("path", "text"),
    [("/fr/", "Erreur du serveur"), ("/en/", "Server error"), ("/es/", "Error del servidor")],
)
def test_server_error_pages_speak_the_language_of_the_address(path: str, text: str) -> None:
    from django.test import RequestFactory

    from cityforum.core.views import server_error

    response = server_error(RequestFactory().get(path + "consultations/x/"))
    assert response.status_code == 500
    assert text in response.content.decode()


def test_server_errors_in_the_api_are_problem_json() -> None:
    from django.test import RequestFactory

    from cityforum.core.views import server_error

    response = server_error(RequestFactory().get("/api/v1/consultations"))
    assert response.status_code == 500 and response["Content-Type"] == "application/problem+json"
