"""Who may change the indicator framework and record assessments (django-rules)."""

from __future__ import annotations

import rules

from cityforum.people.rules import is_moderator, is_organiser

#: Goalposts, names and guidance of the framework are the organisers' to edit.
rules.add_perm("assessments.change_indicator", is_organiser)

#: Organisers and moderators record assessments of cities, projects and agendas.
rules.add_perm("assessments.create_assessment", is_organiser | is_moderator)

#: Importing indicator values from a CSV file is recording assessments in bulk.
rules.add_perm("assessments.import_values", is_organiser | is_moderator)
