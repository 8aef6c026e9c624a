"""Only the statements run through ``prepared_cursor`` are prepared on PostgreSQL; Django's own
queries keep client-side binding, and the switch in the settings turns preparing off."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.utils import DatabaseError

from cityforum.core.prepared import prepared_cursor
from cityforum.people.models import User
from cityforum.settings import base

PREPARED = "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s"


def _prepared(marker: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(PREPARED, [f"%{marker}%"])
        return int(cursor.fetchone()[0])


@pytest.fixture
def preparing_off() -> Iterator[None]:
    options = connection.settings_dict["OPTIONS"]
    saved = dict(options)
    options["prepare_threshold"] = None
    yield
    options.clear()
    options.update(saved)


def test_the_settings_prepare_by_default_and_the_switch_turns_it_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://forum:pw@db.example:5432/cityforum")
    monkeypatch.delenv("DATABASE_PREPARED_STATEMENTS", raising=False)
    assert base.database_from_environment()["OPTIONS"] == {"prepare_threshold": 0}
    monkeypatch.setenv("DATABASE_PREPARED_STATEMENTS", "0")
    assert base.database_from_environment()["OPTIONS"] == {"prepare_threshold": None}
    monkeypatch.setenv("DATABASE_PREPARED_STATEMENTS", "sometimes")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_PREPARED_STATEMENTS"):
        base.database_from_environment()


def test_sqlite_urls_get_no_postgresql_option(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlite:///tmp/x.sqlite3")
    assert "prepare_threshold" not in base.database_from_environment()["OPTIONS"]


@pytest.mark.django_db
def test_a_prepared_cursor_answers_like_any_cursor() -> None:
    User.objects.create_user("prepared@example.org", None)
    with prepared_cursor() as cursor:
        cursor.execute("SELECT email FROM people_user WHERE email = %s", ["prepared@example.org"])
        assert cursor.fetchone() == ("prepared@example.org",)
        cursor.execute("SELECT email FROM people_user WHERE email = %s", ["nobody@example.org"])
        assert cursor.fetchone() is None


@pytest.mark.django_db
def test_errors_are_djangos_errors() -> None:
    with pytest.raises(DatabaseError) as error, prepared_cursor() as cursor:
        cursor.execute("SELECT no_such_column FROM people_user WHERE id = %s", [1])
    assert type(error.value).__module__ == "django.db.utils"  # not the driver's own class


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_postgresql_prepares_the_statement_once_and_reuses_it() -> None:
    query = "SELECT count(*) /* prepared-test */ FROM people_user WHERE id > %s"
    for n in range(3):
        with prepared_cursor() as cursor:
            cursor.execute(query, [n])
            assert cursor.fetchone() == (0,)
    assert _prepared("prepared-test") == 1


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_djangos_own_queries_are_never_prepared() -> None:
    for n in range(3):
        list(User.objects.filter(email=f"orm-{n}@example.org").values_list("id"))
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) /* plain-test */ FROM people_user WHERE id > %s", [n])
    assert _prepared("people_user") == 0


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_with_preparing_off_nothing_is_prepared(preparing_off: None) -> None:
    for n in range(3):
        with prepared_cursor() as cursor:
            cursor.execute("SELECT count(*) /* off-test */ FROM people_user WHERE id > %s", [n])
    assert _prepared("off-test") == 0
