"""The Redis sorted-set throttle decides exactly as DRF's list-based one, in one round trip.

Both run the same sequence of requests at the same (fake) times: DRF's own throttle on an
in-memory cache, ours on a private redis-server.
"""

from types import SimpleNamespace

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django_redis.cache import RedisCache
from rest_framework import throttling

from bench.servers import private_redis
from config import throttling as throttling_module
from config.throttling import UserRateThrottle

RATE = "3/minute"


@pytest.fixture(scope="module")
def redis_server():
    with private_redis() as server:
        yield server


def _redis_cache(url: str) -> RedisCache:
    return RedisCache(url, {"OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"}})


def _throttle(base, cache, now: float):
    throttle_class = type("TestThrottle", (base,), {"rate": RATE, "cache": cache})
    throttle = throttle_class()
    throttle.timer = lambda: now
    return throttle


def _request(user_id: int):
    return SimpleNamespace(user=SimpleNamespace(is_authenticated=True, pk=user_id))


# Seconds at which one user sends requests: a burst over the limit, requests while
# throttled, then requests as the oldest entries leave the 60-second window (at exactly
# 60 seconds an entry has left, as in DRF).
TIMES = [0.0, 1.0, 2.0, 3.0, 30.0, 59.9, 60.0, 60.5, 61.0, 61.5, 62.0, 125.0, 125.1]


def test_same_decisions_and_waits_as_drf(redis_server):
    redis_cache = _redis_cache(redis_server.url)
    memory_cache = LocMemCache("throttle-test", {})
    decisions = []

    for now in TIMES:
        ours = _throttle(UserRateThrottle, redis_cache, now)
        drf = _throttle(throttling.UserRateThrottle, memory_cache, now)
        allowed = ours.allow_request(_request(1), None)
        expected = drf.allow_request(_request(1), None)

        assert allowed == expected, f"at {now}s"
        if not allowed:
            assert ours.wait() == pytest.approx(drf.wait()), f"at {now}s"
        decisions.append(allowed)

    assert decisions == [
        True, True, True, False, False, False, True, False, True, False, True, True, True,
    ]  # fmt: skip


def test_users_have_separate_budgets(redis_server):
    cache = _redis_cache(redis_server.url)

    first = [_throttle(UserRateThrottle, cache, 0.0).allow_request(_request(2), None)]
    first += [_throttle(UserRateThrottle, cache, 0.1).allow_request(_request(2), None)]
    first += [_throttle(UserRateThrottle, cache, 0.2).allow_request(_request(2), None)]
    first += [_throttle(UserRateThrottle, cache, 0.3).allow_request(_request(2), None)]
    other = _throttle(UserRateThrottle, cache, 0.4).allow_request(_request(3), None)

    assert first == [True, True, True, False]
    assert other is True


def test_one_round_trip_per_request(redis_server):
    cache = _redis_cache(redis_server.url)
    client = cache.client.get_client(write=True)
    client.config_resetstat()

    for number in range(5):
        _throttle(UserRateThrottle, cache, 1000.0 + number).allow_request(_request(4), None)

    stats = client.info("commandstats")
    # The commands that the script runs inside Redis are counted too, but they cost no
    # round trip. The client itself sent one EVALSHA per request and no GET or SET.
    assert stats["cmdstat_evalsha"]["calls"] == 5
    assert "cmdstat_get" not in stats
    assert "cmdstat_set" not in stats


def test_redis_failure_allows_and_logs(monkeypatch):
    logged = []
    monkeypatch.setattr(throttling_module, "_log_ignored_error", lambda: logged.append(True))
    # Nothing listens on port 1, so every call fails at once.
    cache = _redis_cache("redis://127.0.0.1:1/0")

    allowed = _throttle(UserRateThrottle, cache, 0.0).allow_request(_request(5), None)

    assert allowed is True
    assert logged == [True]


def test_other_caches_use_drf_implementation():
    cache = LocMemCache("throttle-fallback", {})

    results = [
        _throttle(UserRateThrottle, cache, float(now)).allow_request(_request(6), None)
        for now in range(4)
    ]

    assert results == [True, True, True, False]
    assert len(cache.get("throttle_user_6")) == 3
