"""The forum edition and its programme: capitals, regions, consultations, references.

Content is stored per language (``*_fr``, ``*_en``, ``*_es``) and read through
:class:`~cityforum.core.languages.Translated`, which falls back to the French source.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityforum.core.languages import Translated

#: The licence of the forum's open data unless an organiser chooses another (issue 8).
DEFAULT_LICENCE = "CC-BY-4.0"
DEFAULT_LICENCE_NAME = "Creative Commons Attribution 4.0 International"
DEFAULT_LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"


class Forum(models.Model):
    """One edition of the World Forum of Intermediary Cities, with its consultation period."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    edition = models.PositiveSmallIntegerField(_("edition"))
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=200, blank=True)
    tagline_fr = models.CharField(_("tagline (French)"), max_length=300, blank=True)
    tagline_en = models.CharField(_("tagline (English)"), max_length=300, blank=True)
    tagline_es = models.CharField(_("tagline (Spanish)"), max_length=300, blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_es = models.TextField(_("description (Spanish)"), blank=True)
    host = models.CharField(_("host"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    licence = models.CharField(
        _("open data licence"),
        max_length=40,
        default=DEFAULT_LICENCE,
        help_text=_("SPDX identifier of the licence the forum's open data is published under."),
    )
    licence_name = models.CharField(
        _("open data licence name"), max_length=200, default=DEFAULT_LICENCE_NAME
    )
    licence_url = models.URLField(_("open data licence address"), default=DEFAULT_LICENCE_URL)

    name = Translated()
    tagline = Translated()
    description = Translated()

    class Meta:
        verbose_name = _("forum")
        verbose_name_plural = _("forums")
        ordering = ["-edition"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="forum_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return str(self.name)

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("A forum cannot end before it starts.")})


class Capital(models.Model):
    """One of the five capitals of resilience. Exactly five exist; they are not edited away."""

    class Code(models.TextChoices):
        HUMAN = "human", _("human")
        SOCIAL = "social", _("social")
        ECONOMIC = "economic", _("economic")
        CULTURAL = "cultural", _("cultural")
        ENVIRONMENTAL = "environmental", _("environmental")

    code = models.CharField(_("code"), max_length=20, choices=Code.choices, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name_fr = models.CharField(_("name (French)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=100, blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_es = models.TextField(_("description (Spanish)"), blank=True)

    name = Translated()
    description = Translated()

    class Meta:
        verbose_name = _("capital of resilience")
        verbose_name_plural = _("capitals of resilience")
        ordering = ["order"]

    def __str__(self) -> str:
        return str(self.name)


class Region(models.Model):
    """A region a consultation can belong to: a UCLG world section, or the world.

    Regions are data, not code: Europe or others are added without a migration.
    """

    class Kind(models.TextChoices):
        SECTION = "section", _("world section")
        WORLD = "world", _("world")

    code = models.SlugField(_("code"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SECTION)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name_fr = models.CharField(_("name (French)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=100, blank=True)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)

    name = Translated()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return str(self.name)


class Status(models.TextChoices):
    PLANNED = "planned", _("planned")
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")
    SYNTHESISED = "synthesised", _("synthesised")
    PUBLISHED = "published", _("published")


#: The only moves a consultation's status may make: forwards, one step at a time.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.PLANNED: frozenset({Status.OPEN}),
    Status.OPEN: frozenset({Status.CLOSED}),
    Status.CLOSED: frozenset({Status.SYNTHESISED}),
    Status.SYNTHESISED: frozenset({Status.PUBLISHED}),
    Status.PUBLISHED: frozenset(),
}


class Consultation(models.Model):
    """A consultation of the series: thematic (tied to capitals) or regional (run by a section)."""

    class Kind(models.TextChoices):
        THEMATIC = "thematic", _("thematic")
        REGIONAL = "regional", _("regional")

    forum = models.ForeignKey(
        Forum, on_delete=models.CASCADE, related_name="consultations", verbose_name=_("forum")
    )
    slug = models.SlugField(_("slug"), max_length=80)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    date = models.DateField(
        _("date"), null=True, blank=True, help_text=_("Empty while the date is to be confirmed.")
    )
    capitals = models.ManyToManyField(
        Capital, related_name="consultations", verbose_name=_("capitals"), blank=True
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultations",
        verbose_name=_("region"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    title_fr = models.CharField(_("title (French)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    title_es = models.CharField(_("title (Spanish)"), max_length=300, blank=True)
    vision_fr = models.TextField(_("vision (French)"), blank=True)
    vision_en = models.TextField(_("vision (English)"), blank=True)
    vision_es = models.TextField(_("vision (Spanish)"), blank=True)
    objective_fr = models.TextField(_("objective (French)"), blank=True)
    objective_en = models.TextField(_("objective (English)"), blank=True)
    objective_es = models.TextField(_("objective (Spanish)"), blank=True)
    expected_output_fr = models.TextField(_("expected output (French)"), blank=True)
    expected_output_en = models.TextField(_("expected output (English)"), blank=True)
    expected_output_es = models.TextField(_("expected output (Spanish)"), blank=True)

    title = Translated()
    vision = Translated()
    objective = Translated()
    expected_output = Translated()

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["forum", "order", "date"]
        constraints = [
            models.UniqueConstraint(fields=["forum", "slug"], name="consultation_slug_per_forum"),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="thematic", region__isnull=True)
                    | models.Q(kind="regional", region__isnull=False)
                ),
                name="consultation_region_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return str(self.title)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.kind == self.Kind.REGIONAL and self.region_id is None:
            errors["region"] = _("A regional consultation needs a region.")
        if self.kind == self.Kind.THEMATIC and self.region_id is not None:
            errors["region"] = _("A thematic consultation is global: leave the region empty.")
        if self.date and self.forum_id:
            forum = self.forum
            if not forum.starts_on <= self.date <= forum.ends_on:
                errors["date"] = _(
                    "The date %(date)s is outside the forum's period (%(start)s to %(end)s)."
                ) % {"date": self.date, "start": forum.starts_on, "end": forum.ends_on}
        if errors:
            raise ValidationError(errors)

    def can_move_to(self, status: str) -> bool:
        return status in ALLOWED_TRANSITIONS.get(self.status, frozenset())


class StatusChange(models.Model):
    """Every change of a consultation's status, who made it and why: the audit trail."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(_("from"), max_length=12, choices=Status.choices)
    to_status = models.CharField(_("to"), max_length=12, choices=Status.choices)
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("changed by"),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.consultation}: {self.from_status} → {self.to_status}"


class ReferenceDocument(models.Model):
    """A document the forum builds on (Durban, Chefchaouen, the Pact for the Future, the G20)."""

    forum = models.ForeignKey(
        Forum, on_delete=models.CASCADE, related_name="references", verbose_name=_("forum")
    )
    slug = models.SlugField(_("slug"), max_length=80)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    url = models.URLField(_("address"), blank=True)
    title_fr = models.CharField(_("title (French)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    title_es = models.CharField(_("title (Spanish)"), max_length=300, blank=True)
    summary_fr = models.TextField(_("summary (French)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    summary_es = models.TextField(_("summary (Spanish)"), blank=True)
    components = models.JSONField(
        _("components"),
        default=list,
        blank=True,
        help_text=_("Named parts of the document, e.g. the Pact's People, Planet, Government."),
    )

    title = Translated()
    summary = Translated()

    class Meta:
        verbose_name = _("reference document")
        verbose_name_plural = _("reference documents")
        ordering = ["forum", "order"]
        constraints = [
            models.UniqueConstraint(fields=["forum", "slug"], name="reference_slug_per_forum")
        ]

    def __str__(self) -> str:
        return str(self.title)
