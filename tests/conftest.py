"""Shared fixtures. ``pytest --postgres`` runs the database tests on a real PostgreSQL server.

The server is started from the system binaries by :mod:`cityforum.testing.postgres`
before the test database is created, and stopped at the end of the session.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import translation

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--postgres",
        action="store_true",
        help="run the database tests against a PostgreSQL server started for the session",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests that need PostgreSQL's row locks run in the --postgres pass of `make test`.

    They are deselected (not skipped) on SQLite, whose in-memory test database locks whole
    tables; `make test` runs both passes, so they always run.
    """
    if config.getoption("--postgres"):
        return
    kept, dropped = [], []
    for item in items:
        (dropped if item.get_closest_marker("postgres_only") else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    request: pytest.FixtureRequest, django_db_modify_db_settings_parallel_suffix: None
) -> None:
    if not request.config.getoption("--postgres"):
        return
    import dj_database_url
    from django.conf import settings
    from django.db import connections

    from cityforum.settings.base import postgres_options
    from cityforum.testing.postgres import PostgresServer

    server = PostgresServer().start()
    request.addfinalizer(server.stop)
    database = settings.DATABASES["default"]
    database.update(dj_database_url.parse(server.url))
    database["OPTIONS"] = postgres_options()  # as in production (prepared vote statement)
    database["CONN_MAX_AGE"] = 0
    if "default" in connections:
        connections["default"].close()
        del connections["default"]


@pytest.fixture(autouse=True)
def _fresh_language() -> Iterator[None]:
    """Each test starts in English, whatever the previous one activated.

    With nothing active Django would speak the site's default, French; tests that are
    about another language switch to it explicitly.
    """
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    """Each test starts with no write counted: ids repeat from test to test once the
    database is rolled back, and the in-process limiters would remember them."""
    from cityforum.core.limits import FixedWindowLimiter

    FixedWindowLimiter.reset_all()


@pytest.fixture
def one_rate_window() -> None:
    """Start a rate-limit test early in a clock minute, so that all its writes fall in one window.

    The in-process limiters count in fixed windows aligned on the clock, as django-ratelimit's
    do: a test sending N+1 writes against an "N/m" rate across a minute boundary sees the count
    restart and its last write accepted (it happened in CI). Such a test takes a second or two;
    when fewer than 15 s of the minute remain, this waits, on the real clock, for the next one.
    """
    left = 60 - time.time() % 60
    if left < 15:
        time.sleep(left + 0.05)


@pytest.fixture
def programme(db: None) -> None:
    """The forum programme as ``cityforum init`` loads it."""
    from cityforum.programme.seed import load_programme

    load_programme()


@pytest.fixture
def registry(programme: None) -> None:
    """The city registry, limited to places of 15,000 people or more to keep tests quick."""
    from cityforum.cities.registry import load_registry

    load_registry(min_population=15000)


@pytest.fixture
def shared_data() -> Path:
    """The shared data folder beside the repository (never copied into it)."""
    path = SHARED / "data"
    assert path.is_dir(), f"the shared data folder is missing: {path}"
    return path
