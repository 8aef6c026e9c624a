"""Co-drafting a document (the Code of Conduct for Resilience) article by article.

An :class:`Article` keeps one text per language. Its ``source_language`` text is the
reference; ``source_revision`` grows each time that text changes, and each language
remembers the source revision it was translated from (``revision_fr``…): a translation
made from an older revision is *outdated*, and readers see it. People propose
:class:`Amendment` s against a given revision (``base_revision``); when the article has
changed since, the amendment is *stale*. Accepting an amendment records a new
:class:`Version`, a JSON snapshot of the whole document (preamble included).

Around the text: :class:`AmendmentComment` s (one level of replies, moderated like
participation comments), :class:`DraftingReport` s flagging them, :class:`ArticleOpinion` s
(one support/oppose per person and article, broken down by region to show who dissents),
:class:`ArticleSource` s citing where an article comes from (a contribution, a statement
or a synthesis theme), and, once the document is frozen, organisations'
:class:`Signature` s.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityforum.core.languages import CONTENT_LANGUAGES, Translated

MAX_ARTICLE_LENGTH = 3000
MAX_RATIONALE_LENGTH = 2000
MAX_REASON_LENGTH = 500
MAX_COMMENT_LENGTH = 2000
MAX_NOTE_LENGTH = 500

LANGUAGE_CHOICES = [("fr", _("French")), ("en", _("English")), ("es", _("Spanish"))]


class Visibility(models.TextChoices):
    VISIBLE = "visible", _("visible")
    HIDDEN = "hidden", _("hidden")


class Moderated(models.Model):
    """What moderators may hide (with a reason its author reads) and restore."""

    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.VISIBLE
    )
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)
    moderation_reason = models.TextField(_("moderation reason"), blank=True)

    class Meta:
        abstract = True

    @property
    def is_hidden(self) -> bool:
        return self.visibility == Visibility.HIDDEN


class Document(models.Model):
    class Status(models.TextChoices):
        DRAFTING = "drafting", _("being drafted")
        FROZEN = "frozen", _("frozen")

    consultation = models.ForeignKey(
        "programme.Consultation",
        on_delete=models.CASCADE,
        related_name="documents",
        verbose_name=_("consultation"),
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title_fr = models.CharField(_("title (French)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    title_es = models.CharField(_("title (Spanish)"), max_length=300, blank=True)
    preamble_fr = models.TextField(_("preamble (French)"), blank=True)
    preamble_en = models.TextField(_("preamble (English)"), blank=True)
    preamble_es = models.TextField(_("preamble (Spanish)"), blank=True)
    source_language = models.CharField(
        _("source language"), max_length=2, choices=LANGUAGE_CHOICES, default="fr"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFTING
    )
    starting_draft = models.BooleanField(
        _("starting draft"),
        default=True,
        help_text=_("A first draft offered for amendment, not a text anyone has adopted."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    title = Translated()
    preamble = Translated()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return str(self.title)

    @property
    def is_frozen(self) -> bool:
        return self.status == self.Status.FROZEN


class Section(models.Model):
    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="sections", verbose_name=_("document")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title_fr = models.CharField(_("title (French)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    title_es = models.CharField(_("title (Spanish)"), max_length=300, blank=True)

    title = Translated()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self) -> str:
        return str(self.title)


class Article(models.Model):
    class Translation(models.TextChoices):
        SOURCE = "source", _("source text")
        CURRENT = "current", _("up to date")
        OUTDATED = "outdated", _("outdated")
        MISSING = "missing", _("not translated yet")

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="articles", verbose_name=_("document")
    )
    section = models.ForeignKey(
        Section,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name=_("section"),
    )
    number = models.PositiveSmallIntegerField(_("number"))
    order = models.PositiveIntegerField(_("order"), default=0)
    text_fr = models.TextField(_("text (French)"), blank=True)
    text_en = models.TextField(_("text (English)"), blank=True)
    text_es = models.TextField(_("text (Spanish)"), blank=True)
    source_language = models.CharField(
        _("source language"), max_length=2, choices=LANGUAGE_CHOICES, default="fr"
    )
    source_revision = models.PositiveIntegerField(_("source revision"), default=1)
    revision_fr = models.PositiveIntegerField(_("French made from revision"), default=0)
    revision_en = models.PositiveIntegerField(_("English made from revision"), default=0)
    revision_es = models.PositiveIntegerField(_("Spanish made from revision"), default=0)
    deleted = models.BooleanField(_("deleted"), default=False)

    text = Translated()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def __str__(self) -> str:
        return _("Article %(n)d") % {"n": self.number}

    @property
    def anchor(self) -> str:
        return f"article-{self.pk}"

    def text_in(self, language: str) -> str:
        return str(getattr(self, f"text_{language}", "") or "")

    def translation_status(self, language: str) -> str:
        if language == self.source_language:
            return self.Translation.SOURCE
        if not self.text_in(language):
            return self.Translation.MISSING
        if getattr(self, f"revision_{language}", 0) < self.source_revision:
            return self.Translation.OUTDATED
        return self.Translation.CURRENT

    def translation_statuses(self) -> list[tuple[str, str, str]]:
        """``[(code, status, status label)]`` for every content language."""
        labels = dict(self.Translation.choices)
        result = []
        for code in CONTENT_LANGUAGES:
            status = self.translation_status(code)
            result.append((code, str(status), str(labels[status])))
        return result

    def snapshot(self) -> dict[str, object]:
        return {
            "id": self.pk,
            "number": self.number,
            "source_language": self.source_language,
            "source_revision": self.source_revision,
            "deleted": self.deleted,
            **{f"text_{code}": self.text_in(code) for code in CONTENT_LANGUAGES},
        }


class Version(models.Model):
    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="versions", verbose_name=_("document")
    )
    number = models.PositiveIntegerField(_("number"))
    snapshot = models.JSONField(_("snapshot"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["document", "number"]
        verbose_name = _("version")
        verbose_name_plural = _("versions")
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"], name="drafting_one_version_number"
            )
        ]

    def __str__(self) -> str:
        return _("Version %(n)d") % {"n": self.number}


class Amendment(Moderated):
    class Kind(models.TextChoices):
        MODIFY = "modify", _("modify the article")
        ADD_AFTER = "add_after", _("add an article after it")
        DELETE = "delete", _("delete the article")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="amendments", verbose_name=_("article")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text = models.TextField(_("proposed text"), blank=True)
    rationale = models.TextField(_("rationale"))
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGE_CHOICES)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="amendments",
        verbose_name=_("author"),
    )
    base_revision = models.PositiveIntegerField(_("made against revision"))
    base_text = models.TextField(_("text it was made against"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    reason = models.CharField(_("public reason"), max_length=MAX_REASON_LENGTH, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    version = models.ForeignKey(
        Version,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="amendments",
        verbose_name=_("version it made"),
        help_text=_("The version of the document recorded when the amendment was accepted."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")

    def __str__(self) -> str:
        return _("Amendment %(n)d") % {"n": self.pk or 0}

    @property
    def is_stale(self) -> bool:
        """The article's text changed (or it was deleted) since the amendment was written."""
        return self.article.deleted or self.base_revision != self.article.source_revision

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING


