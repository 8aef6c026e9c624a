"""Development: DEBUG on, a throw-away secret key kept under var/, e-mail to the console."""

from __future__ import annotations

import os

from .base import *  # noqa: F403
from .base import env_bool, local_secret_key

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY") or local_secret_key()
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
