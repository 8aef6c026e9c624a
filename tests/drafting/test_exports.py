"""Exports of a drafted document: PDF, Markdown and JSON, in French, English and Spanish.

The PDF is read back with ``pdftotext``/``pdfinfo``/``pdffonts`` (poppler): what a reader
gets is checked, not the HTML it was made from.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext
from markdown_it import MarkdownIt

from cityforum.drafting import services
from cityforum.drafting.exports import JSON_SCHEMA, export_document, md_escape
from cityforum.drafting.models import Article, Document, Section
from cityforum.people.models import User

LANGUAGES = ["fr", "en", "es"]
FORMATS = ["pdf", "md", "json"]
HOSTILE = '<script>alert("x")</script> **gras** [lien](javascript:alert(1)) <b>&amp;</b>'

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed"
)


def pdf_tool(tool: str, pdf: bytes, tmp_path: Path, *args: str) -> str:
    path = tmp_path / "export.pdf"
    path.write_bytes(pdf)
    command = [tool, *args, str(path)] + (["-"] if tool == "pdftotext" else [])
    return subprocess.run(command, capture_output=True, check=True, text=True).stdout


def squeeze(text: str) -> str:
    """Text without spaces, hyphens or apostrophe variants: justified, hyphenated PDF
    text compares with the stored text whatever the line breaks."""
    text = text.replace("\u2019", "'")
    return re.sub(r"[\s\-\u00ad\u2010\u00a0\u202f]", "", text)


def export_json(document: Document, language: str) -> dict[str, Any]:
    return json.loads(export_document(document, "json", language)[0])


def live_articles(document: Document) -> list[Article]:
    return list(document.articles.filter(deleted=False).order_by("order"))


# --- every format in every language -------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("format", FORMATS)
def test_each_format_renders_in_each_language(
    document: Document, format: str, language: str
) -> None:
    content, content_type, filename = export_document(document, format, language)
    assert filename == f"code-of-conduct-for-resilience-v1-{language}.{format}"
    assert content_type.split(";")[0] in {"application/pdf", "text/markdown", "application/json"}
    title = getattr(document, f"title_{language}")
    if format == "pdf":
        assert content.startswith(b"%PDF-")
    else:
        assert title in content.decode("utf-8")


@needs_poppler
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_pdf_holds_the_title_preamble_and_every_article(
    document: Document, language: str, tmp_path: Path
) -> None:
    pdf = export_document(document, "pdf", language)[0]
    text = pdf_tool("pdftotext", pdf, tmp_path, "-layout")
    flat = squeeze(text)
    assert squeeze(getattr(document, f"title_{language}")) in flat
    for paragraph in getattr(document, f"preamble_{language}").splitlines():
        assert squeeze(paragraph) in flat
    for article in live_articles(document):
        with translation.override(language):
            heading = gettext("Article %(n)d") % {"n": article.number}
        assert re.search(rf"{heading}\b", text), heading
        assert squeeze(article.text_in(language)) in flat, article.number


@needs_poppler
def test_the_pdf_is_a4_tagged_titled_with_fonts_embedded(
    document: Document, tmp_path: Path
) -> None:
    pdf = export_document(document, "pdf", "fr")[0]
    info = pdf_tool("pdfinfo", pdf, tmp_path)
    assert "Code de conduite pour la Résilience" in re.search(r"Title:\s+(.*)", info)[1]
    assert re.search(r"Tagged:\s+yes", info)
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info)
    pages = int(re.search(r"Pages:\s+(\d+)", info)[1])
    assert pages >= 3  # a cover, a table of contents, the text
    fonts = pdf_tool("pdffonts", pdf, tmp_path).splitlines()[2:]
    assert fonts and all("DejaVu" in line for line in fonts)
    assert all(line.split()[-5] == "yes" for line in fonts)  # the "emb" column


@needs_poppler
def test_the_pdf_has_a_cover_a_table_of_contents_and_page_numbers(
    document: Document, tmp_path: Path
) -> None:
    pdf = export_document(document, "pdf", "en")[0]
    pages = pdf_tool("pdftotext", pdf, tmp_path, "-layout").split("\f")
    assert squeeze("Code of Conduct for Resilience") in squeeze(pages[0])
    assert not re.search(r"\b1\s*/\s*\d+", pages[0])  # no footer on the cover
    assert "Contents" in pages[1]
    total = len([p for p in pages if p.strip()])
    for number, page in enumerate(pages[1:total], 2):
        assert re.search(rf"\b{number}\s*/\s*{total}\b", page), number
    # each article's entry in the contents ends with the page it is on
    for article in live_articles(document):
        entry = re.search(rf"Article {article.number}\b[.\s]*\s(\d+)\s*$", pages[1], re.M)
        assert entry, article.number
        on = int(entry[1])
        assert squeeze(article.text_en)[:40] in squeeze(pages[on - 1]), article.number


def test_the_markdown_has_one_title_and_a_heading_with_an_anchor_per_article(
    document: Document,
) -> None:
    markdown = export_document(document, "md", "en")[0].decode("utf-8")
    lines = markdown.splitlines()
    assert [line for line in lines if line.startswith("# ")] == [
        "# Code of Conduct for Resilience (starting draft)"
    ]
    assert "## Preamble {#preamble}" in lines
    headings = [line for line in lines if re.match(r"#{2,3} Article \d+", line)]
    assert headings == [f"## Article {a.number} {{#{a.anchor}}}" for a in live_articles(document)]
    html = MarkdownIt("commonmark").render(markdown)
    assert html.count("<h1>") == 1
    assert html.count("<h2>") == len(headings) + 1  # the preamble, then each article


def test_the_json_follows_its_documented_shape(document: Document) -> None:
    data = export_json(document, "es")
    assert data["schema"] == JSON_SCHEMA
    assert set(data) == {
        "schema",
        "id",
        "slug",
        "url",
        "language",
        "title",
        "status",
        "status_label",
        "starting_draft",
        "source_language",
        "version",
        "consultation",
        "preamble",
        "sections",
        "signatories",
        "provenance",
    }
    assert data["language"] == "es" and data["status"] == "starting_draft"
    assert data["version"]["number"] == 1 and data["version"]["date"]
    assert set(data["consultation"]) == {"id", "slug", "title"}
    assert set(data["preamble"]) == {"text", "language", "translation", "mark"}
    assert data["signatories"] == []
    articles = [a for s in data["sections"] for a in s["articles"]]
    assert [a["number"] for a in articles] == [a.number for a in live_articles(document)]
    for row in articles:
        assert set(row) >= {"id", "number", "anchor", "heading", "text", "language"}
        assert set(row) <= {
            "id",
            "number",
            "anchor",
            "heading",
            "text",
            "language",
            "translation",
            "mark",
            "outdated_translation",
        }
        assert isinstance(row["id"], int) and isinstance(row["text"], str)
        assert row["translation"] in {"source", "current", "outdated", "missing"}


def test_the_json_in_each_language_gives_that_languages_text(document: Document) -> None:
    for language in LANGUAGES:
        data = export_json(document, language)
        first = data["sections"][0]["articles"][0]
        assert first["text"] == live_articles(document)[0].text_in(language)
        assert data["title"] == getattr(document, f"title_{language}")


# --- translations, sections, signatures ----------------------------------------------------------


def test_a_missing_translation_falls_back_to_the_source_with_a_mark(
    document: Document, article: Article
) -> None:
    Article.objects.filter(pk=article.pk).update(text_es="", revision_es=0)
    row = next(
        a
        for s in export_json(document, "es")["sections"]
        for a in s["articles"]
        if a["id"] == article.pk
    )
    assert row["text"] == article.text_fr and row["language"] == "fr"
    assert row["translation"] == "missing" and "sin traducir" in row["mark"]
    markdown = export_document(document, "md", "es")[0].decode("utf-8")
    section = markdown.split(f"{{#{article.anchor}}}")[1].split("\n## ")[0]
    assert "*" + md_escape(row["mark"]) + "*" in section


def test_an_outdated_translation_shows_the_source_and_keeps_the_old_translation(
    document: Document, amendment: Any, organiser: User, tmp_path: Path
) -> None:
    services.accept_amendment(amendment, by=organiser)
    article = Article.objects.get(pk=amendment.article_id)
    data = export_json(document, "en")
    row = next(a for s in data["sections"] for a in s["articles"] if a["id"] == article.pk)
    assert row["translation"] == "outdated" and row["text"] == amendment.text
    assert row["outdated_translation"] == article.text_en
    assert "outdated" in row["mark"].lower()
    assert data["version"]["number"] == 2
    if shutil.which("pdftotext"):
        text = pdf_tool("pdftotext", export_document(document, "pdf", "en")[0], tmp_path)
        assert "Translation outdated" in text
        assert squeeze(amendment.text) in squeeze(text)


def test_sections_group_their_articles(document: Document) -> None:
    articles = live_articles(document)
    principles = Section.objects.create(
        document=document, order=1, title_fr="Principes", title_en="Principles"
    )
    Article.objects.filter(pk__in=[a.pk for a in articles[:3]]).update(section=principles)
    data = export_json(document, "es")
    assert data["sections"][0]["title"] == "Principes"  # no Spanish title: the French one
    assert len(data["sections"][0]["articles"]) == 3
    assert data["sections"][1]["title"] == ""
    markdown = export_document(document, "md", "en")[0].decode("utf-8")
    assert f"## Principles {{#section-{principles.pk}}}" in markdown
    assert f"### Article 1 {{#{articles[0].anchor}}}" in markdown
    assert f"## Article 4 {{#{articles[3].anchor}}}" in markdown


def test_a_frozen_document_lists_its_signatories_by_region(
    document: Document, organiser: User, member: Any, tmp_path: Path
) -> None:
    services.freeze_document(document, by=organiser)
    for key, email in [("ngo", "ngo@x.org"), ("city", "city@x.org"), ("partner", "p@x.org")]:
        services.sign(document, by=member(key, email))
    data = export_json(document, "fr")
    assert data["status"] == "frozen"
    groups = {g["region"]: [o["name"] for o in g["organisations"]] for g in data["signatories"]}
    # as on the signatories page: by region, local governments first
    assert groups == {"africa": ["Ville de Thiès", "Agence Sahel"], "latam": ["Rede Cidadã"]}
    assert [g["region"] for g in data["signatories"]] == ["africa", "latam"]
    markdown = export_document(document, "md", "fr")[0].decode("utf-8")
    assert re.search(r"^## .+ \{#signatories\}$", markdown, re.M)
    assert "- Ville de Thiès (Senegal)" in markdown
    if shutil.which("pdftotext"):
        text = pdf_tool("pdftotext", export_document(document, "pdf", "fr")[0], tmp_path)
        assert "Rede Cidadã" in text and "Agence Sahel" in text


def test_signatories_appear_only_once_frozen(document: Document) -> None:
    assert export_json(document, "fr")["signatories"] == []


# --- hostile text -------------------------------------------------------------------------------


@pytest.fixture
def hostile(document: Document, article: Article) -> Article:
    Article.objects.filter(pk=article.pk).update(text_fr=HOSTILE)
    Document.objects.filter(pk=document.pk).update(title_fr="Code <i>du</i> # titre")
    document.refresh_from_db()
    article.refresh_from_db()
    return article


def test_json_keeps_hostile_text_as_plain_strings(document: Document, hostile: Article) -> None:
    data = export_json(document, "fr")
    row = next(a for s in data["sections"] for a in s["articles"] if a["id"] == hostile.pk)
    assert row["text"] == HOSTILE
    assert data["title"] == "Code <i>du</i> # titre"


def test_markdown_lets_no_raw_html_or_markup_through(document: Document, hostile: Article) -> None:
    markdown = export_document(document, "md", "fr")[0].decode("utf-8")
    html = MarkdownIt("commonmark").render(markdown)
    assert "<script" not in html and "<b>" not in html and "<i>" not in html
    assert "<strong>gras</strong>" not in html and "href=" not in html
    assert "&lt;script&gt;" in html and "**gras**" in html
    assert "&amp;amp;" in html  # the literal "&amp;" typed by the author, shown as typed
    assert markdown.splitlines()[0] == r"# Code \<i\>du\</i\> \# titre"
    assert html.count("<h1>") == 1


def test_markdown_block_markers_in_an_article_stay_text(
    document: Document, article: Article
) -> None:
    typed = "1. Premier\n- second\n===\n> cité\n***\n<div>bloc</div>\n&copy; & co"
    Article.objects.filter(pk=article.pk).update(text_fr=typed)
    markdown = export_document(document, "md", "fr")[0].decode("utf-8")
    section = markdown.split(f"{{#{article.anchor}}}")[1].split("\n## ")[0]
    html = MarkdownIt("commonmark").render(section)
    for tag in ("<ol", "<ul", "<h1", "<blockquote", "<hr", "<div"):
        assert tag not in html, tag
    assert html.count("<p>") == 7
    assert "&lt;div&gt;bloc&lt;/div&gt;" in html and "&amp;copy; &amp; co" in html


@needs_poppler
def test_the_pdf_prints_hostile_text_as_text(
    document: Document, hostile: Article, tmp_path: Path
) -> None:
    text = pdf_tool("pdftotext", export_document(document, "pdf", "fr")[0], tmp_path)
    assert squeeze('<script>alert("x")</script>') in squeeze(text)
    assert squeeze("**gras** [lien](javascript:alert(1)) <b>&amp;</b>") in squeeze(text)
    assert squeeze("Code <i>du</i> # titre") in squeeze(text)


# --- refusals and the page ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("format", "language", "code"), [("docx", "fr", "format"), ("md", "de", "language")]
)
def test_an_unknown_format_or_language_is_refused(
    document: Document, format: str, language: str, code: str
) -> None:
    with pytest.raises(ValidationError) as error:
        export_document(document, format, language)
    assert error.value.code == code
    assert ("docx" if code == "format" else "de") in error.value.messages[0]


def test_the_page_offers_the_same_files(document: Document) -> None:
    response = Client().get(f"/en/drafting/{document.slug}/export/?format=md&language=fr")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (f'attachment; filename="{document.slug}-v1-fr.md"')
    body = response.content.decode("utf-8")
    assert body.startswith("# Code de conduite")
    assert f"http://testserver/fr/drafting/{document.slug}/" in body


def test_the_page_export_defaults_to_a_pdf_in_the_pages_language(document: Document) -> None:
    response = Client().get(f"/es/drafting/{document.slug}/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith(f'{document.slug}-v1-es.pdf"')


@pytest.mark.parametrize("query", ["format=docx", "format=md&language=de"])
def test_an_unknown_export_on_the_page_is_a_404_that_says_why(
    document: Document, query: str
) -> None:
    response = Client().get(f"/en/drafting/{document.slug}/export/?{query}")
    assert response.status_code == 404
    page = response.content.decode("utf-8")
    assert "Unknown" in page
    assert f"/en/drafting/{document.slug}/export/?format=json&amp;language=es" in page


def test_an_unknown_document_has_no_export(programme: None) -> None:
    assert Client().get("/en/drafting/no-such-document/export/?format=md").status_code == 404
