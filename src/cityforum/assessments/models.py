"""The indicator framework and the assessments of cities, projects and local agendas.

An :class:`Indicator` carries its goalposts and a ``version`` that grows whenever an
organiser changes how it is normalised; every :class:`Assessment` stores the scores it was
last computed with, so pages never recompute while rendering. A second assessment of the same
subject and period is a new ``version`` beside the first, never an overwrite.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityforum.core.languages import Translated

CAPITAL_CHOICES = [
    ("human", _("Human")),
    ("social", _("Social")),
    ("economic", _("Economic")),
    ("cultural", _("Cultural")),
    ("environmental", _("Environmental")),
]


class Confidence(models.TextChoices):
    LOW = "low", _("low")
    MEDIUM = "medium", _("medium")
    HIGH = "high", _("high")


class Indicator(models.Model):
    """One indicator of resilience.md §6, normalised to 0–100 by fixed goalposts."""

    class Direction(models.TextChoices):
        POSITIVE = "+", _("higher is better")
        NEGATIVE = "-", _("lower is better")
        TARGET = "target", _("best at a target")

    class Kind(models.TextChoices):
        LINEAR = "linear", _("linear goalposts")
        LOG = "log", _("goalposts on ln x")
        TARGET = "target", _("target band")

    code = models.CharField(_("code"), max_length=10, unique=True)
    capital = models.CharField(_("capital"), max_length=20, choices=CAPITAL_CHOICES)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=200, blank=True)
    guidance_fr = models.TextField(_("guidance (French)"), blank=True)
    guidance_en = models.TextField(_("guidance (English)"), blank=True)
    guidance_es = models.TextField(_("guidance (Spanish)"), blank=True)
    unit = models.CharField(_("unit"), max_length=40)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    kind = models.CharField(_("normalisation"), max_length=10, choices=Kind.choices)
    worst = models.FloatField(_("L (worst)"), null=True, blank=True)
    best = models.FloatField(_("U (best)"), null=True, blank=True)
    target = models.FloatField(_("T (target)"), null=True, blank=True)
    tolerance = models.FloatField(_("D (tolerance)"), null=True, blank=True)
    plausible_min = models.FloatField(_("smallest plausible value"))
    plausible_max = models.FloatField(_("largest plausible value"))
    sdg = models.CharField(_("SDG link"), max_length=60, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    name = Translated()
    guidance = Translated()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Assessment(models.Model):
    """Capital scores of a city for a year, or of a project or a local agenda.

    A city assessment is computed from indicator values; a project from its 0–5
    self-assessment per capital; an agenda is the budget-weighted mean of its projects.
    """

    class Kind(models.TextChoices):
        CITY = "city", _("city")
        PROJECT = "project", _("project")
        AGENDA = "agenda", _("local agenda")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    city = models.ForeignKey(
        "cities.City",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessments",
        verbose_name=_("city"),
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    agenda = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("local agenda"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    budget = models.DecimalField(
        _("budget"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    scores = models.JSONField(_("capital scores"), default=dict, blank=True)
    level = models.FloatField(_("level"), null=True, blank=True)
    bri = models.FloatField(_("BRI"), null=True, blank=True)
    balance = models.FloatField(_("balance"), null=True, blank=True)
    band = models.CharField(_("balance band"), max_length=12, blank=True)
    flags = models.JSONField(_("capitals left behind"), default=list, blank=True)
    uncertainty = models.JSONField(
        _("BRI uncertainty"),
        default=dict,
        blank=True,
        help_text=_("Median BRI and its 90 % band over 1,000 Monte Carlo draws."),
    )
    framework = models.JSONField(_("indicator versions used"), default=dict, blank=True)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-year", "-version", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "city", "title", "year", "version"],
                name="assessment_one_version",
            )
        ]

    def __str__(self) -> str:
        subject = self.title or (self.city.name if self.city_id else "")
        return f"{subject} {self.year} v{self.version}"

    @property
    def complete(self) -> bool:
        return self.bri is not None


class IndicatorValue(models.Model):
    """One measured value of an indicator in a city assessment, with its source."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="values", verbose_name=_("assessment")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="values", verbose_name=_("indicator")
    )
    value = models.FloatField(_("value"))
    normalised = models.FloatField(_("normalised value"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300)
    confidence = models.CharField(
        _("confidence"), max_length=10, choices=Confidence.choices, default=Confidence.MEDIUM
    )

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["indicator__order", "indicator__code"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "indicator"], name="one_value_each")
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} = {self.value}"


class SelfAssessment(models.Model):
    """A project's 0–5 score on one capital (resilience.md §6.2), with its evidence."""

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        related_name="self_scores",
        verbose_name=_("assessment"),
    )
    capital = models.CharField(_("capital"), max_length=20, choices=CAPITAL_CHOICES)
    score = models.PositiveSmallIntegerField(_("score (0–5)"))
    evidence = models.TextField(_("evidence"), blank=True)
    confidence = models.CharField(
        _("confidence"), max_length=10, choices=Confidence.choices, default=Confidence.MEDIUM
    )
    adverse_effect = models.BooleanField(_("adverse effect"), default=False)

    class Meta:
        verbose_name = _("self-assessment score")
        verbose_name_plural = _("self-assessment scores")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "capital"], name="one_score_a_capital")
        ]

    def __str__(self) -> str:
        return f"{self.capital}: {self.score}"

    @property
    def effective(self) -> int:
        """The adverse-effect flag ("do no significant harm") caps the capital at 1."""
        return min(self.score, 1) if self.adverse_effect else self.score
