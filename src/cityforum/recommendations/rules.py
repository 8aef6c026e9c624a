"""Who may do what with recommendations. Every rule takes ``(user, recommendation)`` (``None``
where there is none yet); services and pages call the same rules.

- ``recommendations.draft``: organisers and moderators write recommendations, promote a
  participant's contribution into one, edit, translate and link evidence.
- ``recommendations.propose``: signed-in participants propose one (a draft, theirs to edit
  while it is a draft).
- ``recommendations.edit``: organisers and moderators; the author while it is a draft.
- ``recommendations.decide``: organisers alone move a recommendation between statuses, with a
  public reason — the forum's output is theirs to answer for.
- ``recommendations.endorse``: signed-in people, while it is not withdrawn;
  ``recommendations.withdraw_endorsement``: signed-in people (their own, at any time).
"""

from __future__ import annotations

from typing import Any

import rules

from cityforum.people.rules import is_moderator, is_organiser, is_participant


@rules.predicate
def is_author(user: Any, recommendation: Any) -> bool:
    return bool(
        recommendation is not None and getattr(user, "pk", None) == recommendation.author_id
    )


@rules.predicate
def is_draft(user: Any, recommendation: Any) -> bool:
    return bool(recommendation is not None and recommendation.status == "draft")


@rules.predicate
def is_withdrawn(user: Any, recommendation: Any) -> bool:
    return bool(recommendation is not None and recommendation.status == "withdrawn")


drafter = is_organiser | is_moderator

rules.add_rule("recommendations.draft", drafter)
rules.add_rule("recommendations.propose", is_participant)
rules.add_rule("recommendations.edit", drafter | (is_participant & is_author & is_draft))
rules.add_rule("recommendations.translate", drafter)
rules.add_rule("recommendations.link_evidence", drafter)
rules.add_rule("recommendations.decide", is_organiser)
rules.add_rule("recommendations.endorse", is_participant & ~is_withdrawn)
rules.add_rule("recommendations.withdraw_endorsement", is_participant)
