"""Statements and votes, the Pol.is way.

A consultation holds short statements (≤ 280 characters). Each :class:`Voter` — a signed-in
person, or an anonymous session where the organiser allows it — gives one current
:class:`Vote` per statement (agree +1, disagree −1, pass 0); a new vote replaces the old
(last wins) while :class:`VoteEvent` keeps every vote ever cast. Voters are known to the
outside only by a random number, stable within one consultation (``public_id``), never by
their user id or e-mail address.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

MAX_STATEMENT_LENGTH = 280


class VotingSettings(models.Model):
    """How one consultation votes; a consultation without a row uses the defaults."""

    consultation = models.OneToOneField(
        "programme.Consultation",
        on_delete=models.CASCADE,
        related_name="voting_settings",
        verbose_name=_("consultation"),
    )
    allow_anonymous = models.BooleanField(
        _("allow anonymous voting"),
        default=False,
        help_text=_(
            "People who are not signed in may vote; their browser session identifies them."
        ),
    )

    class Meta:
        verbose_name = _("voting settings")
        verbose_name_plural = _("voting settings")

    def __str__(self) -> str:
        return str(self.consultation)


class Statement(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    consultation = models.ForeignKey(
        "programme.Consultation",
        on_delete=models.CASCADE,
        related_name="statements",
        verbose_name=_("consultation"),
    )
    text = models.CharField(_("text"), max_length=MAX_STATEMENT_LENGTH)
    language = models.CharField(_("language"), max_length=8, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="statements",
        verbose_name=_("author"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("moderated by"),
    )
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)
    source_id = models.BigIntegerField(
        _("imported id"),
        null=True,
        blank=True,
        help_text=_("The comment id in the Pol.is export this statement was imported from."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        ordering = ["consultation", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "source_id"], name="statement_source_id_per_consultation"
            )
        ]
        indexes = [models.Index(fields=["consultation", "status"])]

    def __str__(self) -> str:
        return self.text[:60]


class Voter(models.Model):
    """A pseudonymous participant of one consultation: a user, or an anonymous session."""

    consultation = models.ForeignKey(
        "programme.Consultation",
        on_delete=models.CASCADE,
        related_name="voters",
        verbose_name=_("consultation"),
    )
    public_id = models.BigIntegerField(
        _("public id"), help_text=_("A random number, stable within the consultation.")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="voters",
        verbose_name=_("user"),
    )
    session_key = models.CharField(_("anonymous session"), max_length=64, null=True, blank=True)  # noqa: DJ001 - NULL, unlike '', is never unique
    source_id = models.BigIntegerField(_("imported id"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("voter")
        verbose_name_plural = _("voters")
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "public_id"], name="voter_public_id_per_consultation"
            ),
            models.UniqueConstraint(
                fields=["consultation", "user"], name="voter_user_per_consultation"
            ),
            models.UniqueConstraint(
                fields=["consultation", "session_key"], name="voter_session_per_consultation"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.public_id}"


class Vote(models.Model):
    """The current vote of one voter on one statement (exactly one: a unique constraint)."""

    class Value(models.IntegerChoices):
        AGREE = 1, _("agree")
        PASS = 0, _("pass")
        DISAGREE = -1, _("disagree")

    statement = models.ForeignKey(
        Statement, on_delete=models.CASCADE, related_name="votes", verbose_name=_("statement")
    )
    voter = models.ForeignKey(
        Voter, on_delete=models.CASCADE, related_name="votes", verbose_name=_("voter")
    )
    value = models.SmallIntegerField(_("value"), choices=Value.choices)
    revision = models.PositiveIntegerField(
        _("revision"), default=1, help_text=_("How many times this voter voted on the statement.")
    )
    created_at = models.DateTimeField(_("first cast at"))
    updated_at = models.DateTimeField(_("last cast at"))

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["statement", "voter"], name="one_vote_per_voter"),
            models.CheckConstraint(
                condition=models.Q(value__in=[-1, 0, 1]), name="vote_value_is_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.voter} {self.value:+d} {self.statement_id}"


class VoteEvent(models.Model):
    """Every vote ever cast, in order: the append-only history behind :class:`Vote`."""

    statement = models.ForeignKey(
        Statement, on_delete=models.CASCADE, related_name="vote_events", verbose_name=_("statement")
    )
    voter = models.ForeignKey(
        Voter, on_delete=models.CASCADE, related_name="vote_events", verbose_name=_("voter")
    )
    value = models.SmallIntegerField(_("value"), choices=Vote.Value.choices)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    cast_at = models.DateTimeField(_("cast at"))

    class Meta:
        verbose_name = _("vote event")
        verbose_name_plural = _("vote events")
        ordering = ["pk"]
        indexes = [models.Index(fields=["statement", "voter"])]

    def __str__(self) -> str:
        return f"{self.voter} {self.value:+d} {self.statement_id} @ {self.cast_at}"
