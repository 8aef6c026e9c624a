"""Stored runs of the cross-lingual themes synthesis (issue 5): themes, trends, specificities.

A run records its scope (one consultation, or all of them with each contribution's region as its
region), its parameters, the SHA-256 of its input (the visible contributions' ids, texts,
languages and regions, in id order) and the versions of the code. Only a run an organiser has
approved is shown to the public.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .provenance import StoredRun


class ThemeRun(StoredRun):
    """One computation of the themes, global trends and regional specificities."""

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    consultation = models.ForeignKey(
        "programme.Consultation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="theme_runs",
        verbose_name=_("consultation"),
        help_text=_("Empty: all consultations, each contribution's region as its region."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    n_contributions = models.PositiveIntegerField(_("contributions"), default=0)
    result = models.JSONField(
        _("result"),
        null=True,
        blank=True,
        help_text=_("The themes, global trends and regional specificities, with their sources."),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("themes run")
        verbose_name_plural = _("themes runs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["consultation", "status", "input_sha256"])]

    def __str__(self) -> str:
        scope = self.consultation or _("all consultations")
        return f"{scope} · {self.get_status_display()} · {self.created_at:%Y-%m-%d}"

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None

    @property
    def n_themes(self) -> int:
        return len((self.result or {}).get("themes", []))

    def summary(self) -> dict[str, Any]:
        """The run's provenance, as shown on the page, in the API and in the admin."""
        return {
            "parameters": self.parameters,
            "seed": self.seed,
            "input_sha256": self.input_sha256,
            "engine_version": self.engine_version,
            "n_contributions": self.n_contributions,
        }
