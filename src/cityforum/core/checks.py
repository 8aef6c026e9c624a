"""System checks: misconfiguration fails early, with an id and the fix."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning, register


@register()
def database_engine_supported(app_configs: Any, **kwargs: Any) -> list[Error]:
    engine = settings.DATABASES["default"]["ENGINE"]
    supported = {"django.db.backends.sqlite3", "django.db.backends.postgresql"}
    if engine not in supported:
        return [
            Error(
                f"The database engine {engine!r} is not supported.",
                hint="Set DATABASE_URL to a sqlite:/// or postgres:// URL.",
                id="cityforum.E001",
            )
        ]
    return []


@register(deploy=True)
def secret_key_strong(app_configs: Any, **kwargs: Any) -> list[Warning]:
    if len(settings.SECRET_KEY) < 40:
        return [
            Warning(
                "SECRET_KEY is shorter than 40 characters.",
                hint=(
                    "Generate one with: "
                    "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
                ),
                id="cityforum.W001",
            )
        ]
    return []


@register(deploy=True)
def limits_shared_between_processes(app_configs: Any, **kwargs: Any) -> list[Warning]:
    """Several server processes without Redis each count their own limits: a person could
    write N times the limit by landing on N processes (``cityforum serve`` starts
    ``$WEB_CONCURRENCY`` of them, 2 by default)."""
    import os

    from cityforum.core import limits

    try:
        workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
    except ValueError:
        workers = 2
    if workers > 1 and not limits.shared():
        return [
            Warning(
                f"{workers} server processes count rate limits each on their own "
                "(no shared store): the limits are in effect multiplied.",
                hint=(
                    "Set REDIS_URL to a Redis server shared by every process and host "
                    "(docs/deploy.md), or WEB_CONCURRENCY=1 on a single machine."
                ),
                id="cityforum.W002",
            )
        ]
    return []
