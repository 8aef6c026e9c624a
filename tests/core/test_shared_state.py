"""Several server processes share one Redis: the cache, the write and vote limits and the job
queue, when ``REDIS_URL`` is set; without it, everything stays on one machine, and the
deployment check says when that is not enough. Real Redis servers, started for the tests."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import pytest
import redis as redis_client
from django.core.checks import run_checks

from cityforum.core import limits
from cityforum.core.cache import FailSoftRedisCache
from cityforum.core.limits import FixedWindowLimiter, MemoryStore, RedisStore
from cityforum.testing.redis import RedisServer


def _settings(env: dict[str, str], expression: str) -> str:
    """``expression`` about ``cityforum.settings.base`` read in a fresh process with ``env``."""
    clean = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "HUEY_REDIS_URL"}}
    code = f"import cityforum.settings.base as m; print({expression})"
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_without_redis_url_everything_stays_on_one_machine() -> None:
    assert _settings({}, "hasattr(m, 'CACHES'), m.HUEY['huey_class']") == "False huey.SqliteHuey"


def test_redis_url_shares_the_cache_and_the_job_queue() -> None:
    url = "redis://redis.internal:6379/0"
    out = _settings(
        {"REDIS_URL": url},
        "m.CACHES['default']['BACKEND'], m.CACHES['default']['LOCATION'], "
        "m.HUEY['huey_class'], m.HUEY['url']",
    )
    assert out == f"cityforum.core.cache.FailSoftRedisCache {url} huey.RedisHuey {url}"


def test_huey_redis_url_still_names_the_queues_own_server() -> None:
    out = _settings(
        {"REDIS_URL": "redis://cache:6379/0", "HUEY_REDIS_URL": "redis://jobs:6379/1"},
        "m.HUEY['url']",
    )
    assert out == "redis://jobs:6379/1"


def test_two_processes_count_the_same_writes(redis_url: str, limit_clock) -> None:
    """Two stores with their own connections stand for two server processes (the
    two-server tests do it with real ones): 8 threads × 50 writes against 300 allowed."""
    one, two = RedisStore(redis_url), RedisStore(redis_url)
    one.reset()
    limiter = FixedWindowLimiter("shared-test")
    refused: list[bool] = []

    def write(store: RedisStore) -> None:
        for _ in range(50):
            store_key = limiter.key("person", "300/m", limits.CLOCK())[0]
            refused.append(store.incr([(store_key, 61)])[0] > 300)

    threads = [threading.Thread(target=write, args=(s,)) for s in (one, two) * 4]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert refused.count(False) == 300 and refused.count(True) == 100
    assert not one.degraded and not two.degraded


def test_redis_stopped_the_limits_count_per_process_and_come_back_without_a_restart(
    limit_clock,
) -> None:
    """The documented rule (docs/deploy.md): no write fails because Redis did; while it is
    away each process counts its own writes; once it is back, counts are shared again."""
    with RedisServer() as server:
        store = RedisStore(server.url)
        store.RETRY_SECONDS = 0.2
        limiter = FixedWindowLimiter("fault-test")
        limits.use_store(store)
        try:
            assert [limiter.exceeded("p", "2/m") for _ in range(2)] == [False, False]
            server.pause()
            started = time.monotonic()
            assert limiter.exceeded("p", "2/m") is False  # counted here, from zero
            assert time.monotonic() - started < 2  # a dead server costs one short timeout
            assert store.degraded
            assert [limiter.exceeded("p", "2/m") for _ in range(2)] == [False, True]
            server.resume()  # an empty Redis: it keeps nothing on disk
            time.sleep(0.3)
            assert [limiter.exceeded("p", "2/m") for _ in range(3)] == [False, False, True]
            assert not store.degraded
            key = limiter.key("p", "2/m", limits.CLOCK())[0]
            assert redis_client.Redis.from_url(server.url).get(RedisStore.PREFIX + key) == b"3"
        finally:
            limits.use_store(None)


def test_the_cache_answers_from_memory_while_redis_is_away() -> None:
    with RedisServer() as server:
        cache = FailSoftRedisCache(server.url, {})
        cache.RETRY_SECONDS = 0.2
        cache.set("k", "in redis")
        server.pause()
        assert cache.get("k", "missing") == "missing"  # not an exception: a miss
        assert cache.add("n", 1) and cache.incr("n") == 2  # django-ratelimit's calls
        server.resume()
        time.sleep(0.3)
        cache.set("k", "again")
        assert redis_client.Redis.from_url(server.url).exists(cache.make_and_validate_key("k"))


def _deploy_warnings() -> list[str]:
    return [m.id for m in run_checks(include_deployment_checks=True) if m.id == "cityforum.W002"]


def test_the_deploy_check_warns_of_several_processes_without_shared_limits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(limits, "_store", MemoryStore())
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    assert _deploy_warnings() == ["cityforum.W002"]
    monkeypatch.setenv("WEB_CONCURRENCY", "1")
    assert _deploy_warnings() == []


def test_the_deploy_check_is_quiet_when_the_limits_are_shared(
    monkeypatch: pytest.MonkeyPatch, redis_url: str
) -> None:
    monkeypatch.setattr(limits, "_store", RedisStore(redis_url))
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    assert _deploy_warnings() == []


def test_a_request_that_needs_redis_while_it_is_away_gets_a_503_not_a_500(rf) -> None:
    """Queuing a job needs Redis: its connection error is answered like the database's."""
    from cityforum.core import unavailable

    error = redis_client.ConnectionError("Error 111 connecting to 127.0.0.1:6379.")
    assert unavailable.caused_by_database(error)
    answer = unavailable.response(rf.post("/api/v1/synthesis/opinion"), error)
    assert answer.status_code == 503 and answer["Content-Type"] == "application/problem+json"
    assert answer["Retry-After"]
