"""DRF's user and anonymous throttles with their request log in a Redis sorted set.

DRF's SimpleRateThrottle keeps each client's request timestamps as one pickled list in the
cache: every request reads the whole list and writes it back, two round trips whose size
grows with the rate. At the production user rate (3000/minute) that is up to 3,000
timestamps per request. Here the same sliding log is a sorted set, trimmed, counted and
appended to by one Lua script in one round trip.

The limits are DRF's exactly: a request is allowed while fewer than `num_requests`
requests were allowed in the last `duration` seconds. Rejected requests are not recorded,
and `wait()` returns what DRF's would for the same log. With a cache other than
django-redis (the in-memory cache of development and tests), the classes fall back to
DRF's implementation. When Redis fails, the request is allowed, as django-redis with
IGNORE_EXCEPTIONS makes DRF's throttle do, and the error is logged like django-redis's.
"""

import logging
import uuid

from django.conf import settings
from redis.commands.core import Script
from redis.exceptions import RedisError
from rest_framework import throttling

# KEYS[1] is the sorted set. ARGV: now, the cutoff, the allowed requests, the duration in
# seconds (the key's expiry) and a unique member. The cutoff is now - duration, and as in
# DRF an entry at or before it has left the window. The times are passed as strings,
# because Redis turns Lua numbers into strings of 14 digits, which would round them to
# 0.1 ms. The script returns {allowed (0 or 1), requests in the window, oldest time or ""}.
_SLIDING_LOG = """
local key = KEYS[1]
redis.call('ZREMRANGEBYSCORE', key, '-inf', ARGV[2])
local count = redis.call('ZCARD', key)
if count >= tonumber(ARGV[3]) then
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  return {0, count, oldest[2] or ''}
end
redis.call('ZADD', key, ARGV[1], ARGV[5])
redis.call('EXPIRE', key, ARGV[4])
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return {1, count + 1, oldest[2]}
"""
# Bytes, because a Script without a client cannot look up an encoder for a str.
_SCRIPT = Script(None, _SLIDING_LOG.encode())

# A new prefix, so that a list left by DRF's implementation under the old key is never
# read as a sorted set.
_KEY_PREFIX = "sliding-log:"


def _log_ignored_error() -> None:
    # The logger and message of django-redis's own ignored errors, so that the
    # `cache_degraded` filter of the settings also rate-limits these.
    logger = logging.getLogger(getattr(settings, "DJANGO_REDIS_LOGGER", None) or __name__)
    logger.exception("Exception ignored")


def _redis_client(cache):
    try:
        from django_redis.cache import RedisCache
    except ImportError:  # pragma: no cover - django-redis is in requirements.txt
        return None
    if not isinstance(cache, RedisCache):
        return None
    return cache.client.get_client(write=True)


class RedisSlidingLogMixin:
    """Replace SimpleRateThrottle's read-modify-write of a list with one script call."""

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        client = _redis_client(self.cache)
        if client is None:
            return super().allow_request(request, view)

        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True

        self.now = self.timer()
        redis_key = self.cache.client.make_key(_KEY_PREFIX + self.key)
        member = f"{self.now!r}:{uuid.uuid4().hex}"
        try:
            allowed, count, oldest = _SCRIPT(
                keys=[redis_key],
                args=[
                    repr(self.now),
                    repr(self.now - self.duration),
                    self.num_requests,
                    self.duration,
                    member,
                ],
                client=client,
            )
        except RedisError:
            _log_ignored_error()
            return True

        self._count = int(count)
        self._oldest = float(oldest) if oldest else None
        return bool(allowed)

    def wait(self) -> float | None:
        if not hasattr(self, "_count"):
            return super().wait()
        # DRF's formula, with the log's size and oldest entry from the script.
        if self._oldest is not None:
            remaining_duration = self.duration - (self.now - self._oldest)
        else:
            remaining_duration = self.duration
        available_requests = self.num_requests - self._count + 1
        if available_requests <= 0:
            return None
        return remaining_duration / float(available_requests)


class UserRateThrottle(RedisSlidingLogMixin, throttling.UserRateThrottle):
    """DRF's UserRateThrottle (scope `user`) with the log in a Redis sorted set."""


class AnonRateThrottle(RedisSlidingLogMixin, throttling.AnonRateThrottle):
    """DRF's AnonRateThrottle (scope `anon`) with the log in a Redis sorted set."""
