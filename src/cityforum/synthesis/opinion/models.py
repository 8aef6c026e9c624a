"""The opinion map's stored runs: snapshots that pages and the API read.

A run records everything needed to trust and reproduce its result: the parameters and seed the
engine was given, the SHA-256 of its input (the consultation's current votes and moderated-out
statements, in a canonical order), and the versions of the code that computed it. Pages never
recompute: they read the latest finished run.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from cityforum.synthesis.provenance import QueuedRun


class OpinionMapRun(QueuedRun):
    """One computation of a consultation's opinion map (the Pol.is method)."""

    consultation = models.ForeignKey(
        "programme.Consultation",
        on_delete=models.CASCADE,
        related_name="opinion_map_runs",
        verbose_name=_("consultation"),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=QueuedRun.Status.choices,
        default=QueuedRun.Status.QUEUED,
    )
    n_votes = models.PositiveBigIntegerField(_("votes"), default=0)
    result = models.JSONField(
        _("result"),
        null=True,
        blank=True,
        help_text=_("The opinion map, in the format of “cityforum analyse votes”."),
    )
    figures = models.JSONField(
        _("figures"),
        null=True,
        blank=True,
        help_text=_(
            "What the page shows besides the result: the map's points, vote shares, "
            "group sizes by region and organisation type."
        ),
    )
    timings = models.JSONField(_("timings (seconds)"), default=dict)

    class Meta:
        verbose_name = _("opinion map run")
        verbose_name_plural = _("opinion map runs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["consultation", "status", "input_sha256"])]

    def __str__(self) -> str:
        return f"{self.consultation} · {self.get_status_display()} · {self.created_at:%Y-%m-%d}"

    @property
    def n_groups(self) -> int:
        return len((self.result or {}).get("groups", []))

    def summary(self) -> dict[str, Any]:
        """The run's provenance, as shown on the page and in the admin."""
        return {
            "parameters": self.parameters,
            "seed": self.seed,
            "input_sha256": self.input_sha256,
            "engine_version": self.engine_version,
        }
