"""Stored runs of the cross-lingual themes synthesis (issue 5): themes, trends, specificities.

A run records its scope (one consultation, or all of them with each contribution's region as its
region), its parameters, the SHA-256 of its input (the visible contributions' ids, texts,
languages and regions, in id order) and the versions of the code. Only a run an organiser has
approved is shown to the public.

The model's answer (``result``) is never edited. Organisers review it: each rename, merge, split
or rejection is one :class:`ThemeReview` row, and ``reviewed`` is the document those actions give
when replayed on ``result`` and ``assignment`` (each contribution's share of each theme), so both
the raw and the reviewed synthesis can be traced. Pages, the API and outcome documents read the
reviewed one.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityforum.synthesis.provenance import QueuedRun


class ThemeRun(QueuedRun):
    """One computation of the themes, global trends and regional specificities."""

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
        _("status"),
        max_length=10,
        choices=QueuedRun.Status.choices,
        default=QueuedRun.Status.RUNNING,
    )
    n_contributions = models.PositiveIntegerField(_("contributions"), default=0)
    result = models.JSONField(
        _("result"),
        null=True,
        blank=True,
        help_text=_("The themes, global trends and regional specificities, with their sources."),
    )
    assignment = models.JSONField(
        _("assignment"),
        null=True,
        blank=True,
        help_text=_(
            "Each contribution's region, language, share of each theme and theme words: "
            "what merging or splitting a theme recomputes from, without fitting again."
        ),
    )
    reviewed = models.JSONField(
        _("reviewed result"),
        null=True,
        blank=True,
        help_text=_("The result after the organisers' review; empty while nobody reviewed it."),
    )
    capitals_profile = models.JSONField(
        _("capitals profile"),
        null=True,
        blank=True,
        help_text=_("The capitals of the contributions in scope, as they were at the approval."),
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

    @property
    def is_reviewed(self) -> bool:
        return self.reviewed is not None

    def published(self) -> dict[str, Any]:
        """The document pages, the API and outcome documents read: the reviewed result, or the
        model's own while nobody changed anything."""
        return self.reviewed if self.reviewed is not None else (self.result or {})

    def summary(self) -> dict[str, Any]:
        """The run's provenance, as shown on the page, in the API and in the admin."""
        return {
            "parameters": self.parameters,
            "seed": self.seed,
            "input_sha256": self.input_sha256,
            "engine_version": self.engine_version,
            "n_contributions": self.n_contributions,
        }


class ThemeReview(models.Model):
    """One organiser's change to a run's themes, replayed in order to give ``run.reviewed``.

    An undone action stays here (with who undid it and when) but is no longer replayed.
    """

    class Action(models.TextChoices):
        RENAME = "rename", _("rename")
        MERGE = "merge", _("merge")
        SPLIT = "split", _("split")
        REJECT = "reject", _("reject")
        RESTORE = "restore", _("restore")

    run = models.ForeignKey(
        ThemeRun, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("themes run")
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    data = models.JSONField(_("data"), default=dict)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("undone by"),
    )

    class Meta:
        verbose_name = _("theme review")
        verbose_name_plural = _("theme reviews")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.run_id} · {self.get_action_display()} · {self.created_at:%Y-%m-%d %H:%M}"