class AmendmentVote(models.Model):
    class Value(models.TextChoices):
        AGREE = "agree", _("agree")
        DISAGREE = "disagree", _("disagree")

    amendment = models.ForeignKey(
        Amendment, on_delete=models.CASCADE, related_name="votes", verbose_name=_("amendment")
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    value = models.CharField(_("vote"), max_length=8, choices=Value.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("vote on an amendment")
        verbose_name_plural = _("votes on amendments")
        constraints = [
            models.UniqueConstraint(
                fields=["amendment", "user"], name="drafting_one_vote_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.amendment_id}: {self.value}"


class AmendmentEndorsement(models.Model):
    amendment = models.ForeignKey(
        Amendment,
        on_delete=models.CASCADE,
        related_name="endorsements",
        verbose_name=_("amendment"),
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("endorsement")
        verbose_name_plural = _("endorsements")
        constraints = [
            models.UniqueConstraint(
                fields=["amendment", "user"], name="drafting_one_endorsement_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.amendment_id}: {self.user_id}"


class AmendmentComment(Moderated):
    """A comment on an amendment, or a reply to one (one level of replies)."""

    amendment = models.ForeignKey(
        Amendment, on_delete=models.CASCADE, related_name="comments", verbose_name=_("amendment")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="amendment_comments",
        verbose_name=_("author"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("reply to"),
    )
    body = models.TextField(_("text"), max_length=MAX_COMMENT_LENGTH)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment on an amendment")
        verbose_name_plural = _("comments on amendments")

    def __str__(self) -> str:
        return self.body[:60]


class DraftingReport(models.Model):
    """A person tells the moderators that a comment on an amendment breaks the rules."""

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    comment = models.ForeignKey(
        AmendmentComment,
        on_delete=models.CASCADE,
        related_name="reports",
        verbose_name=_("comment"),
    )
    reason = models.TextField(_("reason"), max_length=MAX_REASON_LENGTH)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("report on a comment")
        verbose_name_plural = _("reports on comments")

    def __str__(self) -> str:
        return self.reason[:60]


class ArticleOpinion(models.Model):
    """A person supports or opposes an article as it stands; one opinion each, changeable.

    Broken down by region, this is "the share of each region's participants who endorsed
    or opposed" the article, shown on its page so readers see who dissents.
    """

    class Value(models.TextChoices):
        SUPPORT = "support", _("support")
        OPPOSE = "oppose", _("oppose")

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="opinions", verbose_name=_("article")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="article_opinions",
        verbose_name=_("person"),
    )
    value = models.CharField(_("opinion"), max_length=8, choices=Value.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("opinion on an article")
        verbose_name_plural = _("opinions on articles")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "user"], name="drafting_one_opinion_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.article_id}: {self.value}"


class ArticleSource(models.Model):
    """Where an article comes from: a contribution, a statement or a synthesis theme.

    Exactly one kind is set (a database constraint). A theme is referenced by its run and
    its id in the run's result, with its label copied, so the citation still reads well
    if the run is later replaced.
    """

    class Kind(models.TextChoices):
        CONTRIBUTION = "contribution", _("contribution")
        STATEMENT = "statement", _("statement")
        THEME = "theme", _("synthesis theme")

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="sources", verbose_name=_("article")
    )
    contribution = models.ForeignKey(
        "participation.Contribution",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="cited_by",
        verbose_name=_("contribution"),
    )
    statement = models.ForeignKey(
        "statements.Statement",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="cited_by",
        verbose_name=_("statement"),
    )
    theme_run = models.ForeignKey(
        "synthesis.ThemeRun",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="cited_by",
        verbose_name=_("themes run"),
    )
    theme_id = models.PositiveIntegerField(_("theme id"), null=True, blank=True)
    theme_label = models.CharField(_("theme label"), max_length=300, blank=True)
    note = models.CharField(_("note"), max_length=MAX_NOTE_LENGTH, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("source of an article")
        verbose_name_plural = _("sources of articles")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    contribution__isnull=False,
                    statement__isnull=True,
                    theme_run__isnull=True,
                    theme_id__isnull=True,
                )
                | models.Q(
                    contribution__isnull=True,
                    statement__isnull=False,
                    theme_run__isnull=True,
                    theme_id__isnull=True,
                )
                | models.Q(
                    contribution__isnull=True,
                    statement__isnull=True,
                    theme_run__isnull=False,
                    theme_id__isnull=False,
                ),
                name="drafting_source_is_one_kind",
            ),
            models.UniqueConstraint(
                fields=["article", "contribution"],
                condition=models.Q(contribution__isnull=False),
                name="drafting_cite_a_contribution_once",
            ),
            models.UniqueConstraint(
                fields=["article", "statement"],
                condition=models.Q(statement__isnull=False),
                name="drafting_cite_a_statement_once",
            ),
            models.UniqueConstraint(
                fields=["article", "theme_run", "theme_id"],
                condition=models.Q(theme_run__isnull=False),
                name="drafting_cite_a_theme_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} ← {self.kind}"

    @property
    def kind(self) -> str:
        if self.contribution_id:
            return self.Kind.CONTRIBUTION
        if self.statement_id:
            return self.Kind.STATEMENT
        return self.Kind.THEME


class Signature(models.Model):
    """An organisation signs the frozen document, through one of its members."""

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="signatures", verbose_name=_("document")
    )
    organisation = models.ForeignKey(
        "people.Organisation",
        on_delete=models.PROTECT,
        related_name="signatures",
        verbose_name=_("organisation"),
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed by"),
    )
    signed_at = models.DateTimeField(_("signed at"), auto_now_add=True)

    class Meta:
        ordering = ["signed_at", "pk"]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [
            models.UniqueConstraint(
                fields=["document", "organisation"], name="drafting_one_signature_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} → {self.document_id}"
