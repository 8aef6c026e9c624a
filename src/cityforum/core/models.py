"""Models every app shares."""

from __future__ import annotations

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
