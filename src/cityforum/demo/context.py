"""Template context for the demo banner: ``demo_mode`` is true only on a demonstration forum
(``CITYFORUM_DEMO=1``, set by ``cityforum demo``), so a real forum never shows it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def demo(request: HttpRequest) -> dict[str, Any]:
    return {"demo_mode": bool(getattr(settings, "CITYFORUM_DEMO", False))}
