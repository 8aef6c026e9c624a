"""Who may tag contributions with capitals (django-rules).

- ``synthesis.review_capitals``: organisers, and the moderators of the contribution's
  consultation, confirm or correct its capitals.
- ``synthesis.train_capitals``: organisers train the capital classifier on confirmed tags.
- ``synthesis.suggest_capitals``: anyone signed in asks which capitals a text speaks of.
"""

from __future__ import annotations

import rules

from cityforum.participation.rules import moderates_consultation
from cityforum.people.rules import is_organiser, is_participant

rules.add_rule("synthesis.review_capitals", is_organiser | moderates_consultation)
rules.add_rule("synthesis.train_capitals", is_organiser)
rules.add_rule("synthesis.suggest_capitals", is_participant)
