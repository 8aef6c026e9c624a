from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SynthesisConfig(AppConfig):
    name = "cityforum.synthesis"
    verbose_name = _("Synthesis")

    def ready(self) -> None:
        # The live opinion map listens to votes and Pol.is imports (issue 16).
        from cityforum.statements.signals import polis_imported, vote_cast

        from .opinion.live import note_vote, remember_polis_import

        vote_cast.connect(note_vote, dispatch_uid="live-opinion-map")
        polis_imported.connect(remember_polis_import, dispatch_uid="live-opinion-map-polis")
