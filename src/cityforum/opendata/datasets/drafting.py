"""Co-drafted documents: their text article by article, every recorded version, the
amendments (without their authors), where articles come from, and the organisations that
signed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from cityforum.core.languages import CONTENT_LANGUAGES as LANGS

from ..schema import (
    BOOLEAN,
    DATETIME,
    INTEGER,
    OBJECT,
    STRING,
    Dataset,
    Field,
    Ref,
    consultation_field,
    per_language,
)
from ..scope import Scope

DOCUMENT = Field(
    "document", STRING, "The document (documents.slug)", required=True, ref=Ref("documents", "slug")
)


def _document_rows(scope: Scope) -> Iterator[tuple[Any, ...]]:
    from cityforum.drafting.models import Document

    for d in Document.objects.select_related("consultation").order_by("slug"):
        yield (
            d.slug,
            d.consultation.slug,
            *(getattr(d, f"title_{code}") for code in LANGS),
            *(getattr(d, f"preamble_{code}") for code in LANGS),
            d.source_language,
            d.status,
            d.starting_draft,
            d.created_at,
        )


def _section_rows(scope: Scope) -> Iterator[tuple[Any, ...]]:
    from cityforum.drafting.models import Section

    for s in Section.objects.select_related("document").order_by("document__slug", "pk"):
        yield (s.pk, s.document.slug, s.order, *(getattr(s, f"title_{code}") for code in LANGS))


def _article_rows(scope: Scope) -> Iterator[tuple[Any, ...]]:
    from cityforum.drafting.models import Article

    for a in Article.objects.select_related("document").order_by("document__slug", "pk"):
        yield (
            a.pk,
            a.document.slug,
            a.section_id,
            a.number,
            a.order,
            *(getattr(a, f"text_{code}") for code in LANGS),
            a.source_language,
            a.source_revision,
            *(getattr(a, f"revision_{code}") for code in LANGS),
            a.deleted,
        )


def _version_rows(scope: Scope) -> Iterator[tuple[Any, ...]]:
    from cityforum.drafting.models import Version

    versions = Version.objects.select_related("document").order_by("document__slug", "number")
    for v in versions.iterator(chunk_size=50):
        yield (v.document.slug, v.number, v.created_at, v.note, v.snapshot)


def _amendment_rows(scope: Scope) -> Iterator[tuple[Any, ...]]:
    rows = scope.amendments().select_related("article__document", "version").order_by("pk")
    for a in rows.iterator(chunk_size=500):
        yield (
            a.pk,
            a.article.document.slug,
            a.article_id,
            a.kind,
            a.text,
            a.rationale,
            a.language,
            a.base_revision,
            a.base_text,
            a.status,
            a.reason,
            a.decided_at,
            a.version.number if a.version_id else None,
            a.created_at,
        )


def _source_rows(scope: Scope) -> Iterator[tuple[Any, ...]]:
    from cityforum.drafting.models import ArticleSource

    sources = ArticleSource.objects.select_related("article__document").order_by(
        "article__document__slug", "article_id", "pk"
    )
    for s in sources:
        if s.contribution_id and s.contribution_id not in scope.contribution_ids:
            continue
        if s.statement_id and s.statement_id not in scope.statement_ids:
            continue
        if s.theme_run_id and s.theme_run_id not in scope.theme_run_ids:
            continue
        yield (
            s.article.document.slug,
            s.article_id,
            s.kind,
            s.contribution_id,
            s.statement_id,
            s.theme_run_id,
            s.theme_id,
            s.theme_label,
            s.note,
            s.created_at,
        )


def _signature_rows(scope: Scope) -> Iterator[tuple[Any, ...]]:
    from cityforum.drafting.models import Signature

    signatures = Signature.objects.select_related("document").order_by(
        "document__slug", "signed_at", "pk"
    )
    for s in signatures:
        yield (s.document.slug, s.organisation_id, s.signed_at)


ARTICLE = Field("article", INTEGER, "The article (articles.id)", required=True, ref=Ref("articles"))

DATASETS = (
    Dataset(
        name="documents",
        title=_("Documents"),
        description=_(
            "The documents drafted together, such as the Code of Conduct for Resilience."
        ),
        fields=(
            Field("slug", STRING, "Identifier of the document", required=True),
            consultation_field(),
            *per_language("title", "Title"),
            *per_language("preamble", "Preamble"),
            Field(
                "source_language",
                STRING,
                "Language of the reference text: fr, en or es",
                required=True,
            ),
            Field("status", STRING, "drafting or frozen", required=True),
            Field("starting_draft", BOOLEAN, "A first draft offered for amendment", required=True),
            Field("created_at", DATETIME, "When it was created (UTC)", required=True),
        ),
        primary_key=("slug",),
        rows=_document_rows,
        order="slug",
    ),
    Dataset(
        name="document_sections",
        title=_("Sections of documents"),
        description=_("The headings articles are grouped under."),
        fields=(
            Field("id", INTEGER, "Number of the section", required=True),
            DOCUMENT,
            Field("order", INTEGER, "Position in the document", required=True),
            *per_language("title", "Heading"),
        ),
        primary_key=("id",),
        rows=_section_rows,
        internal_ids=True,
        order="document, id",
    ),
    Dataset(
        name="articles",
        title=_("Articles"),
        description=_(
            "Each article's current text in every language, with the revision each "
            "translation was made from."
        ),
        fields=(
            Field("id", INTEGER, "Number of the article", required=True),
            DOCUMENT,
            Field(
                "section",
                INTEGER,
                "Its section (document_sections.id)",
                ref=Ref("document_sections"),
            ),
            Field("number", INTEGER, "Its number in the document", required=True),
            Field("order", INTEGER, "Position in the document", required=True),
            *per_language("text", "Text"),
            Field("source_language", STRING, "Language of the reference text", required=True),
            Field("source_revision", INTEGER, "Revision of the reference text", required=True),
            *(
                Field(
                    f"revision_{code}",
                    INTEGER,
                    f"Source revision the {code} text was made from (0: none)",
                    required=True,
                )
                for code in LANGS
            ),
            Field("deleted", BOOLEAN, "Deleted by an accepted amendment", required=True),
        ),
        primary_key=("id",),
        rows=_article_rows,
        internal_ids=True,
        order="document, id",
    ),
    Dataset(
        name="document_versions",
        title=_("Versions of documents"),
        description=_("Every recorded version of each document, as a snapshot of its whole text."),
        fields=(
            DOCUMENT,
            Field("number", INTEGER, "Version number", required=True),
            Field("created_at", DATETIME, "When it was recorded (UTC)", required=True),
            Field("note", STRING, "What changed"),
            Field(
                "snapshot",
                OBJECT,
                "The document then: slug, title and preamble per language, articles",
                required=True,
                ref=Ref("articles", "id", "articles[].id"),
            ),
        ),
        primary_key=("document", "number"),
        rows=_version_rows,
        order="document, number",
    ),
    Dataset(
        name="amendments",
        title=_("Amendments"),
        description=_(
            "Proposed changes to articles, with their rationale and the organisers' decision; "
            "never their author."
        ),
        fields=(
            Field("id", INTEGER, "Number of the amendment", required=True),
            DOCUMENT,
            ARTICLE,
            Field("kind", STRING, "modify, add_after or delete", required=True),
            Field("text", STRING, "Proposed text"),
            Field("rationale", STRING, "Why", required=True),
            Field("language", STRING, "Language it is written in", required=True),
            Field(
                "base_revision",
                INTEGER,
                "Revision of the article it was written against",
                required=True,
            ),
            Field("base_text", STRING, "Text it was written against"),
            Field("status", STRING, "pending, accepted or rejected", required=True),
            Field("reason", STRING, "The organisers' public reason"),
            Field("decided_at", DATETIME, "When it was decided (UTC)"),
            Field("version", INTEGER, "Version its acceptance recorded (document_versions.number)"),
            Field("created_at", DATETIME, "When it was proposed (UTC)", required=True),
        ),
        primary_key=("id",),
        rows=_amendment_rows,
        internal_ids=True,
        order="id",
        notes="Amendments hidden by moderation are not published.",
    ),
    Dataset(
        name="article_sources",
        title=_("Sources of articles"),
        description=_(
            "Where an article comes from: a contribution, a statement or a synthesis theme."
        ),
        fields=(
            DOCUMENT,
            ARTICLE,
            Field("kind", STRING, "contribution, statement or theme", required=True),
            Field(
                "contribution",
                INTEGER,
                "The contribution (contributions.id)",
                ref=Ref("contributions"),
            ),
            Field("statement", INTEGER, "The statement (statements.id)", ref=Ref("statements")),
            Field("theme_run", INTEGER, "The themes run (theme_runs.id)", ref=Ref("theme_runs")),
            Field("theme", INTEGER, "The theme's number in that run"),
            Field("theme_label", STRING, "The theme's label when it was cited"),
            Field("note", STRING, "Note of the organiser who cited it"),
            Field("created_at", DATETIME, "When it was cited (UTC)", required=True),
        ),
        primary_key=(),
        rows=_source_rows,
        order="document, article, as cited",
    ),
    Dataset(
        name="signatures",
        title=_("Signatures"),
        description=_(
            "The organisations that signed a frozen document (never the person who signed)."
        ),
        fields=(
            DOCUMENT,
            Field(
                "organisation",
                INTEGER,
                "The organisation (organisations.id)",
                required=True,
                ref=Ref("organisations"),
            ),
            Field("signed_at", DATETIME, "When it signed (UTC)", required=True),
        ),
        primary_key=("document", "organisation"),
        rows=_signature_rows,
        order="document, signed_at",
    ),
)
