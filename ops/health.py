"""Reachability checks for the services a request needs: the database and the cache."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection

logger = logging.getLogger(__name__)

OK = "ok"
UNAVAILABLE = "unavailable"
CHECK_RESULT_CHOICES = [(OK, "Reachable"), (UNAVAILABLE, "Unreachable")]
HEALTH_STATUS_CHOICES = [(OK, "Healthy")]


def check_database() -> str:
    """Run `SELECT 1` on the default database and return "ok" or "unavailable"."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.warning("Readiness check: database unavailable: %s", exc)
        return UNAVAILABLE
    return OK


def check_cache() -> str:
    """Ping the cache and return "ok" or "unavailable".

    django-redis is configured to ignore connection errors on ordinary cache calls, so a
    `cache.get` would hide an outage. The check pings Redis directly instead.
    """
    backend = settings.CACHES["default"]["BACKEND"]
    try:
        if backend == "django_redis.cache.RedisCache":
            from django_redis import get_redis_connection
            from redis.exceptions import RedisError

            try:
                get_redis_connection("default").ping()
            except RedisError as exc:
                logger.warning("Readiness check: cache unavailable: %r", exc)
                return UNAVAILABLE
        else:
            cache.set("ops:readyz", "1", timeout=5)
            if cache.get("ops:readyz") != "1":
                logger.warning("Readiness check: cache did not return the value just stored")
                return UNAVAILABLE
    except OSError as exc:
        logger.warning("Readiness check: cache unavailable: %r", exc)
        return UNAVAILABLE
    return OK


def check_readiness() -> dict[str, str]:
    return {"database": check_database(), "cache": check_cache()}
