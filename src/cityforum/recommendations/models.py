"""The forum's recommendations: what it recommends, to whom, on which capital, backed by whom
and by what evidence.

A :class:`Recommendation`'s ``text`` is written in its ``language`` and it carries FR/EN/ES
versions with a per-language status, as drafted articles do: each language remembers the
revision of the original text it was translated from, so a translation of an older text reads
*outdated*. ``version`` grows with every edit of the recommendation, so an edit made against an
older version is refused (409) instead of silently overwriting someone else's change.

Evidence is never free-floating: each :class:`Evidence` row names what supports the
recommendation (an approved theme, trend or specificity, a contribution, a consensus statement of
an opinion map, a Code of Conduct article) and keeps a snapshot of its quote in its original
language, the regions and constituencies behind it and its count, so the page still reads well
if a synthesis run is later replaced. :class:`RecommendationEndorsement` records who backs it,
with their constituency and UCLG world section *as they were when they endorsed*.
:class:`StatusChange` is the public log of each status change with its reason.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityforum.core.languages import CONTENT_LANGUAGES

MAX_TEXT_LENGTH = 3000
MAX_REASON_LENGTH = 500
MAX_NOTE_LENGTH = 500
MAX_QUOTE_LENGTH = 600
#: A recommendation serves one or two capitals: more would say it serves none in particular.
MIN_CAPITALS = 1
MAX_CAPITALS = 2

LANGUAGE_CHOICES = [("fr", _("French")), ("en", _("English")), ("es", _("Spanish"))]

#: The reference document whose components a recommendation serves (programme.toml).
PACT_SLUG = "pact-for-the-future"


class Line(models.TextChoices):
    """The first forum's lines of transformation (concept note)."""

    ADVOCACY = "advocacy", _("advocacy")
    FINANCING = "financing", _("financing")
    CAPACITY_BUILDING = "capacity_building", _("capacity building")
    IMPLEMENTATION = "implementation", _("implementation")


class Addressee(models.TextChoices):
    """Who the recommendation speaks to; ``regional`` means a UCLG world section."""

    LOCAL = "local", _("local governments")
    NATIONAL = "national", _("national governments")
    REGIONAL = "regional", _("a world region")
    GLOBAL = "global", _("the UN system and the G20")


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    CONSULTED = "consulted", _("consulted")
    ADOPTED = "adopted", _("adopted")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Translation(models.TextChoices):
    ORIGINAL = "original", _("original text")
    CURRENT = "current", _("up to date")
    OUTDATED = "outdated", _("outdated")
    MISSING = "missing", _("not translated yet")


