"""Starting Django from the command line, only for the commands that need it.

Commands that only analyse files (``cityforum analyse``) must not pay for Django's
start-up, so nothing here runs at import time.
"""

from __future__ import annotations

import os

DEFAULT_SETTINGS = "cityforum.settings.prod"


def setup_django(settings_module: str | None = None) -> None:
    """Configure and start Django; a fresh clone gets a generated key under ``var/``."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module or DEFAULT_SETTINGS)
    if not os.environ.get("SECRET_KEY"):
        from cityforum.settings.paths import local_secret_key

        os.environ["SECRET_KEY"] = local_secret_key()
    import django
    from django.utils import translation

    django.setup()
    translation.activate(cli_language())


def cli_language() -> str:
    """The terminal's language (LANGUAGE, LC_ALL, LANG) if the forum speaks it; else English."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        code = value.split(":")[0].split("_")[0].split(".")[0].lower()
        if code in {"fr", "en", "es"}:
            return code
    return "en"
