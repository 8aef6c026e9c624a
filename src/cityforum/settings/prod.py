"""Production: everything from the environment, nothing assumed, hardened by default.

``make run`` uses these settings too (with a key generated under var/ when
``SECRET_KEY`` is unset, and, when serving on loopback, without the HTTPS redirect and the
``Secure`` cookie flag, which plain HTTP on 127.0.0.1 could not honour), so what a
newcomer sees is what production serves. With only ``SECRET_KEY`` and ``ALLOWED_HOSTS``
set, ``cityforum manage check --deploy`` reports no issue (``tests/core/
test_security_settings.py``); ``docs/security.md`` explains each setting.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DEBUG, SECRET_KEY, env_bool

if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Set it in the environment, e.g. "
        "SECRET_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )
if DEBUG:
    raise ImproperlyConfigured(
        "DEBUG must be off in production settings; use cityforum.settings.dev."
    )

# Cookies travel over HTTPS only, and scripts never read the session cookie.
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE

# HTTPS everywhere: plain HTTP is redirected, and browsers are told (HSTS, one year) never
# to try plain HTTP again, subdomains included. The TLS proxy in front says which scheme
# the visitor used in X-Forwarded-Proto.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
try:
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
except ValueError:
    raise ImproperlyConfigured("SECURE_HSTS_SECONDS must be a whole number of seconds.") from None
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
