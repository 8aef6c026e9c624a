"""People who take part, and the role each one holds on the platform.

The participation issue adds profiles and organisations; the foundation lays the user
model (switching user models later is painful in Django), the roles and API tokens.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Roles on the platform. "Public" is everyone who is not signed in."""

    PARTICIPANT = "participant", _("participant")
    MODERATOR = "moderator", _("moderator")
    ORGANISER = "organiser", _("organiser")


class Organisation(models.Model):
    """A body people take part for: a local government, a network, a partner, civil society…

    Its ``kind`` is the constituency counts are broken down by, so the forum can see
    whether local governments and civil society agree. Organisers set ``verified``.
    """

    class Kind(models.TextChoices):
        LOCAL_GOVERNMENT = "local_government", _("local government")
        NETWORK = "network", _("network or section")
        PARTNER = "partner", _("partner")
        CIVIL_SOCIETY = "civil_society", _("civil society")
        ACADEMIA = "academia", _("academia")
        PRIVATE_SECTOR = "private_sector", _("private sector")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    country = models.ForeignKey(
        "cities.Country",
        on_delete=models.PROTECT,
        related_name="organisations",
        verbose_name=_("country"),
        null=True,
        blank=True,
    )
    city = models.ForeignKey(
        "cities.City",
        on_delete=models.PROTECT,
        related_name="organisations",
        verbose_name=_("city"),
        null=True,
        blank=True,
    )
    verified = models.BooleanField(_("verified"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "country"], name="organisation_name_per_country"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def region(self) -> Any:
        """The world section the organisation belongs to, through its country."""
        return self.country.section if self.country_id else None


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("role", Role.ORGANISER)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A person signed in with an e-mail address; the e-mail is the login."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)
    role = models.CharField(
        _("role"), max_length=20, choices=Role.choices, default=Role.PARTICIPANT
    )
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=2,
        choices=[("fr", "Français"), ("en", "English"), ("es", "Español")],
        default="fr",
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("organisation"),
    )
    organisation_role = models.CharField(_("role in the organisation"), max_length=100, blank=True)
    city = models.ForeignKey(
        "cities.City",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("city"),
    )
    email_verified_at = models.DateTimeField(_("e-mail verified at"), null=True, blank=True)
    consented_at = models.DateTimeField(
        _("consent given at"),
        null=True,
        blank=True,
        help_text=_("When the person accepted, at sign-up, what the forum makes public."),
    )
    erased_at = models.DateTimeField(
        _("erased at"),
        null=True,
        blank=True,
        help_text=_(
            "When the person erased their account: nothing personal is left, and what they "
            "kept public reads “former participant”."
        ),
    )
    moderated_regions = models.ManyToManyField(
        "programme.Region",
        verbose_name=_("moderated regions"),
        blank=True,
        related_name="moderators",
        help_text=_("For moderators: the regions whose consultations they moderate."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.email

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def public_name(self) -> str:
        """What others see: the display name, never the e-mail address."""
        if self.erased_at is not None:
            return str(_("Former participant"))
        return self.display_name or _("Participant %(n)s") % {"n": self.pk}

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Organisers run the back office; everybody else never enters the admin.
        self.is_staff = self.role == Role.ORGANISER or self.is_superuser
        super().save(*args, **kwargs)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored: a leaked table leaks no token."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    key_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    prefix = models.CharField(_("token prefix"), max_length=8)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @classmethod
    def issue(cls, user: User) -> tuple[ApiToken, str]:
        """Create a token for ``user``; the clear token is returned once and never stored."""
        token = "cf_" + secrets.token_urlsafe(32)
        record = cls.objects.create(user=user, key_hash=hash_token(token), prefix=token[:8])
        return record, token
