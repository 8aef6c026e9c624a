"""Whole numbers the databases can hold.

Every id and count of the forum is a 64-bit integer in PostgreSQL and SQLite. A larger number
typed in an address or a form is not an id of anything; it must be refused (or found to match
nothing) before it reaches the database, where SQLite's driver raises ``OverflowError`` and
PostgreSQL a "value out of range" error — both would be a server error, not the person's
mistake. Django guards its own integer lookups (``exact``, ``gt``…) but not ``in`` nor the
``_id`` of a foreign key, so the code that reads such numbers checks them here.
"""

from __future__ import annotations

#: The range of a 64-bit signed integer (SQLite INTEGER, PostgreSQL bigint).
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


def fits_int64(value: int) -> bool:
    """Whether ``value`` can be stored in, or compared by, either database."""
    return INT64_MIN <= value <= INT64_MAX


def parse_id(text: str) -> int | None:
    """The positive whole number ``text`` spells (spaces around allowed), or ``None`` when it
    is not one or is too large to be the id of anything."""
    text = text.strip()
    if not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if 0 < value <= INT64_MAX else None


def out_of_range(exc: BaseException) -> bool:
    """Whether ``exc`` is a database driver refusing a number too large for its columns: the
    last guard, for a number no code checked before (the API answers it as invalid input)."""
    from django.db import DataError

    if isinstance(exc, OverflowError):
        return True
    # PostgreSQL: SQLSTATE 22003 numeric_value_out_of_range
    cause = exc.__cause__ if isinstance(exc, DataError) else None
    return getattr(cause, "sqlstate", None) == "22003"
