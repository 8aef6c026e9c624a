"""Who may run, review and approve a synthesis, and tag capitals (django-rules).

- ``synthesis.run``: organisers compute a consultation's opinion map or themes (admin action,
  pages, API). The server's operator runs them at the command line without a user (``by=None``).
- ``synthesis.review_themes``: organisers rename, merge, split, reject or restore themes, undo
  their last change and reopen an approved synthesis.
- ``synthesis.approve_themes``: organisers approve a themes synthesis, which makes it public.
- ``synthesis.review_capitals``: organisers, and the moderators of the contribution's
  consultation, confirm or correct its capitals.
- ``synthesis.train_capitals``: organisers train the capital classifier on confirmed tags.
- ``synthesis.suggest_capitals``: anyone signed in asks which capitals a text speaks of.
"""

from __future__ import annotations

import rules

from cityforum.participation.rules import moderates_consultation
from cityforum.people.rules import is_organiser, is_participant

rules.add_rule("synthesis.run", is_organiser)

#: Approving a themes synthesis, which makes it public: organisers only (issue 5).
rules.add_rule("synthesis.approve_themes", is_organiser)
rules.add_rule("synthesis.review_themes", is_organiser)
rules.add_rule("synthesis.review_capitals", is_organiser | moderates_consultation)
rules.add_rule("synthesis.train_capitals", is_organiser)
rules.add_rule("synthesis.suggest_capitals", is_participant)
