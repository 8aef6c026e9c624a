"""The suite runs on the database it was asked for: SQLite, or PostgreSQL with --postgres."""

from __future__ import annotations

import pytest
from django.db import connection


@pytest.mark.django_db
def test_the_suite_runs_on_the_requested_database(request: pytest.FixtureRequest) -> None:
    expected = "postgresql" if request.config.getoption("--postgres") else "sqlite"
    assert connection.vendor == expected
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone()[0] == 1
