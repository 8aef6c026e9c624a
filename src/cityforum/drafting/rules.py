"""Who may propose, vote on, endorse and decide amendments. Every rule takes
``(user, document)``; services and pages call the same rules.

- ``drafting.propose``, ``drafting.vote``, ``drafting.endorse``: signed-in people while
  the document's consultation is open and the document is being drafted.
- ``drafting.decide``: organisers while the document is being drafted.
- ``drafting.freeze``: organisers.
"""

from __future__ import annotations

from typing import Any

import rules

from cityforum.people.rules import is_organiser, is_participant
from cityforum.programme.models import Status


@rules.predicate
def consultation_is_open(user: Any, document: Any) -> bool:
    return bool(document is not None and document.consultation.status == Status.OPEN)


@rules.predicate
def is_being_drafted(user: Any, document: Any) -> bool:
    return bool(document is not None and not document.is_frozen)


rules.add_rule("drafting.propose", is_participant & consultation_is_open & is_being_drafted)
rules.add_rule("drafting.vote", is_participant & consultation_is_open & is_being_drafted)
rules.add_rule("drafting.endorse", is_participant & consultation_is_open & is_being_drafted)
rules.add_rule("drafting.decide", is_organiser & is_being_drafted)
rules.add_rule("drafting.freeze", is_organiser & is_being_drafted)
