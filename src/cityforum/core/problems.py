"""The shape of every error the API answers: RFC 9457 problem details
(``application/problem+json``).

Kept in ``core`` because answers other than the API's endpoints must speak it too: the
404 and 500 handlers under ``/api/`` (``core/views.py``), the 503 when the database is away
(``core/unavailable.py``) and the 429 of the write limits (``people/throttle.py``). The API
(``api/problems.py``) builds its exception handlers and schema on it; the bottom layer never
imports the API.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "/api/v1/problems/"


def problem(
    status: int, title: str, detail: str = "", kind: str = "", **extra: Any
) -> HttpResponse:
    """A problem+json response: ``{"type", "title", "status", "detail"}`` plus ``extra``
    members; ``kind`` names the problem's type (its status when empty)."""
    body = {
        "type": PROBLEM_TYPE_BASE + (kind or str(status)),
        "title": title,
        "status": status,
        "detail": detail or title,
        **extra,
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=PROBLEM_CONTENT_TYPE
    )
