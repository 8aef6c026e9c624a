"""What every stored run of an engine records, whatever the engine: its provenance.

Opinion maps, themes and the capital classifier are all snapshots that pages read instead of
recomputing, and all must be trusted and reproduced the same way, so they share these fields,
the seed's range and the one description of the code that computed them
(:func:`engine_version`). The three parts of the synthesis import this module; it imports
none of them.
"""

from __future__ import annotations

import numpy as np
import sklearn
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityforum import __version__

#: The largest seed a run accepts (a signed 32-bit integer, what every engine's generator takes).
MAX_SEED = 2**31 - 1


def engine_version() -> str:
    """The versions of the code that computes a run, stored with it so that a result can be
    reproduced with the same code."""
    return f"cityforum {__version__}; numpy {np.__version__}; scikit-learn {sklearn.__version__}"


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


class QueuedRun(StoredRun):
    """A stored run that a background job computes: the job's hold on it
    (:mod:`cityforum.synthesis.runs`). A run "running" whose lease has passed lost its worker
    (killed mid-job) and is queued again. The live map's updates are not queued runs: each is
    written whole by the update that made it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    progress = models.PositiveSmallIntegerField(
        _("progress"), default=0, help_text=_("Per cent of the work done.")
    )
    stage = models.CharField(_("stage"), max_length=40, blank=True)
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)
    attempt = models.PositiveSmallIntegerField(
        _("attempt"), default=0, help_text=_("How many times a worker has taken the run.")
    )

    class Meta(StoredRun.Meta):
        abstract = True
