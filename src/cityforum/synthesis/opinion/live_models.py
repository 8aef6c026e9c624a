"""What the live opinion map stores (issue 16): the switch and coalescing state of each
consultation, its updates, and what a Pol.is import said about the Polis that computed it.

Why a separate table of updates rather than :class:`~cityforum.synthesis.models.OpinionMapRun`:
an organiser's explicit computation is a deliberate snapshot that stays until replaced, while
live updates arrive every second and only the last few are kept (unless pinned). Both record the
same provenance (:class:`~cityforum.synthesis.provenance.StoredRun`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityforum.synthesis.provenance import StoredRun


class LiveMap(models.Model):
    """One consultation's live map: on or off, and which update is the latest committed one.

    ``latest`` is set in the same transaction that writes the update, so a reader never sees an
    update that is not completely written (a worker killed in the middle leaves the previous one).
    """

    consultation = models.OneToOneField(
        "programme.Consultation",
        on_delete=models.CASCADE,
        related_name="live_map",
        verbose_name=_("consultation"),
    )
    enabled = models.BooleanField(_("live map on"), default=False)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)
    pending = models.BooleanField(
        _("update pending"),
        default=False,
        help_text=_("Votes arrived while an update was running: another one follows it."),
    )
    last_started_at = models.DateTimeField(_("last update started at"), null=True, blank=True)
    latest = models.ForeignKey(
        "synthesis.LiveMapUpdate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("latest update"),
    )

    class Meta:
        verbose_name = _("live opinion map")
        verbose_name_plural = _("live opinion maps")

    def __str__(self) -> str:
        return str(self.consultation)


class LiveMapUpdate(StoredRun):
    """One update of the live map (or one replay of an imported Pol.is conversation)."""

    class Kind(models.TextChoices):
        LIVE = "live", _("live update")
        POLIS_REPLAY = "polis_replay", _("as Polis computed it")

    consultation = models.ForeignKey(
        "programme.Consultation",
        on_delete=models.CASCADE,
        related_name="live_map_updates",
        verbose_name=_("consultation"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.LIVE)
    n_votes = models.PositiveBigIntegerField(_("votes"), default=0)
    n_participants = models.PositiveBigIntegerField(_("participants"), default=0)
    max_event_id = models.BigIntegerField(
        _("last vote event included"),
        default=0,
        help_text=_("The highest vote-history id this update read: later votes are not in it."),
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    pinned = models.BooleanField(
        _("pinned"), default=False, help_text=_("Kept when older updates are deleted.")
    )
    document = models.JSONField(
        _("groups"),
        default=dict,
        help_text=_(
            "Groups (size, centre, representative statements, vote counts per statement) and "
            "consensus: no participant's position or votes."
        ),
    )
    positions = models.BinaryField(
        _("positions"),
        default=b"",
        help_text=_("Each participant's position and group, read only for that participant."),
    )
    timings = models.JSONField(_("timings (seconds)"), default=dict)

    class Meta:
        verbose_name = _("live opinion map update")
        verbose_name_plural = _("live opinion map updates")
        ordering = ["-pk"]
        indexes = [models.Index(fields=["consultation", "kind", "pinned"])]

    def __str__(self) -> str:
        return f"{self.consultation} · {self.get_kind_display()} · {self.pk}"


class PolisImportInfo(models.Model):
    """What a Pol.is import said about the Polis that computed it, kept for the replay."""

    consultation = models.OneToOneField(
        "programme.Consultation",
        on_delete=models.CASCADE,
        related_name="polis_import",
        verbose_name=_("consultation"),
    )
    missing_votes = models.CharField(
        _("Polis version's treatment of missing votes"), max_length=10, default="mean"
    )
    has_vote_log = models.BooleanField(_("vote times kept"), default=False)
    n_events = models.PositiveBigIntegerField(_("votes in the log"), default=0)
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    class Meta:
        verbose_name = _("Pol.is import")
        verbose_name_plural = _("Pol.is imports")

    def __str__(self) -> str:
        return str(self.consultation)
