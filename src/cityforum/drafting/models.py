"""Co-drafting a document (the Code of Conduct for Resilience) article by article.

An :class:`Article` keeps one text per language. Its ``source_language`` text is the
reference; ``source_revision`` grows each time that text changes, and each language
remembers the source revision it was translated from (``revision_fr``…): a translation
made from an older revision is *outdated*, and readers see it. People propose
:class:`Amendment` s against a given revision (``base_revision``); when the article has
changed since, the amendment is *stale*. Accepting an amendment records a new
:class:`Version`, a JSON snapshot of the whole document.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityforum.core.languages import CONTENT_LANGUAGES, Translated

MAX_ARTICLE_LENGTH = 3000
MAX_RATIONALE_LENGTH = 2000
MAX_REASON_LENGTH = 500

LANGUAGE_CHOICES = [("fr", _("French")), ("en", _("English")), ("es", _("Spanish"))]


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


class Amendment(models.Model):
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
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")

    def __str__(self) -> str:
        return _("Amendment %(n)d") % {"n": self.pk or 0}

    @property
    def is_stale(self) -> bool:
        """The article's text changed since the amendment was written against it."""
        return self.base_revision != self.article.source_revision

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
