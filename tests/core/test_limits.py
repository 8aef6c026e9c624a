"""The fixed-window limiter that guards every write and the votes: windows decided by its
(injectable) clock, counts made once per request, whichever route answers."""

from __future__ import annotations

import threading

import pytest

from cityforum.core.limits import FixedWindowLimiter, count_once, parse_rate


def test_rates_read_like_django_ratelimit() -> None:
    assert parse_rate("600/m") == (600, 60)
    assert parse_rate("10/5m") == (10, 300)
    assert parse_rate("3/s") == (3, 1)
    assert parse_rate("1/d") == (1, 86400)


@pytest.mark.parametrize("rate", ["", "ten/m", "5/w", "5", "/m"])
def test_a_malformed_rate_is_refused_by_name(rate: str) -> None:
    with pytest.raises(ValueError, match="not a rate"):
        parse_rate(rate)


def test_the_limit_applies_per_key_and_within_the_window(limit_clock) -> None:
    limiter = FixedWindowLimiter("per-key")
    assert [limiter.exceeded("a", "3/h") for _ in range(4)] == [False, False, False, True]
    assert limiter.exceeded("b", "3/h") is False
    limiter.reset()
    assert limiter.exceeded("a", "3/h") is False


def test_concurrent_events_are_all_counted(limit_clock) -> None:
    limiter = FixedWindowLimiter("concurrent")
    refused = []

    def hit() -> None:
        for _ in range(250):
            refused.append(limiter.exceeded("k", "800/h"))

    threads = [threading.Thread(target=hit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert refused.count(False) == 800 and refused.count(True) == 200


def test_reset_all_forgets_every_limiter() -> None:
    first, second = FixedWindowLimiter("first"), FixedWindowLimiter("second")
    first.exceeded("k", "1/h")
    second.exceeded("k", "1/h")
    FixedWindowLimiter.reset_all()
    assert not first.exceeded("k", "1/h") and not second.exceeded("k", "1/h")


def test_the_window_is_the_clocks_and_a_new_one_starts_afresh(limit_clock) -> None:
    limiter = FixedWindowLimiter("windows")
    assert [limiter.wait("k", "2/m") for _ in range(3)] == [None, None, 59]  # 1 s into it
    limit_clock.advance(58.5)
    assert limiter.wait("k", "2/m") == 1  # still the same window: half a second left
    limit_clock.advance(1)  # half a second into the next window: 59.5 s left, rounded up
    assert [limiter.wait("k", "2/m") for _ in range(3)] == [None, None, 60]


def test_limiters_with_different_names_count_apart_and_the_same_name_together(
    limit_clock,
) -> None:
    one, other, same = (
        FixedWindowLimiter("one"),
        FixedWindowLimiter("other"),
        FixedWindowLimiter("one"),
    )
    assert not one.exceeded("k", "1/m") and not other.exceeded("k", "1/m")
    assert same.exceeded("k", "1/m")


def test_a_request_counts_once_against_each_limiter_whichever_route_asks(limit_clock) -> None:
    votes, writes = FixedWindowLimiter("votes"), FixedWindowLimiter("writes")
    environ: dict = {}
    checks = [(votes, "7", "2/m"), (writes, "user:7", "2/m")]
    assert count_once(environ, checks) == [None, None]  # the vote's own route counts…
    assert count_once(environ, checks[1:]) == [None]  # …Django's middleware finds it counted
    assert count_once(environ, checks[:1]) == [None]  # …and so does the vote endpoint
    assert count_once({}, checks) == [None, None]  # a second request: the second count
    assert count_once({}, checks) == [59, 59]
