"""Who may add, moderate and vote on statements, and run a consultation's vote.

Named rules (django-rules ``add_rule``, tested with ``rules.test_rule``): they are rules
rather than model permissions because the organisers' back-office backend grants every
permission, and an organiser must not vote on a closed consultation either. Every rule
takes ``(user, consultation)``; services, pages and the API call the same rules.

- ``statements.add``: organisers and the consultation's moderators while it is planned or
  open (their statements are accepted at once); participants while it is open (theirs wait
  for moderation).
- ``statements.moderate``: organisers everywhere, moderators of the consultation's region
  (the ``world`` region for thematic consultations), while planned, open or closed.
- ``statements.vote``: while open, signed-in people; anonymous people too where the
  organiser allows anonymous voting on the consultation.
- ``statements.run``: organisers (open and close consultations, import, export votes).
"""

from __future__ import annotations

from typing import Any

import rules

from cityforum.people.rules import is_moderator, is_organiser, is_participant
from cityforum.programme.models import Status

WORLD_REGION = "world"


@rules.predicate
def is_open(user: Any, consultation: Any) -> bool:
    return bool(consultation is not None and consultation.status == Status.OPEN)


@rules.predicate
def is_being_prepared_or_open(user: Any, consultation: Any) -> bool:
    return bool(consultation is not None and consultation.status in (Status.PLANNED, Status.OPEN))


@rules.predicate
def is_before_synthesis(user: Any, consultation: Any) -> bool:
    return bool(
        consultation is not None
        and consultation.status in (Status.PLANNED, Status.OPEN, Status.CLOSED)
    )


@rules.predicate
def moderates_its_region(user: Any, consultation: Any) -> bool:
    if consultation is None or not is_moderator(user):
        return False
    if consultation.region_id is None:
        return user.moderated_regions.filter(code=WORLD_REGION).exists()
    return user.moderated_regions.filter(pk=consultation.region_id).exists()


@rules.predicate
def allows_anonymous_voting(user: Any, consultation: Any) -> bool:
    from .models import VotingSettings

    return (
        consultation is not None
        and VotingSettings.objects.filter(consultation=consultation, allow_anonymous=True).exists()
    )


may_moderate = is_organiser | moderates_its_region

rules.add_rule(
    "statements.add",
    is_being_prepared_or_open & may_moderate | is_open & is_participant,
)
rules.add_rule("statements.accepted_at_once", may_moderate)
rules.add_rule("statements.moderate", is_before_synthesis & may_moderate)
rules.add_rule("statements.vote", is_open & (is_participant | allows_anonymous_voting))
rules.add_rule("statements.run", is_organiser)
