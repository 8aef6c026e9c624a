"""ASGI entry point (uvicorn ``cityforum.asgi:application``)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityforum.settings.prod")
application = get_asgi_application()
