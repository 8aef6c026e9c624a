"""WSGI entry point (gunicorn ``cityforum.wsgi:application``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityforum.settings.prod")
application = get_wsgi_application()
