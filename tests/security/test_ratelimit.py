"""The one rate limiter every limit in the center counts with (portal, app API, email)."""

from __future__ import annotations

import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from sangdam.core import ratelimit

REDIS_URL = os.environ.get("SANGDAM_TEST_REDIS", "redis://127.0.0.1:6379")


def test_attempts_past_the_limit_are_refused_until_the_window_ends(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ratelimit, "clock", lambda: 1_800_000_000.0 + 3000)
    key = uuid.uuid4().hex
    verdicts = [ratelimit.hit("t", key, limit=3, window=3600) for _ in range(4)]
    assert [v.allowed for v in verdicts] == [True, True, True, False]
    assert verdicts[-1].retry_after == 601


def test_each_key_and_scope_counts_on_its_own() -> None:
    key = uuid.uuid4().hex
    assert ratelimit.hit("a", key, limit=1, window=3600)
    assert not ratelimit.hit("a", key, limit=1, window=3600)
    assert ratelimit.hit("b", key, limit=1, window=3600)
    assert ratelimit.hit("a", key + "x", limit=1, window=3600)


def test_a_zero_limit_turns_the_limit_off() -> None:
    key = uuid.uuid4().hex
    assert all(ratelimit.hit("t", key, limit=0, window=3600) for _ in range(100))


def test_concurrent_processes_share_one_count_through_redis(settings: Any) -> None:
    # Scaled mode: the cache is Redis, so every process counts against the same number.
    # Threads with their own connections stand in for processes; none of 40 hits is lost.
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": uuid.uuid4().hex,
        }
    }
    assert isinstance(caches["default"], RedisCache)
    key = uuid.uuid4().hex
    with ThreadPoolExecutor(8) as pool:
        verdicts = list(
            pool.map(lambda _: ratelimit.hit("t", key, limit=25, window=36000), range(40))
        )
    assert sum(v.allowed for v in verdicts) == 25
    assert sorted(v.count for v in verdicts) == list(range(1, 41))


def test_a_redis_counter_ends_with_its_window(settings: Any) -> None:
    import redis

    prefix = uuid.uuid4().hex
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    key = uuid.uuid4().hex
    assert ratelimit.hit("t", key, limit=5, window=60).count == 1
    assert ratelimit.hit("t", key, limit=5, window=60).count == 2

    server = redis.Redis.from_url(REDIS_URL)
    stored: list[bytes] = server.keys(f"{prefix}:*")  # type: ignore[assignment]
    assert len(stored) == 1
    ttl: int = server.ttl(stored[0])  # type: ignore[assignment]
    assert 0 < ttl <= 65


@pytest.mark.parametrize("cache", ["local", "redis"])
def test_counters_hit_together_count_each_on_its_own(settings: Any, cache: str) -> None:
    # The form counts its sender's address and email in one go (one Redis round trip).
    if cache == "redis":
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS_URL,
                "KEY_PREFIX": uuid.uuid4().hex,
            }
        }
    ip, email = uuid.uuid4().hex, uuid.uuid4().hex
    hits = [("ip", ip, 3), ("email", email, 1), ("off", email, 0)]
    first = ratelimit.hit_many(hits, window=3600)
    second = ratelimit.hit_many(hits, window=3600)
    assert [(v.allowed, v.count) for v in first] == [(True, 1), (True, 1), (True, 0)]
    assert [(v.allowed, v.count) for v in second] == [(True, 2), (False, 2), (True, 0)]
    assert ratelimit.hit("ip", ip, limit=3, window=3600).count == 3
