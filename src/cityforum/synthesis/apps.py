from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SynthesisConfig(AppConfig):
    """One Django app (label ``synthesis``: one migrations folder, the same tables) in three
    parts: ``opinion`` (the opinion map), ``themes`` (themes, trends, specificities and their
    review) and ``capitals`` (capital tags). See ``docs/architecture.md``."""

    name = "cityforum.synthesis"
    verbose_name = _("Synthesis")

    def ready(self) -> None:
        # The named permissions of the three parts, and the background jobs (which register
        # themselves with ``queue``): known to every process once Django is set up.
        # The live opinion map listens to votes and Pol.is imports (issue 16).
        from cityforum.statements.signals import polis_imported, vote_cast

        from . import jobs  # noqa: F401
        from .capitals import rules as _capitals_rules  # noqa: F401
        from .opinion import rules as _opinion_rules  # noqa: F401
        from .opinion.live import note_vote, remember_polis_import
        from .themes import rules as _themes_rules  # noqa: F401

        vote_cast.connect(note_vote, dispatch_uid="live-opinion-map")
        polis_imported.connect(remember_polis_import, dispatch_uid="live-opinion-map-polis")
