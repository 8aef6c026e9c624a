"""Who may do what while a document is drafted and once it is adopted. Every rule takes
``(user, document)``; services and pages call the same rules.

- ``drafting.propose``, ``drafting.vote``, ``drafting.endorse``, ``drafting.comment``,
  ``drafting.opine``: signed-in people while the document's consultation is open and the
  document is being drafted.
- ``drafting.decide``, ``drafting.translate``, ``drafting.freeze``: organisers while the
  document is being drafted.
- ``drafting.cite``: organisers, at any time (where a clause comes from is not its text).
- ``drafting.moderate``: organisers and the consultation's moderators, at any time.
- ``drafting.report``: signed-in people.
- ``drafting.sign``: signed-in people once the document is frozen (the service also checks
  that they belong to a verified organisation, to say clearly why not).
"""

from __future__ import annotations

from typing import Any

import rules

from cityforum.participation.rules import moderates_consultation
from cityforum.people.rules import is_organiser, is_participant
from cityforum.programme.models import Status


@rules.predicate
def consultation_is_open(user: Any, document: Any) -> bool:
    return bool(document is not None and document.consultation.status == Status.OPEN)


@rules.predicate
def is_being_drafted(user: Any, document: Any) -> bool:
    return bool(document is not None and not document.is_frozen)


@rules.predicate
def is_frozen(user: Any, document: Any) -> bool:
    return bool(document is not None and document.is_frozen)


taking_part = is_participant & consultation_is_open & is_being_drafted

rules.add_rule("drafting.propose", taking_part)
rules.add_rule("drafting.vote", taking_part)
rules.add_rule("drafting.endorse", taking_part)
rules.add_rule("drafting.comment", taking_part)
rules.add_rule("drafting.opine", taking_part)
rules.add_rule("drafting.decide", is_organiser & is_being_drafted)
rules.add_rule("drafting.translate", is_organiser & is_being_drafted)
rules.add_rule("drafting.freeze", is_organiser & is_being_drafted)
rules.add_rule("drafting.cite", is_organiser)
rules.add_rule("drafting.moderate", is_organiser | moderates_consultation)
rules.add_rule("drafting.report", is_participant)
rules.add_rule("drafting.sign", is_participant & is_frozen)
