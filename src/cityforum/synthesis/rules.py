"""Who may run a synthesis (django-rules).

- ``synthesis.run``: organisers compute a consultation's opinion map (admin action, API).
  The server's operator runs it at the command line without a user (``by=None``).
"""

from __future__ import annotations

import rules

from cityforum.people.rules import is_organiser

rules.add_rule("synthesis.run", is_organiser)