class Recommendation(models.Model):
    """One recommendation of the forum (see the module's docstring)."""

    text = models.TextField(_("original text"), max_length=MAX_TEXT_LENGTH)
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGE_CHOICES)
    text_fr = models.TextField(_("text (French)"), blank=True)
    text_en = models.TextField(_("text (English)"), blank=True)
    text_es = models.TextField(_("text (Spanish)"), blank=True)
    revision = models.PositiveIntegerField(
        _("revision of the original text"),
        default=1,
        help_text=_("Grows each time the original text changes."),
    )
    revision_fr = models.PositiveIntegerField(_("French made from revision"), default=0)
    revision_en = models.PositiveIntegerField(_("English made from revision"), default=0)
    revision_es = models.PositiveIntegerField(_("Spanish made from revision"), default=0)
    consultations = models.ManyToManyField(
        "programme.Consultation",
        related_name="recommendations",
        verbose_name=_("consultations"),
    )
    capitals = models.ManyToManyField(
        "programme.Capital", related_name="recommendations", verbose_name=_("capitals")
    )
    line = models.CharField(
        _("line of transformation"), max_length=20, choices=Line.choices, db_index=True
    )
    addressee = models.CharField(
        _("addressee"), max_length=10, choices=Addressee.choices, db_index=True
    )
    region = models.ForeignKey(
        "programme.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recommendations",
        verbose_name=_("world section addressed"),
        help_text=_("Only for recommendations addressed to a world region."),
    )
    pact_component = models.CharField(
        _("Pact for the Future component"),
        max_length=30,
        help_text=_("A component code of the Pact for the Future: people, planet, government."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Grows with every edit: a stale edit is refused.")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="recommendations",
        verbose_name=_("author"),
    )
    source_contribution = models.OneToOneField(
        "participation.Contribution",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recommendation",
        verbose_name=_("promoted from"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(addressee="regional", region__isnull=False)
                | (~models.Q(addressee="regional") & models.Q(region__isnull=True)),
                name="recommendation_region_iff_regional",
            )
        ]

    def __str__(self) -> str:
        text = self.text_in(self.language) or self.text
        return text[:80]

    def text_in(self, language: str) -> str:
        if language == self.language:
            return self.text
        return str(getattr(self, f"text_{language}", "") or "")

    def translation_status(self, language: str) -> str:
        if language == self.language:
            return Translation.ORIGINAL
        if not self.text_in(language):
            return Translation.MISSING
        if getattr(self, f"revision_{language}", 0) < self.revision:
            return Translation.OUTDATED
        return Translation.CURRENT

    def translation_statuses(self) -> list[tuple[str, str, str]]:
        """``[(code, status, status label)]`` for every content language."""
        labels = dict(Translation.choices)
        return [
            (code, str(s), str(labels[s]))
            for code in CONTENT_LANGUAGES
            for s in [self.translation_status(code)]
        ]

    def text_for(self, language: str) -> tuple[str, str]:
        """``(text, language)`` to show a reader of ``language``: their version when it is up
        to date, else the original (never an outdated translation without saying so)."""
        if self.translation_status(language) == Translation.CURRENT:
            return self.text_in(language), language
        return self.text, self.language


class Evidence(models.Model):
    """What supports a recommendation. ``source_id`` and ``key`` name the thing generically:

    - ``theme``, ``trend``: ``source_id`` a themes run, ``key`` the theme id;
    - ``specificity``: ``source_id`` a themes run, ``key`` ``region:kind:key``;
    - ``contribution``: ``source_id`` the contribution;
    - ``consensus_statement``: ``source_id`` an opinion map run, ``key`` the statement id;
    - ``article``: ``source_id`` the Code of Conduct article.

    The rest is a snapshot taken when it was linked (quote in its original language, regions,
    constituencies, count), so the evidence reads the same after a run is replaced.
    """

    class Kind(models.TextChoices):
        THEME = "theme", _("synthesis theme")
        TREND = "trend", _("global trend")
        SPECIFICITY = "specificity", _("regional specificity")
        CONTRIBUTION = "contribution", _("contribution")
        CONSENSUS_STATEMENT = "consensus_statement", _("consensus statement")
        ARTICLE = "article", _("Code of Conduct article")

    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.CASCADE,
        related_name="evidence",
        verbose_name=_("recommendation"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    source_id = models.PositiveBigIntegerField(_("source id"))
    key = models.CharField(_("key"), max_length=120, blank=True)
    label = models.CharField(_("label"), max_length=300, blank=True)
    quote = models.TextField(_("quote"), blank=True)
    language = models.CharField(_("language of the quote"), max_length=2, blank=True)
    regions = models.JSONField(_("regions"), default=list, blank=True)
    constituencies = models.JSONField(_("constituencies"), default=dict, blank=True)
    count = models.PositiveIntegerField(_("count"), default=0)
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
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "kind", "source_id", "key"],
                name="recommendation_evidence_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.recommendation_id} ← {self.kind} {self.source_id} {self.key}".strip()


class RecommendationEndorsement(models.Model):
    """A person backs a recommendation, once; their constituency (organisation type) and
    world section are copied when they endorse, so counts do not move when people move."""

    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.CASCADE,
        related_name="endorsements",
        verbose_name=_("recommendation"),
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="recommendation_endorsements",
        verbose_name=_("person"),
    )
    organisation = models.ForeignKey(
        "people.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recommendation_endorsements",
        verbose_name=_("organisation"),
    )
    constituency = models.CharField(_("constituency"), max_length=20, blank=True)
    region = models.ForeignKey(
        "programme.Region",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recommendation_endorsements",
        verbose_name=_("world section"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("endorsement of a recommendation")
        verbose_name_plural = _("endorsements of recommendations")
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "person"], name="recommendation_endorsed_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.recommendation_id}"


class StatusChange(models.Model):
    """The public log of a recommendation's status: who moved it, when, and why."""

    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.CASCADE,
        related_name="status_changes",
        verbose_name=_("recommendation"),
    )
    from_status = models.CharField(_("from"), max_length=10, choices=Status.choices)
    to_status = models.CharField(_("to"), max_length=10, choices=Status.choices)
    reason = models.CharField(_("reason"), max_length=MAX_REASON_LENGTH)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("status change of a recommendation")
        verbose_name_plural = _("status changes of recommendations")

    def __str__(self) -> str:
        return f"{self.recommendation_id}: {self.from_status} → {self.to_status}"
