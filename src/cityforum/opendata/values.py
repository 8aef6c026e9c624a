"""Values to and from the bundle's two formats, one rule per Table Schema type.

Writing: :func:`to_json` gives the JSON value, :func:`to_cell` the CSV cell. Reading:
:func:`from_cell` and :func:`from_json` give the same Python value back or raise
:class:`BadValue`, so that a CSV file and its JSON twin can be compared value by value.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from .schema import ARRAY, BOOLEAN, DATE, DATETIME, INTEGER, NUMBER, OBJECT, STRING

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
_INTEGER = re.compile(r"^-?\d+$")


class BadValue(ValueError):
    """A value that does not have its field's type; the message says what was expected."""


def datetime_text(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_datetime(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)


def compact_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def to_json(kind: str, value: Any) -> Any:
    """The JSON value of a Python value of the field's type (``None`` stays null)."""
    if kind == STRING:
        return "" if value is None else str(value)
    if value is None:
        return None
    if kind == INTEGER:
        return int(value)
    if kind == NUMBER:
        number = float(value)
        return number if math.isfinite(number) else None
    if kind == BOOLEAN:
        return bool(value)
    if kind == DATE:
        return value.isoformat()
    if kind == DATETIME:
        return datetime_text(value)
    return value  # object, array: already JSON-shaped


def to_cell(kind: str, value: Any) -> str:
    """The CSV cell of a Python value: empty for null."""
    if value is None:
        return ""
    if kind == STRING:
        return str(value)
    if kind == NUMBER:
        if isinstance(value, Decimal):
            return str(value)
        number = float(value)
        return repr(number) if math.isfinite(number) else ""
    if kind == BOOLEAN:
        return "true" if value else "false"
    if kind == INTEGER:
        return str(int(value))
    if kind == DATE:
        return value.isoformat()
    if kind == DATETIME:
        return datetime_text(value) or ""
    return compact_json(value)


def from_cell(kind: str, cell: str) -> Any:
    """The value of a CSV cell; :class:`BadValue` when it is not of the type."""
    if kind == STRING:
        return cell
    if cell == "":
        return None
    if kind == INTEGER:
        if not _INTEGER.match(cell):
            raise BadValue(_("“%(value)s” is not a whole number") % {"value": _short(cell)})
        return int(cell)
    if kind == NUMBER:
        try:
            number = float(cell)
        except ValueError:
            raise BadValue(_("“%(value)s” is not a number") % {"value": _short(cell)}) from None
        if not math.isfinite(number):
            raise BadValue(_("“%(value)s” is not a number") % {"value": _short(cell)})
        return number
    if kind == BOOLEAN:
        if cell not in ("true", "false"):
            raise BadValue(_("“%(value)s” is not true or false") % {"value": _short(cell)})
        return cell == "true"
    if kind == DATE:
        return _date(cell)
    if kind == DATETIME:
        return _datetime(cell)
    try:
        value = json.loads(cell)
    except json.JSONDecodeError:
        raise BadValue(_("“%(value)s” is not JSON") % {"value": _short(cell)}) from None
    return _structured(kind, value)


def from_json(kind: str, value: Any) -> Any:
    """The value of a JSON value, checked against the type the same way."""
    if kind == STRING:
        if not isinstance(value, str):
            raise BadValue(_("%(value)s is not text") % {"value": _short(repr(value))})
        return value
    if value is None:
        return None
    if kind == INTEGER:
        if isinstance(value, bool) or not isinstance(value, int):
            raise BadValue(_("“%(value)s” is not a whole number") % {"value": _short(repr(value))})
        return value
    if kind == NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise BadValue(_("“%(value)s” is not a number") % {"value": _short(repr(value))})
        return float(value)
    if kind == BOOLEAN:
        if not isinstance(value, bool):
            raise BadValue(_("“%(value)s” is not true or false") % {"value": _short(repr(value))})
        return value
    if kind in (DATE, DATETIME):
        if not isinstance(value, str):
            raise BadValue(_("%(value)s is not text") % {"value": _short(repr(value))})
        return _date(value) if kind == DATE else _datetime(value)
    return _structured(kind, value)


def _date(text: str) -> dt.date:
    try:
        if not _DATE.match(text):
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BadValue(
            _("“%(value)s” is not a date (YYYY-MM-DD)") % {"value": _short(text)}
        ) from None


def _datetime(text: str) -> dt.datetime:
    try:
        if not _DATETIME.match(text):
            raise ValueError
        return parse_datetime(text)
    except ValueError:
        raise BadValue(
            _("“%(value)s” is not a UTC date and time (YYYY-MM-DDTHH:MM:SSZ)")
            % {"value": _short(text)}
        ) from None


def _structured(kind: str, value: Any) -> Any:
    if kind == OBJECT and not isinstance(value, dict):
        raise BadValue(_("%(value)s is not a JSON object") % {"value": _short(repr(value))})
    if kind == ARRAY and not isinstance(value, list):
        raise BadValue(_("%(value)s is not a JSON array") % {"value": _short(repr(value))})
    return value


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
