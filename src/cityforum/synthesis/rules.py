"""The permission the three parts of the synthesis share (django-rules).

- ``synthesis.run``: organisers compute a consultation's opinion map or themes (admin action,
  pages, API). The server's operator runs them at the command line without a user (``by=None``).

Each part names its own permissions in its ``rules.py``: ``themes/rules.py`` (review and
approve themes), ``capitals/rules.py`` (confirm, train and suggest capitals).
"""

from __future__ import annotations

import rules

from cityforum.people.rules import is_organiser

rules.add_rule("synthesis.run", is_organiser)
