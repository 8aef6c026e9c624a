"""Who may import a bundle (django-rules): organisers, and the operator at the command line."""

from __future__ import annotations

import rules

from cityforum.people.rules import is_organiser

#: Importing writes a whole forum's content: an organiser's act, never a participant's.
rules.add_perm("opendata.import_bundle", is_organiser)
