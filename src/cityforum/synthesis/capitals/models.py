"""Capital tags people confirmed, and the classifier trained on them (synthesis.md §5).

An author chooses one to three capitals when writing; moderators and organisers confirm or
correct them. Each confirmation is a :class:`CapitalTag` row (the latest one of a contribution is
its confirmed tag; earlier ones stay as the record), with where the confirmed capitals came from:
the author's choice, the lexicon's or the classifier's suggestion, or the reviewer's own
correction. The author's choice on the contribution itself is never changed.

:class:`CapitalClassifierModel` keeps each trained classifier as a pickled blob with its
SHA-256 (checked before it is loaded), the checksum of the tags it learned from and its
cross-validated metrics; suggestions use the latest one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CapitalTag(models.Model):
    """A person confirmed that ``contribution`` speaks of ``capitals``."""

    class Source(models.TextChoices):
        AUTHOR = "author", _("the author's choice")
        LEXICON = "lexicon", _("the lexicon's suggestion")
        CLASSIFIER = "classifier", _("the classifier's suggestion")
        REVIEWER = "reviewer", _("the reviewer's correction")

    contribution = models.ForeignKey(
        "participation.Contribution",
        on_delete=models.CASCADE,
        related_name="capital_tags",
        verbose_name=_("contribution"),
    )
    capitals = models.JSONField(_("capitals"), default=list, help_text=_("Capital codes."))
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("capital tag")
        verbose_name_plural = _("capital tags")
        ordering = ["-confirmed_at", "-pk"]
        indexes = [
            models.Index(fields=["contribution", "-confirmed_at"], name="capital_tag_latest")
        ]

    def __str__(self) -> str:
        return f"{self.contribution_id}: {', '.join(self.capitals)} ({self.source})"


class CapitalClassifierModel(models.Model):
    """A capital classifier trained on confirmed tags, stored for the suggestions."""

    blob = models.BinaryField(_("pickled classifier"))
    sha256 = models.CharField(_("checksum (SHA-256)"), max_length=64)
    training_sha256 = models.CharField(
        _("training data checksum (SHA-256)"),
        max_length=64,
        help_text=_("Of the confirmed tags learned from: contribution ids, texts and capitals."),
    )
    n_contributions = models.PositiveIntegerField(_("contributions"), default=0)
    n_examples = models.PositiveIntegerField(_("examples"), default=0)
    weight = models.FloatField(
        _("blend weight"), help_text=_("The classifier's share in the suggestions (0 to 1).")
    )
    metrics = models.JSONField(_("metrics"), default=dict)
    engine_version = models.CharField(_("engine version"), max_length=200, blank=True)
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("trained by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("capital classifier")
        verbose_name_plural = _("capital classifiers")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} · {self.n_contributions} · {self.sha256[:12]}"
