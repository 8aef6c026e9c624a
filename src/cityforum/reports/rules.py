"""Who may see what the reports app shows beyond the public reports (django-rules).

- ``reports.view_dashboard``: organisers see the whole dashboard; moderators see the part of
  their regions (the global thematic consultations and the regional ones they moderate).

The reports themselves are public: they only show public, approved, aggregate data.
"""

from __future__ import annotations

import rules

from cityforum.people.rules import is_moderator, is_organiser

rules.add_rule("reports.view_dashboard", is_organiser | is_moderator)
