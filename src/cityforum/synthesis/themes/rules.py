"""Who may review and approve a themes synthesis (django-rules).

- ``synthesis.review_themes``: organisers rename, merge, split, reject or restore themes, undo
  their last change and reopen an approved synthesis.
- ``synthesis.approve_themes``: organisers approve a themes synthesis, which makes it public.

Computing themes is ``synthesis.run``, shared with the opinion map
(:mod:`cityforum.synthesis.rules`).
"""

from __future__ import annotations

import rules

from cityforum.people.rules import is_organiser
from cityforum.synthesis import rules as _shared  # noqa: F401  (registers synthesis.run)

#: Approving a themes synthesis, which makes it public: organisers only (issue 5).
rules.add_rule("synthesis.approve_themes", is_organiser)
rules.add_rule("synthesis.review_themes", is_organiser)
