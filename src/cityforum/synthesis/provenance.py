"""What every stored run of an engine records, whatever the engine: its provenance.

Opinion maps and themes are both snapshots that pages read instead of recomputing, and
both must be trusted and reproduced the same way, so they share these fields.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StoredRun(models.Model):
    error = models.TextField(_("error"), blank=True)
    parameters = models.JSONField(_("parameters"), default=dict)
    seed = models.PositiveIntegerField(_("seed"), default=0)
    input_sha256 = models.CharField(_("input checksum (SHA-256)"), max_length=64, blank=True)
    engine_version = models.CharField(_("engine version"), max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]
