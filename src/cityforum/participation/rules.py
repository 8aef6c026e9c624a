"""Who may do what with contributions: named rules composed from the people's predicates.

Every rule takes the object it is about: a consultation (contribute, enter workshop
minutes, moderate its content) or a contribution / comment (edit, endorse, comment,
report, moderate, view). One test per rule covers every role and every status.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import rules
from django.utils import timezone

from cityforum.people.rules import is_moderator, is_organiser, is_participant

#: How long an author may still edit a contribution, unless it is moderated before.
EDIT_WINDOW = timedelta(minutes=30)


def consultation_of(obj: Any) -> Any:
    """The consultation ``obj`` belongs to: itself, or that of its contribution."""
    return None if obj is None else getattr(obj, "consultation", obj)


@rules.predicate
def consultation_is_open(user: Any, obj: Any) -> bool:
    from cityforum.programme.models import Status

    consultation = consultation_of(obj)
    return bool(consultation is not None and consultation.status == Status.OPEN)


@rules.predicate
def moderates_consultation(user: Any, obj: Any) -> bool:
    """A moderator of the consultation's region; thematic consultations: any moderator."""
    consultation = consultation_of(obj)
    if consultation is None or not is_moderator(user):
        return False
    if consultation.region_id is None:
        return True
    return bool(user.moderated_regions.filter(pk=consultation.region_id).exists())


@rules.predicate
def is_author(user: Any, obj: Any) -> bool:
    return bool(obj is not None and getattr(user, "pk", None) == obj.author_id)


@rules.predicate
def is_within_edit_window(user: Any, obj: Any) -> bool:
    return bool(
        obj is not None
        and obj.moderated_at is None
        and timezone.now() - obj.created_at < EDIT_WINDOW
    )


@rules.predicate
def is_visible(user: Any, obj: Any) -> bool:
    return bool(obj is not None and not obj.is_hidden)


can_moderate = is_organiser | moderates_consultation

rules.add_perm("participation.add_contribution", is_participant & consultation_is_open)
rules.add_perm("participation.enter_workshop_minutes", can_moderate & consultation_is_open)
rules.add_perm(
    "participation.change_contribution",
    is_participant & is_author & is_within_edit_window & consultation_is_open,
)
rules.add_perm(
    "participation.endorse_contribution",
    is_participant & consultation_is_open & is_visible & ~is_author,
)
rules.add_perm(
    "participation.comment_contribution", is_participant & consultation_is_open & is_visible
)
rules.add_perm("participation.report_content", is_participant & is_visible & ~is_author)
rules.add_perm("participation.moderate", can_moderate)
rules.add_perm("participation.view_content", is_visible | is_author | can_moderate)


def may(user: Any, perm: str, obj: Any) -> bool:
    """Whether ``user`` may ``perm`` on ``obj`` by the rules above, and only by them.

    ``user.has_perm`` would also ask the back-office backend, which lets organisers do
    anything: an organiser must not contribute to a closed consultation either.
    """
    return bool(rules.has_perm(perm, user, obj))
