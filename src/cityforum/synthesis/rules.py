"""Who may run a synthesis (django-rules).

- ``synthesis.run``: organisers compute a consultation's opinion map (admin action, API).
  The server's operator runs it at the command line without a user (``by=None``).
- ``synthesis.approve_themes``: organisers approve a themes synthesis, which makes it public.
"""

from __future__ import annotations

import rules

from cityforum.people.rules import is_organiser

rules.add_rule("synthesis.run", is_organiser)

#: Approving a themes synthesis, which makes it public: organisers only (issue 5).
rules.add_rule("synthesis.approve_themes", is_organiser)
