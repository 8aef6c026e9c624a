"""Shared fixtures. ``pytest --postgres`` runs the database tests on a real PostgreSQL server;
``pytest --redis`` runs every test with a real Redis server as the shared state (the cache,
the rate limiters), as a site with ``REDIS_URL`` set does. ``make test`` runs its PostgreSQL
pass with both.

The servers are started from the system binaries by :mod:`cityforum.testing.postgres` and
:mod:`cityforum.testing.redis` before the first test, and stopped at the end of the session.
"""

from __future__ import annotations

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
    parser.addoption(
        "--redis",
        action="store_true",
        help="share the cache and the rate limits through a Redis server started for the session",
    )


@pytest.fixture(scope="session")
def redis_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The URL of a Redis server of this session's own (started on first use, then kept)."""
    from cityforum.testing.redis import RedisServer

    server = RedisServer().start()
    request.addfinalizer(server.stop)
    yield server.url


@pytest.fixture(scope="session", autouse=True)
def _shared_state(request: pytest.FixtureRequest) -> Iterator[None]:
    """With ``--redis``: the settings a site with ``REDIS_URL`` gets (the Redis cache, the
    limiters' Redis store), for the whole session."""
    if not request.config.getoption("--redis"):
        yield
        return
    from asgiref.local import Local
    from django.conf import settings
    from django.core.cache import caches

    from cityforum.core import limits

    url = request.getfixturevalue("redis_url")
    saved = settings.REDIS_URL, settings.CACHES
    settings.REDIS_URL = url
    settings.CACHES = {
        "default": {
            "BACKEND": "cityforum.core.cache.FailSoftRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "cityforum-tests",
        }
    }
    caches.__dict__.pop("settings", None)
    caches._connections = Local(thread_critical=False)
    limits.use_store(None)  # chosen again, from the settings: Redis
    assert limits.shared()
    yield
    settings.REDIS_URL, settings.CACHES = saved
    caches.__dict__.pop("settings", None)
    caches._connections = Local(thread_critical=False)
    limits.use_store(None)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests that need PostgreSQL's row locks run in the --postgres pass of `make test`, and
    tests whose database side the other cases already cover run in the SQLite pass only.

    They are deselected (not skipped) from the other pass: the SQLite test database locks whole
    tables; a `sqlite_only` case adds time, not coverage, to the PostgreSQL pass. `make test`
    runs both passes, so every test always runs.
    """
    other = "sqlite_only" if config.getoption("--postgres") else "postgres_only"
    kept, dropped = [], []
    for item in items:
        (dropped if item.get_closest_marker(other) else kept).append(item)
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
def _fresh_live_map_memory() -> Iterator[None]:
    """Each test starts with nothing the live map's process memory holds (updates read, warm
    state): ids repeat from test to test once the database is rolled back."""
    from cityforum.synthesis.opinion import live

    live.reset_process_state()
    yield
    live.reset_process_state()


class LimitClock:
    """The limiters' clock, held by the test: it moves only when the test moves it."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(autouse=True)
def limit_clock(monkeypatch: pytest.MonkeyPatch) -> LimitClock:
    """Every test starts with no write counted, and with the limiters' windows decided by
    the test, not by the minute hand.

    Counts are forgotten because ids repeat from test to test once the database is rolled
    back. The clock starts one second into a day (so one second into a minute and an hour
    too) and stands still: a test's writes all fall in one window however slow the machine,
    and a test that wants the next window says so with ``limit_clock.advance(60)``. It is
    in place before any other fixture runs: a vote counted by a fixture (the first vote of
    tests/statements/test_fastvote.py) falls in the test's window too. (The suite once
    failed because a fixture that waited for a fresh minute ran *after* such a vote.)
    """
    from cityforum.core import limits

    limits.FixedWindowLimiter.reset_all()
    clock = LimitClock(86400.0 * 20_000 + 1.0)
    monkeypatch.setattr(limits, "CLOCK", clock)
    return clock


@pytest.fixture
def one_rate_window(limit_clock: LimitClock) -> LimitClock:
    """All the test's writes in one window of the in-process limiters (see ``limit_clock``)."""
    return limit_clock


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
