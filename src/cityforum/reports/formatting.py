"""Numbers, shares and dates as the reader's language writes them, and links on the site.

Call these inside ``translation.override(language)``: Django's formats follow the active
language (``1 921`` in French, ``1,921`` in English, ``1.921`` in Spanish).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.formats import date_format, number_format
from django.utils.translation import get_language


def number(value: Any) -> str:
    """A whole number with the language's grouping."""
    return str(number_format(int(value or 0), force_grouping=True))


def decimal(value: Any, places: int = 1) -> str:
    """A number with ``places`` decimals; an em dash when there is none."""
    if value is None:
        return "—"
    return str(number_format(round(float(value), places), places, force_grouping=True))


def percent(share: Any, places: int = 0) -> str:
    """``share`` (0–1) as a percentage: "45 %" in French and Spanish, "45%" in English."""
    value = (
        decimal(100 * float(share or 0), places) if places else number(round(100 * (share or 0)))
    )
    space = "" if (get_language() or "").startswith("en") else "\u00a0"
    return f"{value}{space}%"


def date_label(value: dt.date | dt.datetime | None) -> str:
    """A date in the language's own format; an em dash when there is none."""
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        value = value.date()
    return str(date_format(value, "DATE_FORMAT"))


def on_site(base_url: str, path: str) -> str:
    """``path`` on the site: absolute when the report knows the site's address."""
    if not path or not base_url or path.startswith(("http://", "https://")):
        return path
    return base_url.rstrip("/") + path
