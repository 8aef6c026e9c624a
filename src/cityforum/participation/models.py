"""What people bring to a consultation: contributions, endorsements, comments and reports.

Contributions carry their own ``language`` (they are never translated) and the region
they speak for, taken when they are written, so that the synthesis can compare regions.
Hidden content is kept, with the moderator's reason, which its author can read.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

#: Maximum lengths, shared by the services, forms, API and importer.
TITLE_MAX = 200
BODY_MAX = 5000
COMMENT_MAX = 2000
REASON_MAX = 1000
MAX_CAPITALS = 3

#: The languages a contribution may be written in (those the synthesis understands).
LANGUAGES = [
    ("fr", _("French")),
    ("en", _("English")),
    ("es", _("Spanish")),
    ("ca", _("Catalan")),
    ("pt", _("Portuguese")),
]


class Visibility(models.TextChoices):
    VISIBLE = "visible", _("visible")
    HIDDEN = "hidden", _("hidden")


class Contribution(models.Model):
    class Type(models.TextChoices):
        PROPOSAL = "proposal", _("proposal")
        PRACTICE = "practice", _("practice or experience")
        CHALLENGE = "challenge", _("challenge")
        RECOMMENDATION = "recommendation", _("recommendation")

    class Source(models.TextChoices):
        ONLINE = "online", _("online")
        WORKSHOP = "workshop", _("workshop minutes")

    consultation = models.ForeignKey(
        "programme.Consultation",
        on_delete=models.CASCADE,
        related_name="contributions",
        verbose_name=_("consultation"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="contributions",
        verbose_name=_("author"),
    )
    organisation = models.ForeignKey(
        "people.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contributions",
        verbose_name=_("organisation"),
    )
    city = models.ForeignKey(
        "cities.City",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contributions",
        verbose_name=_("city"),
    )
    region = models.ForeignKey(
        "programme.Region",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contributions",
        verbose_name=_("region"),
        help_text=_("The world section the contribution speaks for, set when it is written."),
    )
    type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    body = models.TextField(_("text"), max_length=BODY_MAX)
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGES)
    capitals = models.ManyToManyField(
        "programme.Capital", related_name="contributions", verbose_name=_("capitals")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Visibility.choices, default=Visibility.VISIBLE
    )
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)
    moderation_reason = models.TextField(_("moderation reason"), blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.ONLINE
    )
    meeting_name = models.CharField(_("meeting"), max_length=200, blank=True)
    meeting_date = models.DateField(_("meeting date"), null=True, blank=True)
    meeting_place = models.CharField(_("meeting place"), max_length=200, blank=True)
    on_behalf_of = models.ForeignKey(
        "people.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("on behalf of"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["consultation", "status", "-created_at"], name="contrib_list")
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(source="online")
                | models.Q(
                    source="workshop", meeting_date__isnull=False, on_behalf_of__isnull=False
                ),
                name="workshop_minutes_name_their_meeting",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_hidden(self) -> bool:
        return self.status == Visibility.HIDDEN


class ContributionRevision(models.Model):
    """A contribution as it was before an edit: the edit history."""

    contribution = models.ForeignKey(
        Contribution, on_delete=models.CASCADE, related_name="revisions"
    )
    type = models.CharField(_("type"), max_length=20, choices=Contribution.Type.choices)
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    body = models.TextField(_("text"))
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGES)
    capitals = models.JSONField(_("capitals"), default=list)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    edited_at = models.DateTimeField(_("edited at"), auto_now_add=True)

    class Meta:
        verbose_name = _("contribution revision")
        verbose_name_plural = _("contribution revisions")
        ordering = ["-edited_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.contribution_id} @ {self.edited_at:%Y-%m-%d %H:%M}"


class Endorsement(models.Model):
    """A person stands behind a contribution; once each (a database constraint)."""

    contribution = models.ForeignKey(
        Contribution, on_delete=models.CASCADE, related_name="endorsements"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="endorsements"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("endorsement")
        verbose_name_plural = _("endorsements")
        constraints = [
            models.UniqueConstraint(
                fields=["contribution", "person"], name="one_endorsement_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.contribution_id}"


class Comment(models.Model):
    """A comment on a contribution, or a reply to one (one level of replies)."""

    contribution = models.ForeignKey(
        Contribution, on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments"
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("reply to"),
    )
    body = models.TextField(_("text"), max_length=COMMENT_MAX)
    status = models.CharField(
        _("status"), max_length=10, choices=Visibility.choices, default=Visibility.VISIBLE
    )
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)
    moderation_reason = models.TextField(_("moderation reason"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.body[:60]

    @property
    def consultation(self) -> object:
        return self.contribution.consultation

    @property
    def is_hidden(self) -> bool:
        return self.status == Visibility.HIDDEN


class Report(models.Model):
    """A person tells the moderators that a contribution or a comment breaks the rules."""

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports"
    )
    contribution = models.ForeignKey(
        Contribution, on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    reason = models.TextField(_("reason"), max_length=REASON_MAX)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(contribution__isnull=False, comment__isnull=True)
                | models.Q(contribution__isnull=True, comment__isnull=False),
                name="report_names_one_target",
            )
        ]

    def __str__(self) -> str:
        return self.reason[:60]

    @property
    def target(self) -> Contribution | Comment:
        return self.contribution or self.comment  # type: ignore[return-value]
