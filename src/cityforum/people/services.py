"""Every change to people goes through here: validation, transaction, one behaviour."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from cityforum.programme.models import Region

from .models import ApiToken, Role, User


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
    user = User(email=email, role=role)
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
