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


#: Running the back office (the Django admin) is the organisers' job.
rules.add_perm("cityforum.run_back_office", is_organiser)
