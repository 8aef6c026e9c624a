"""The reports on the site: ``/<lang>/reports/forum/`` and ``/<lang>/reports/consultation/<slug>/``
are public pages with their downloads (``?format=pdf|md&language=``); missing data is said
plainly, never an empty section; bad parameters get a page that says what exists."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from cityforum.cities.models import Country
from cityforum.participation.models import Contribution
from cityforum.people.models import Organisation, User
from cityforum.programme.models import Consultation, Region

FORUM = "/{lang}/reports/forum/"
CONSULTATION = "/{lang}/reports/consultation/{slug}/"


@pytest.fixture
def contributions(programme: None) -> None:
    """A few contributions from two regions: enough for the charts of "who took part"."""
    sections = {r.code: r for r in Region.objects.all()}
    for iso, section, n in (("SN", "africa", 3), ("BR", "latam", 2)):
        country = Country.objects.create(iso2=iso, name=iso, section=sections[section])
        organisation = Organisation.objects.create(
            name=f"Ville {iso}", kind="local_government", country=country
        )
        author = User.objects.create_user(f"{iso.lower()}@example.org", "x" * 12)
        author.organisation = organisation
        author.save()
        consultation = Consultation.objects.get(slug=f"regional-{section}")
        Contribution.objects.bulk_create(
            [
                Contribution(
                    consultation=consultation,
                    author=author,
                    organisation=organisation,
                    region=sections[section],
                    type="proposal",
                    title=f"Idea {k}",
                    body="Water for every neighbourhood.",
                    language="en",
                )
                for k in range(n)
            ]
        )


def test_the_forum_report_is_a_public_page_with_its_downloads(contributions: None) -> None:
    response = Client().get(FORUM.format(lang="en"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>UCLG 2nd World Forum of Intermediary Cities</h1>" in html
    for language in ("fr", "en", "es"):
        for format in ("pdf", "md"):
            assert f"?format={format}&amp;language={language}" in html
    assert 'href="/en/reports/consultation/regional-africa/"' in html
    assert " style=" not in html  # the Content-Security-Policy forbids inline styles


def test_missing_syntheses_are_said_plainly(programme: None) -> None:
    forum = Client().get(FORUM.format(lang="en")).content.decode()
    assert "No synthesis of the contributions has been approved yet" in forum
    assert "No city has been assessed yet" in forum
    assert "Nobody has taken part yet" in forum
    page = Client().get(CONSULTATION.format(lang="en", slug="inequalities")).content.decode()
    assert "No opinion map has been computed for this consultation yet" in page
    assert "No capitals profile has been recorded yet" in page
    assert "No outcome text has been drafted for this consultation yet" in page
    assert "Recommandations pour des territoires égaux" in page or "equal territories" in page


def test_the_code_of_conduct_is_the_outcome_of_its_consultation(programme: None) -> None:
    from cityforum.drafting.seed import load_code_of_conduct

    document = load_code_of_conduct()
    page = Client().get(CONSULTATION.format(lang="en", slug="local-democracy")).content.decode()
    assert document.title_en in page
    assert "Starting draft" in page
    assert "Article 1" in page


def test_charts_in_french_keep_svg_numbers_with_a_dot(contributions: None) -> None:
    html = Client().get(FORUM.format(lang="fr")).content.decode()
    svgs = re.findall(r"<svg[^>]*>.*?</svg>", html, re.S)
    assert svgs
    for svg in svgs:
        for name, value in re.findall(r'\b(x|y|width|height|x1|x2|y1|y2)="([^"]*)"', svg):
            assert re.fullmatch(r"-?[0-9.]+", value), (name, value)


def test_a_download_is_a_file_in_the_chosen_language_with_absolute_links(
    contributions: None,
) -> None:
    response = Client().get(FORUM.format(lang="en"), {"format": "md", "language": "es"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="wfic-2021-outcome-es.md"'
    text = response.content.decode()
    assert text.startswith("# 2º Foro Mundial de Ciudades Intermedias de CGLU\n")
    assert "(<http://testserver/es/reports/consultation/regional-africa/>)" in text


def test_the_pdf_download(programme: None) -> None:
    response = Client().get(
        CONSULTATION.format(lang="fr", slug="regional-latam"), {"format": "pdf"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert "wfic-2021-regional-latam-report-fr.pdf" in response["Content-Disposition"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"format": "docx"}, "Unknown report format “docx”; choose one of: pdf, md, html."),
        ({"format": "pdf", "language": "de"}, "Unknown language “de”; choose one of: fr, en, es."),
    ],
)
def test_bad_parameters_say_what_exists(programme: None, query: dict, message: str) -> None:
    response = Client().get(FORUM.format(lang="en"), query)
    assert response.status_code == 404
    assert message in response.content.decode()


def test_a_language_asked_for_moves_the_page_to_its_address(programme: None) -> None:
    response = Client().get(FORUM.format(lang="fr"), {"language": "es"})
    assert response.status_code == 302
    assert response["Location"] == "/es/reports/forum/"


def test_an_unknown_consultation_is_not_found(programme: None) -> None:
    response = Client().get(CONSULTATION.format(lang="en", slug="atlantis"))
    assert response.status_code == 404


def test_no_forum_yet_is_not_found(db: None) -> None:
    assert Client().get(FORUM.format(lang="en")).status_code == 404
