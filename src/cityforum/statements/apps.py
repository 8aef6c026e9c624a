from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatementsConfig(AppConfig):
    name = "cityforum.statements"
    verbose_name = _("Statements and votes")
