"""Named rules about people's roles (django-rules predicates).

Each app adds its own rules on top of these; one test per rule covers every role.
"""

from __future__ import annotations

from typing import Any

import rules

from .models import Role


@rules.predicate
def is_organiser(user: Any) -> bool:
    return bool(user and user.is_active and getattr(user, "role", None) == Role.ORGANISER)


@rules.predicate
def is_moderator(user: Any) -> bool:
    return bool(user and user.is_active and getattr(user, "role", None) == Role.MODERATOR)


@rules.predicate
def is_participant(user: Any) -> bool:
    return bool(user and user.is_active and user.is_authenticated)


@rules.predicate
def is_self(user: Any, person: Any) -> bool:
    return bool(person is not None and user and person.pk == getattr(user, "pk", None))


@rules.predicate
def owns_token(user: Any, token: Any) -> bool:
    return bool(token is not None and user and token.user_id == getattr(user, "pk", None))


#: Running the back office (the Django admin) is the organisers' job.
rules.add_perm("cityforum.run_back_office", is_organiser)

#: Vouching that an organisation is who it says it is: organisers only.
rules.add_perm("people.verify_organisation", is_organiser)

#: A person revokes their own API tokens; organisers may revoke anyone's.
rules.add_perm("people.revoke_token", is_participant & (owns_token | is_organiser))

#: A person downloads their own data, and erases their own account; nobody does it for them.
rules.add_perm("people.download_data", is_participant & is_self)
rules.add_perm("people.erase_account", is_participant & is_self)
