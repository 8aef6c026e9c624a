"""A drafted document as a file to take away: PDF, Markdown or JSON, in French, English or
Spanish.

All three formats are made from one description of the document (:func:`describe`), so
they say the same thing: its title, where it stands (starting draft, being drafted,
frozen), the version and its date, the preamble, the sections and numbered articles in
the requested language, the signatories by region once it is frozen, and where the text
comes from. A text not yet translated, or translated from an older revision, is given in
its source language with a visible mark: an export never passes an outdated
translation off as the current text (JSON also keeps the outdated translation, marked).

User text is escaped for each format: HTML-escaped by the PDF template, backslash-escaped
in Markdown (no raw HTML passes), and plain strings in JSON.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cityforum.core import exports
from cityforum.core.languages import Translated
from cityforum.core.pdf import render_pdf, typeset

from .models import Article, Document
from .signatories import signatories_by_region

FORMATS: dict[str, tuple[str, str]] = {
    "pdf": ("application/pdf", "pdf"),
    "md": ("text/markdown; charset=utf-8", "md"),
    "json": ("application/json", "json"),
}
#: The JSON export's shape; bumped when a field changes meaning or goes away.
JSON_SCHEMA = "cityforum.drafting.document/1"
PDF_TEMPLATE = "drafting/export/document.html"


def clean_format(value: Any) -> str:
    return exports.clean_format(value, FORMATS)


clean_language = exports.clean_language


# --- the description every format is made from ----------------------------------------------


def _language_name(code: str) -> str:
    return {"fr": _("French"), "en": _("English"), "es": _("Spanish")}.get(code, code)


def _status(document: Document) -> tuple[str, str]:
    if document.is_frozen:
        return "frozen", _("Frozen")
    if document.starting_draft:
        return "starting_draft", _("Starting draft")
    return "drafting", _("Being drafted")


def _mark(status: str, source: str) -> str:
    """The visible note on a text shown in its source language instead of the reader's."""
    if status == Article.Translation.MISSING:
        return _("Not yet translated: the %(language)s source text is shown.") % {
            "language": _language_name(source)
        }
    if status == Article.Translation.OUTDATED:
        return _("Translation outdated: the %(language)s source text is shown.") % {
            "language": _language_name(source)
        }
    return ""


def _article(article: Article, language: str) -> dict[str, Any]:
    status = str(article.translation_status(language))
    fallback = status in (Article.Translation.MISSING, Article.Translation.OUTDATED)
    shown = article.source_language if fallback else language
    out: dict[str, Any] = {
        "id": article.pk,
        "number": article.number,
        "anchor": article.anchor,
        "heading": _("Article %(n)d") % {"n": article.number},
        "text": article.text_in(shown),
        "language": shown,
        "translation": status,
        "mark": _mark(status, article.source_language),
    }
    if status == Article.Translation.OUTDATED:
        out["outdated_translation"] = article.text_in(language)
    return out


def _preamble(document: Document, language: str) -> dict[str, Any]:
    source = document.source_language
    own = str(getattr(document, f"preamble_{language}", "") or "")
    original = str(getattr(document, f"preamble_{source}", "") or "")
    if language == source or own:
        status = "source" if language == source else "current"
        return {"text": own, "language": language, "translation": status, "mark": ""}
    if not original:
        return {"text": "", "language": language, "translation": "source", "mark": ""}
    return {
        "text": original,
        "language": source,
        "translation": str(Article.Translation.MISSING),
        "mark": _mark(Article.Translation.MISSING, source),
    }


