"""Every change to people goes through here: validation, transaction, one behaviour.

Pages, the API, the admin and the CLI call these functions and nothing else, so a rule
(who may verify an organisation, what a valid profile is) holds everywhere alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from cityforum.cities.models import City, Country
from cityforum.core.audit import record
from cityforum.core.languages import clean_language
from cityforum.programme.models import Region

from .models import ApiToken, Organisation, Role, User

#: How long the link of a verification e-mail works.
VERIFICATION_MAX_AGE = timedelta(days=3)
_VERIFICATION_SALT = "cityforum.people.verify-email"
MAX_DISPLAY_NAME = 100
MAX_ORGANISATION_NAME = 200
MAX_ORGANISATION_ROLE = 100


@transaction.atomic
def create_user(
    email: str, password: str, role: str = Role.PARTICIPANT, regions: Iterable[str] = ()
) -> User:
    """Create a person with a role; moderators may be given the regions they moderate.

    Raises ``ValidationError`` with a readable message and writes nothing on bad input.
    """
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        message = _("“%(email)s” is not a valid e-mail address.") % {"email": email}
        raise ValidationError(message) from None
    if role not in Role.values:
        raise ValidationError(
            _("Unknown role “%(role)s”; choose one of: %(roles)s.")
            % {"role": role, "roles": ", ".join(Role.values)}
        )
    if User.objects.filter(email=email).exists():
        raise ValidationError(
            _("A user with the e-mail %(email)s already exists.") % {"email": email}
        )
    region_codes = list(regions)
    if region_codes and role != Role.MODERATOR:
        raise ValidationError(_("Only moderators are given regions."))
    found = {r.code: r for r in Region.objects.filter(code__in=region_codes)}
    missing = [code for code in region_codes if code not in found]
    if missing:
        raise ValidationError(
            _("Unknown region code(s): %(codes)s.") % {"codes": ", ".join(missing)}
        )
    user = User(email=email, role=role, email_verified_at=timezone.now())
    validate_password(password, user)
    user.set_password(password)
    user.save()
    if found:
        user.moderated_regions.set(found.values())
    return user


@transaction.atomic
def issue_token(email: str) -> str:
    """A new API token for the person with this e-mail (the clear token, shown once)."""
    try:
        user = User.objects.get(email=(email or "").strip().lower())
    except User.DoesNotExist:
        raise ValidationError(_("No user has the e-mail %(email)s.") % {"email": email}) from None
    _record, token = ApiToken.issue(user)
    return token


def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            _("“%(email)s” is not a valid e-mail address.") % {"email": email}, code="email"
        ) from None
    return email


def _clean_language(language: str) -> str:
    return clean_language(language, [code for code, _name in settings.LANGUAGES])


def _clean_text(value: str, limit: int, too_long: str) -> str:
    """Spaces collapsed; ``too_long`` (with ``%(n)d``) when longer than ``limit``."""
    value = " ".join((value or "").split())
    if len(value) > limit:
        raise ValidationError(too_long % {"n": limit}, code="too_long")
    return value


# --- Sign-up and e-mail verification -------------------------------------------------


@transaction.atomic
def _create_account(
    email: str, password: str, display_name: str, language: str, consent: bool
) -> User:
    if not consent:
        raise ValidationError(
            _("Please accept what the forum makes public to create an account."), code="consent"
        )
    email = _clean_email(email)
    display_name = _clean_text(
        display_name, MAX_DISPLAY_NAME, _("The display name has at most %(n)d characters.")
    )
    language = _clean_language(language)
    if User.objects.filter(email=email).exists():
        raise ValidationError(
            _("An account with this e-mail address already exists. Sign in or reset the password."),
            code="duplicate",
        )
    user = User(
        email=email,
        display_name=display_name,
        preferred_language=language,
        role=Role.PARTICIPANT,
        consented_at=timezone.now(),
    )
    validate_password(password, user)
    user.set_password(password)
    user.save()
    return user


def sign_up(
    email: str,
    password: str,
    *,
    consent: bool,
    link_for: Callable[[str], str],
    display_name: str = "",
    language: str = "fr",
) -> User:
    """Create a participant's account and send the e-mail that verifies its address.

    ``consent`` is the person's acceptance of what is public (display name,
    organisation, contributions) and what is not (e-mail, individual votes);
    ``link_for(token)`` makes the absolute verification link. Raises ``ValidationError``
    (duplicate e-mail, weak password, no consent…) and writes nothing on bad input.
    """
    user = _create_account(email, password, display_name, language, consent)
    send_verification_email(user, link_for)
    return user


def verification_token(user: User) -> str:
    """A signed, timestamped token naming the account and the address being verified."""
    return signing.dumps({"user": user.pk, "email": user.email}, salt=_VERIFICATION_SALT)


def send_verification_email(user: User, link_for: Callable[[str], str]) -> None:
    context = {"user": user, "link": link_for(verification_token(user))}
    subject = render_to_string("people/verification_subject.txt", context).strip()
    body = render_to_string("people/verification_email.txt", context)
    send_mail(subject, body, None, [user.email])


@transaction.atomic
def verify_email(token: str) -> User:
    """Mark the address of the link's account as verified; the link works more than once."""
    try:
        data = signing.loads(
            token, salt=_VERIFICATION_SALT, max_age=VERIFICATION_MAX_AGE.total_seconds()
        )
    except signing.SignatureExpired:
        raise ValidationError(
            _("This verification link has expired. Sign in and ask for a new one."),
            code="expired",
        ) from None
    except signing.BadSignature:
        raise ValidationError(
            _("This verification link is not valid. Copy the whole link from the e-mail."),
            code="invalid",
        ) from None
    user = User.objects.select_for_update().filter(pk=data.get("user")).first()
    if user is None or user.email != data.get("email"):
        raise ValidationError(
            _("This verification link is for an address the account no longer has."),
            code="invalid",
        )
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
    return user


