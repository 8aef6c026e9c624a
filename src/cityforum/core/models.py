"""Models every app shares."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class DatasetLoad(models.Model):
    """Which version of a bundled data set was last loaded, so that ``init`` can skip it.

    ``cityforum init`` must be idempotent and fast on a second run: it compares the
    checksum of what it would load with the one recorded here.
    """

    name = models.CharField(_("data set"), max_length=100, unique=True)
    version = models.CharField(_("version"), max_length=100)
    checksum = models.CharField(_("checksum"), max_length=64)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)

    class Meta:
        verbose_name = _("loaded data set")
        verbose_name_plural = _("loaded data sets")

    def __str__(self) -> str:
        return f"{self.name} {self.version}"


class AuditEvent(models.Model):
    """One line of the audit log: who did what to which object, when, and why.

    Every moderation and status change writes one, through :func:`cityforum.core.audit.record`,
    inside the same transaction as the change itself: no change without its line.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    verb = models.CharField(_("action"), max_length=60, db_index=True)
    target_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+", verbose_name=_("target type")
    )
    target_id = models.CharField(_("target id"), max_length=64)
    target = GenericForeignKey("target_type", "target_id")
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.verb} {self.target_type.model}#{self.target_id}"
