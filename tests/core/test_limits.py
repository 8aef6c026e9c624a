"""The in-process fixed-window limiter that guards vote writes."""

from __future__ import annotations

import threading

import pytest

from cityforum.core.limits import FixedWindowLimiter, parse_rate


def test_rates_read_like_django_ratelimit() -> None:
    assert parse_rate("600/m") == (600, 60)
    assert parse_rate("10/5m") == (10, 300)
    assert parse_rate("3/s") == (3, 1)
    assert parse_rate("1/d") == (1, 86400)


@pytest.mark.parametrize("rate", ["", "ten/m", "5/w", "5", "/m"])
def test_a_malformed_rate_is_refused_by_name(rate: str) -> None:
    with pytest.raises(ValueError, match="not a rate"):
        parse_rate(rate)


def test_the_limit_applies_per_key_and_within_the_window() -> None:
    limiter = FixedWindowLimiter()
    assert [limiter.exceeded("a", "3/h") for _ in range(4)] == [False, False, False, True]
    assert limiter.exceeded("b", "3/h") is False
    limiter.reset()
    assert limiter.exceeded("a", "3/h") is False


def test_concurrent_events_are_all_counted() -> None:
    limiter = FixedWindowLimiter()
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
    first, second = FixedWindowLimiter(), FixedWindowLimiter()
    first.exceeded("k", "1/h")
    second.exceeded("k", "1/h")
    FixedWindowLimiter.reset_all()
    assert not first.exceeded("k", "1/h") and not second.exceeded("k", "1/h")


def test_allows_looks_without_counting() -> None:
    limiter = FixedWindowLimiter()
    assert limiter.allows("k", "2/h")
    limiter.exceeded("k", "2/h")
    assert limiter.allows("k", "2/h") and limiter.allows("k", "2/h")
    limiter.exceeded("k", "2/h")
    assert not limiter.allows("k", "2/h")
    assert limiter.allows("other", "2/h")