# --- Profile and organisations -------------------------------------------------------


@transaction.atomic
def update_profile(
    user: User,
    *,
    display_name: str,
    preferred_language: str,
    city: City | None,
    organisation: Organisation | None,
    organisation_role: str = "",
) -> User:
    """Change what a person says about themselves; the e-mail and role are not changed here."""
    display_name = _clean_text(
        display_name, MAX_DISPLAY_NAME, _("The display name has at most %(n)d characters.")
    )
    preferred_language = _clean_language(preferred_language)
    organisation_role = _clean_text(
        organisation_role,
        MAX_ORGANISATION_ROLE,
        _("The role in the organisation has at most %(n)d characters."),
    )
    if organisation_role and organisation is None:
        raise ValidationError(
            _("Choose an organisation to give your role in it."), code="organisation_role"
        )
    user.display_name = display_name
    user.preferred_language = preferred_language
    user.city = city
    user.organisation = organisation
    user.organisation_role = organisation_role
    user.save(
        update_fields=[
            "display_name",
            "preferred_language",
            "city",
            "organisation",
            "organisation_role",
        ]
    )
    return user


@transaction.atomic
def create_organisation(
    *, name: str, kind: str, country: Country | None, city: City | None = None, by: Any = None
) -> Organisation:
    """Add an organisation (not verified until an organiser says so)."""
    name = _clean_text(
        name, MAX_ORGANISATION_NAME, _("The name of an organisation has at most %(n)d characters.")
    )
    if not name:
        raise ValidationError(_("Give the name of the organisation."), code="name")
    if kind not in Organisation.Kind.values:
        raise ValidationError(
            _("Unknown type of organisation “%(kind)s”; choose one of: %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(Organisation.Kind.values)},
            code="kind",
        )
    if country is None:
        raise ValidationError(_("Choose the country of the organisation."), code="country")
    if city is not None and city.country_id != country.pk:
        raise ValidationError(
            _("%(city)s is not in %(country)s.") % {"city": city.name, "country": country.name},
            code="city",
        )
    if Organisation.objects.filter(name__iexact=name, country=country).exists():
        raise ValidationError(
            _("“%(name)s” already exists in %(country)s: choose it from the list.")
            % {"name": name, "country": country.name},
            code="duplicate",
        )
    organisation = Organisation.objects.create(name=name, kind=kind, country=country, city=city)
    record("organisation.create", organisation, actor=by)
    return organisation


@transaction.atomic
def verify_organisation(
    organisation: Organisation, *, by: Any, verified: bool = True, reason: str = ""
) -> Organisation:
    """An organiser vouches for (or withdraws trust from) an organisation; it is audited."""
    if not (by and by.has_perm("people.verify_organisation", organisation)):
        raise PermissionDenied(_("Only organisers may verify organisations."))
    locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if locked.verified != verified:
        locked.verified = verified
        locked.save(update_fields=["verified"])
        record(
            "organisation.verify" if verified else "organisation.unverify",
            locked,
            actor=by,
            reason=reason,
        )
    organisation.verified = verified
    return locked


# --- API tokens ----------------------------------------------------------------------


@transaction.atomic
def issue_api_token(user: User) -> tuple[ApiToken, str]:
    """A new token for a signed-in person; the clear token is returned once, never stored."""
    if not user.is_active:
        raise PermissionDenied(_("This account is disabled."))
    return ApiToken.issue(user)


@transaction.atomic
def revoke_api_token(token: ApiToken, *, by: Any) -> None:
    if not (by and by.has_perm("people.revoke_token", token)):
        raise PermissionDenied(_("You may only revoke your own tokens."))
    token.delete()
