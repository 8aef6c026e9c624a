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
        from . import jobs  # noqa: F401
        from .capitals import rules as _capitals_rules  # noqa: F401
        from .opinion import rules as _opinion_rules  # noqa: F401
        from .themes import rules as _themes_rules  # noqa: F401