def _sections(document: Document, language: str) -> list[dict[str, Any]]:
    """Articles in order, grouped by their section where consecutive ones share it."""
    sections: list[dict[str, Any]] = []
    articles = (
        Article.objects.filter(document=document, deleted=False)
        .select_related("section")
        .order_by("order", "pk")
    )
    for article in articles:
        key = article.section_id
        if not sections or sections[-1]["key"] != key:
            title = ""
            if article.section is not None:
                title = Translated("title").value(article.section, language)
            sections.append(
                {
                    "key": key,
                    "id": f"section-{key}" if key else f"articles-{article.pk}",
                    "title": title,
                    "articles": [],
                }
            )
        sections[-1]["articles"].append(_article(article, language))
    return sections


def _signatories(document: Document) -> list[dict[str, Any]]:
    """Organisations that signed the frozen document, grouped by world region as on the
    signatories page (none before it is frozen). Call in the export's language."""
    if not document.is_frozen:
        return []
    return [
        {
            "region": group.code or None,
            "name": group.label,
            "organisations": [
                {
                    "name": s.organisation.name,
                    "kind": s.organisation.kind,
                    "city": s.organisation.city.name if s.organisation.city_id else None,
                    "country": s.organisation.country.name if s.organisation.country_id else None,
                    "signed_at": s.signed_at.isoformat(),
                }
                for s in group.signatures
            ],
        }
        for group in signatories_by_region(document)
    ]


def _provenance(document: Document, consultation: str, url: str) -> str:
    parts = [
        _(
            "This text is drafted article by article on the platform of the World Forum of "
            "Intermediary Cities, in the consultation “%(consultation)s”: participants propose "
            "amendments with their rationale, and organisers accept or reject each one with "
            "a public reason; every accepted amendment makes a new version."
        )
        % {"consultation": consultation},
        _("Source language: %(language)s; the other languages are working translations.")
        % {"language": _language_name(document.source_language)},
    ]
    if document.starting_draft and not document.is_frozen:
        parts.append(_("This starting draft is offered for amendment: nobody has adopted it."))
    if url:
        parts.append(_("Current text and full history: %(url)s") % {"url": url})
    return " ".join(parts)


def describe(document: Document, language: str, *, base_url: str = "") -> dict[str, Any]:
    """Everything an export shows, in ``language``, as plain data."""
    language = clean_language(language)
    with translation.override(language):
        version = document.versions.order_by("-number").first()
        status, status_label = _status(document)
        consultation = document.consultation
        consultation_title = Translated("title").value(consultation, language)
        path = reverse("drafting:document", args=[document.slug])
        url = base_url.rstrip("/") + path if base_url else ""
        sections = _sections(document, language)
        return {
            "schema": JSON_SCHEMA,
            "id": document.pk,
            "slug": document.slug,
            "url": url or path,
            "language": language,
            "title": Document.title.value(document, language),
            "status": status,
            "status_label": status_label,
            "starting_draft": document.starting_draft,
            "source_language": document.source_language,
            "version": {
                "number": version.number if version else None,
                "date": version.created_at.isoformat() if version else None,
                "date_label": date_format(version.created_at, "DATE_FORMAT") if version else "",
            },
            "consultation": {
                "id": consultation.pk,
                "slug": consultation.slug,
                "title": consultation_title,
            },
            "preamble": _preamble(document, language),
            "sections": [{k: v for k, v in s.items() if k != "key"} for s in sections],
            "signatories": _signatories(document),
            "provenance": _provenance(document, consultation_title, url),
        }


# --- the formats ----------------------------------------------------------------------------


