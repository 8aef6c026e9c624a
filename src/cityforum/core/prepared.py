"""Server-side prepared statements on PostgreSQL, for the few statements hot enough to need one.

Why: Django binds parameters on the client and never prepares (so that connection poolers
work), so PostgreSQL parses and plans every statement again. For the vote write, a
five-table ``INSERT … SELECT … ON CONFLICT`` with its history CTE, that planning costs the
database three times the execution: measured on the bench machine, 600 µs of backend CPU
per vote unprepared against 180 µs prepared (``docs/votes.md``). Only the cursors made
here bind on the server; every other query keeps Django's client-side binding.

``DATABASE_PREPARED_STATEMENTS=0`` turns it off (a transaction-mode pooler older than
PgBouncer 1.21 cannot keep a prepared statement between transactions); the statements then
run unprepared through Django's own cursor. The switch is the database's
``OPTIONS["prepare_threshold"]`` (``settings/base.py``): 0 prepares at first use, ``None``
never (Django's default).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from django.db import connection as default_connection


@contextlib.contextmanager
def prepared_cursor(db: Any = default_connection) -> Iterator[Any]:
    """A Django cursor whose statements PostgreSQL prepares once per connection.

    It is Django's own wrapper (errors become :class:`django.db.DatabaseError`, queries are
    logged when Django logs them) around a server-binding psycopg cursor. On SQLite, or with
    prepared statements off, it is simply ``db.cursor()``.
    """
    if db.vendor != "postgresql" or db.settings_dict["OPTIONS"].get("prepare_threshold") is None:
        with db.cursor() as cursor:
            yield cursor
        return
    from django.db.backends.postgresql.base import ServerBindingCursor  # noqa: PLC0415

    db.ensure_connection()
    db.validate_thread_sharing()
    with db.wrap_database_errors:
        raw = ServerBindingCursor(db.connection)
    cursor = db.make_debug_cursor(raw) if db.queries_logged else db.make_cursor(raw)
    with cursor:
        yield cursor
