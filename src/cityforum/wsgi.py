"""WSGI entry point (gunicorn ``cityforum.wsgi:application``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityforum.settings.prod")
application = get_wsgi_application()

# The common vote write is answered in front of Django (cityforum.statements.fastvote).
from cityforum.statements.fastvote import FastVotes  # noqa: E402 - needs Django set up

application = FastVotes(application)
