"""The back office's permissions follow the organiser role, not per-model grants.

Organisers run the forum: they may view and edit every model in the admin. Giving them
Django's per-model permissions one by one would drift from the role; this backend
answers from the named rule instead, so the admin, the API and the pages agree.

A permission that is itself a named rule (``rules.add_perm``) is never answered here:
the rule alone decides, so an organiser may not, say, contribute to a closed
consultation just because they run the back office.
"""

from __future__ import annotations

from typing import Any

import rules
from django.contrib.auth.backends import BaseBackend

from .rules import is_organiser


class OrganiserBackend(BaseBackend):
    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        if rules.perm_exists(perm):
            return False  # the named rule decides, through rules' own backend
        return bool(is_organiser(user_obj))

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return bool(is_organiser(user_obj))
