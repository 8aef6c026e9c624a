"""The synthesis' pages: those of its three parts, under one namespace (``synthesis:…``).

Each part lists its own pages; the names and paths are those the templates and tests reverse.
The paths with a fixed first segment (``themes/…``, ``capitals/…``) come before those that
start with a consultation's slug, as they always did.
"""

from django.urls import include, path

from .capitals import urls as capitals
from .opinion import live_urls as live
from .opinion import urls as opinion
from .themes import urls as themes

app_name = "synthesis"

urlpatterns = [
    path("", include(themes)),
    path("", include(capitals)),
    path("", include(opinion)),
    path("", include(live)),
]
