"""The recommendations in the outcome documents: the forum report's chapter (by line of
transformation, then capital, with evidence and support) and the G20 brief (the adopted
recommendations to the global level, most widely backed first, one evidence note each, two A4
pages at most, in French, English and Spanish; as a file, on the command line and on the site).
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.test import Client

from cityforum.cli.main import cli
from cityforum.participation.models import Contribution
from cityforum.people.models import User
from cityforum.programme.models import Forum
from cityforum.recommendations import services
from cityforum.recommendations.models import Recommendation
from cityforum.reports.assemble import forum_report
from cityforum.reports.brief import MAX_ITEMS, brief_recommendations, g20_brief
from cityforum.reports.markdown import to_markdown
from cityforum.reports.render import render

LANGUAGES = ["fr", "en", "es"]


def pdf_pages(pdf: bytes, folder: Path) -> int:
    path = folder / "brief.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True)
    return int(
        next(line for line in info.stdout.splitlines() if line.startswith("Pages:")).split()[1]
    )


def pdf_text(pdf: bytes, folder: Path) -> str:
    path = folder / "brief.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True)
    return " ".join(out.stdout.split())


def _make(organiser: User, fields: dict[str, Any], **changes: Any) -> Recommendation:
    return services.draft_recommendation(by=organiser, **{**fields, **changes})


def _move(rec: Recommendation, organiser: User, *statuses: str) -> None:
    for status in statuses:
        services.change_status(rec, status, by=organiser, reason="Décision de l'assemblée.")


@pytest.fixture
def outcome(
    organiser: User,
    fields: dict[str, Any],
    proposal: Contribution,
    theme_run: Any,
    member: Callable[[str, str], User],
    contributions_from: Callable[[list[str]], list[Contribution]],
) -> dict[str, Recommendation]:
    """Three world sections took part. Two adopted recommendations to the G20 (one backed by
    all three sections, one by one), an adopted one to national governments, a consulted one
    to the G20, and a draft to the G20."""
    contributions_from(["africa", "latam", "aspac"])
    wide = _make(
        organiser,
        fields,
        text="Créer un fonds mondial pour l'investissement des villes intermédiaires.",
        line="financing",
        addressee="global",
        capitals=["economic"],
    )
    narrow = _make(
        organiser,
        fields,
        text="Reconnaître les villes intermédiaires dans les travaux du G20.",
        line="advocacy",
        addressee="global",
        capitals=["social", "human"],
    )
    national = _make(
        organiser,
        fields,
        text="Former les élus des villes intermédiaires à la gestion des risques.",
        line="capacity_building",
        addressee="national",
        capitals=["environmental"],
    )
    consulted = _make(
        organiser,
        fields,
        text="Ouvrir des lignes de crédit vertes aux villes intermédiaires.",
        line="financing",
        addressee="global",
        capitals=["environmental"],
    )
    draft = _make(
        organiser,
        fields,
        text="Texte encore en brouillon, à ne pas imprimer.",
        addressee="global",
    )
    for rec in (wide, narrow, national, consulted, draft):
        services.link_evidence(rec, "contribution", proposal.pk, by=organiser)
    services.link_evidence(wide, "trend", theme_run.pk, "0", by=organiser)
    for rec in (wide, narrow, national):
        _move(rec, organiser, "consulted", "adopted")
    _move(consulted, organiser, "consulted")
    for i, section in enumerate(["africa", "latam", "aspac"]):
        services.endorse(wide, by=member(section, f"wide{i}@example.org"))
    services.endorse(narrow, by=member("africa", "narrow@example.org"))
    services.endorse(narrow, by=member("africa", "narrow2@example.org"))
    return {
        "wide": wide,
        "narrow": narrow,
        "national": national,
        "consulted": consulted,
        "draft": draft,
    }


def test_the_brief_holds_the_adopted_global_recommendations_most_backed_first(
    outcome: dict[str, Recommendation],
) -> None:
    chosen = [rec.pk for rec, _support in brief_recommendations()]
    # "narrow" has two endorsements from one section; "wide" three from three: wide first.
    assert chosen == [outcome["wide"].pk, outcome["narrow"].pk]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_brief_in_each_language_names_support_and_evidence(
    outcome: dict[str, Recommendation], language: str
) -> None:
    report = g20_brief(Forum.objects.get(), language)
    text = to_markdown(report)
    title = {
        "fr": "Villes intermédiaires : recommandations au G20",
        "en": "Intermediary cities: recommendations to the G20",
        "es": "Ciudades intermedias: recomendaciones al G20",
    }[language]
    assert title in text
    assert text.index("fonds mondial") < text.index("Reconnaître les villes")
    for absent in ("Former les élus", "lignes de crédit vertes", "brouillon"):
        assert absent not in text
    backed = {
        "fr": "soutenue à travers les régions",
        "en": "backed across regions",
        "es": "apoyada en todas las regiones",
    }[language]
    assert backed in text
    evidence = {"fr": "Preuves", "en": "Evidence", "es": "Evidencia"}[language]
    items = [line for line in text.splitlines() if "fonds mondial" in line or "Reconnaître" in line]
    assert len(items) == 2
    assert text.count(evidence) >= 2


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_brief_pdf_fits_two_a4_pages_in_each_language(
    outcome: dict[str, Recommendation], language: str, tmp_path: Path
) -> None:
    content, content_type, filename = render(g20_brief(Forum.objects.get(), language), "pdf")
    assert content_type == "application/pdf"
    assert filename.endswith(f"-g20-brief-{language}.pdf")
    assert 1 <= pdf_pages(content, tmp_path) <= 2
    text = pdf_text(content, tmp_path)
    assert "fonds mondial" in text
    assert "brouillon" not in text


def test_many_long_recommendations_still_fit_two_pages(
    organiser: User,
    fields: dict[str, Any],
    proposal: Contribution,
    tmp_path: Path,
) -> None:
    long_text = " ".join(
        ["Les villes intermédiaires demandent un accès direct aux fonds climat."] * 30
    )
    for i in range(MAX_ITEMS + 3):
        rec = _make(organiser, fields, text=f"{i}. {long_text}", addressee="global")
        services.link_evidence(rec, "contribution", proposal.pk, by=organiser)
        _move(rec, organiser, "consulted", "adopted")
    report = g20_brief(Forum.objects.get(), "en")
    markdown = to_markdown(report)
    assert "3 more adopted recommendations to the G20 are on the site" in markdown
    assert pdf_pages(render(report, "pdf")[0], tmp_path) <= 2


def test_without_adopted_global_recommendations_the_brief_says_so(programme: None) -> None:
    text = to_markdown(g20_brief(Forum.objects.get(), "en"))
    assert "has not adopted any recommendation addressed to the G20 yet" in text


def test_the_forum_report_has_a_chapter_by_line_then_capital(
    outcome: dict[str, Recommendation],
) -> None:
    report = forum_report(Forum.objects.get(), "en")
    chapter = next(s for s in report.sections if s.id == "recommendations")
    assert [s.id for s in chapter.subsections] == [
        "recommendations-advocacy",
        "recommendations-financing",
        "recommendations-capacity-building",
        "recommendations-implementation",
    ]
    financing = chapter.subsections[1]
    groups = [b for b in financing.blocks if b.kind == "items"]
    assert [g.title for g in groups] == ["Economic capital", "Environmental capital"]
    texts = [item.text for g in groups for item in g.items]
    assert texts[0].startswith("Créer un fonds mondial")
    assert any(t.startswith("Ouvrir des lignes de crédit vertes") for t in texts)  # consulted
    detail = groups[0].items[0].detail
    assert "adopted" in detail and "3 endorsements" in detail and "backed across regions" in detail
    quotes = [q for b in financing.blocks if b.kind == "quotes" for q in b.items]
    assert quotes and quotes[0].language == "es"  # the evidence in its original language
    assert "Latin America" in " ".join(q.where for q in quotes)
    implementation = chapter.subsections[3]
    assert [b.kind for b in implementation.blocks] == ["notice"]
    markdown = to_markdown(report)
    assert "brouillon" not in markdown
    assert "Consulted and adopted recommendations by capital and line of transformation" in markdown


def test_the_brief_on_the_command_line(
    outcome: dict[str, Recommendation], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SECRET_KEY", "tests-only-not-a-secret")
    out = tmp_path / "brief.md"
    result = CliRunner().invoke(
        cli, ["report", "brief", "--language", "es", "--format", "md", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Ciudades intermedias: recomendaciones al G20")
    assert "fonds mondial" in text
    bad = CliRunner().invoke(cli, ["report", "brief", "--format", "docx"])
    assert bad.exit_code == 2
    assert "docx" in bad.output


def test_the_brief_on_the_site(outcome: dict[str, Recommendation], client: Client) -> None:
    page = client.get("/en/reports/brief/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Intermediary cities: recommendations to the G20" in body
    assert "fonds mondial" in body and "brouillon" not in body
    pdf = client.get("/en/reports/brief/?format=pdf&language=es")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert client.get("/en/reports/brief/?format=docx").status_code == 404