def to_json(description: dict[str, Any]) -> bytes:
    return json.dumps(description, ensure_ascii=False, indent=2).encode("utf-8")


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~]|&(?=#?\w+;))")
_MD_BULLET = re.compile(r"^(\s*)([-=+])", re.MULTILINE)
_MD_ORDERED = re.compile(r"^(\s*\d+)([.)])", re.MULTILINE)


def md_escape(text: str) -> str:
    """``text`` as literal Markdown: every character that could start markup or raw HTML
    is backslash-escaped (CommonMark renders ``\\<`` as ``<`` and never as a tag)."""
    escaped = _MD_SPECIAL.sub(r"\\\1", text)
    escaped = _MD_BULLET.sub(r"\1\\\2", escaped)
    return _MD_ORDERED.sub(r"\1\\\2", escaped)


def _md_paragraphs(text: str) -> str:
    return "\n\n".join(md_escape(line.strip()) for line in text.splitlines() if line.strip())


def to_markdown(d: dict[str, Any]) -> bytes:
    with translation.override(d["language"]):
        lines = [f"# {md_escape(d['title'])}", ""]
        version = d["version"]
        meta = [f"**{_('Status')}:** {md_escape(d['status_label'])}"]
        if version["number"]:
            meta.append(
                f"**{_('Version')}:** {version['number']} ({md_escape(version['date_label'])})"
            )
        meta.append(f"**{_('Consultation')}:** {md_escape(d['consultation']['title'])}")
        lines += ["  \n".join(meta), ""]
        lines += [f"> {md_escape(d['provenance'])}", ""]
        preamble = d["preamble"]
        if preamble["text"]:
            lines += [f"## {_('Preamble')} {{#preamble}}", ""]
            if preamble["mark"]:
                lines += [f"*{md_escape(preamble['mark'])}*", ""]
            lines += [_md_paragraphs(preamble["text"]), ""]
        for section in d["sections"]:
            level = "###" if section["title"] else "##"
            if section["title"]:
                lines += [f"## {md_escape(section['title'])} {{#{section['id']}}}", ""]
            for article in section["articles"]:
                lines += [f"{level} {article['heading']} {{#{article['anchor']}}}", ""]
                if article["mark"]:
                    lines += [f"*{md_escape(article['mark'])}*", ""]
                lines += [_md_paragraphs(article["text"]), ""]
        if d["signatories"]:
            lines += [f"## {_('Signatories')} {{#signatories}}", ""]
            for group in d["signatories"]:
                lines += [f"### {md_escape(group['name'])}", ""]
                for organisation in group["organisations"]:
                    where = ", ".join(
                        md_escape(x) for x in (organisation["city"], organisation["country"]) if x
                    )
                    entry = md_escape(organisation["name"])
                    lines.append(f"- {entry} ({where})" if where else f"- {entry}")
                lines.append("")
    return ("\n".join(lines).rstrip() + "\n").encode("utf-8")


def _paragraphs(text: str, language: str) -> list[str]:
    return [typeset(line.strip(), language) for line in text.splitlines() if line.strip()]


def to_pdf(d: dict[str, Any]) -> bytes:
    language = d["language"]
    doc = copy.deepcopy(d)
    doc["title"] = typeset(doc["title"], language)
    doc["provenance"] = typeset(doc["provenance"], language)
    doc["preamble"]["paragraphs"] = _paragraphs(d["preamble"]["text"], d["preamble"]["language"])
    for section in doc["sections"]:
        section["title"] = typeset(section["title"], language)
        for article in section["articles"]:
            article["paragraphs"] = _paragraphs(article["text"], article["language"])
    with translation.override(language):
        context = {"doc": doc, "language_name": _language_name(language)}
    return render_pdf(PDF_TEMPLATE, context, language, title=d["title"])


def export_document(
    document: Document, format: str, language: str, *, base_url: str = ""
) -> tuple[bytes, str, str]:
    """``(content, content type, file name)`` of ``document`` in ``format`` and ``language``.

    ``base_url`` (``https://host``) makes the link to the document's page absolute.
    Unknown format or language → :class:`ValidationError` (codes ``format``, ``language``).
    """
    format = clean_format(format)
    language = clean_language(language)
    description = describe(document, language, base_url=base_url)
    content_type, extension = FORMATS[format]
    render = {"pdf": to_pdf, "md": to_markdown, "json": to_json}[format]
    number = description["version"]["number"]
    stem = f"{document.slug}-v{number}" if number else document.slug
    return render(description), content_type, f"{stem}-{language}.{extension}"
