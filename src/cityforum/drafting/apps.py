from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DraftingConfig(AppConfig):
    name = "cityforum.drafting"
    verbose_name = _("Drafting")

    def ready(self) -> None:
        from . import rules  # noqa: F401  (registers the named rules)
