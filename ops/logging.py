"""Logging filters: request ids on every record, and rate limiting for repeated failures."""

import logging
import threading
import time

from ops.request_context import request_id_var


class RequestIdFilter(logging.Filter):
    """Add `request_id` to every record: the current request's id, or "-" outside a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get() or "-"
        return True


class CacheDegradedFilter(logging.Filter):
    """Let one cache failure record through per interval and count the ones it drops.

    django-redis with `DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS` logs every ignored error with a
    traceback, which during a Redis outage is one traceback per cache call. This filter
    rewrites the first record of each interval into one warning that names the error and
    the number of records dropped since the previous warning. The count is per process, so
    each gunicorn worker logs its own warning.
    """

    def __init__(self, interval_seconds: float = 60.0) -> None:
        super().__init__()
        self.interval_seconds = float(interval_seconds)
        self._lock = threading.Lock()
        self._next_emit = 0.0
        self._suppressed = 0

    def filter(self, record: logging.LogRecord) -> bool:
        now = time.monotonic()
        with self._lock:
            if now < self._next_emit:
                self._suppressed += 1
                return False
            suppressed = self._suppressed
            self._suppressed = 0
            self._next_emit = now + self.interval_seconds

        error = record.exc_info[1] if record.exc_info else None
        cause = getattr(error, "__cause__", None) or error
        record.msg = (
            "Cache backend failed, serving requests without the cache: %s "
            "(%s similar failures since the last warning, next warning in %ss at the earliest)"
        )
        record.args = (f"{type(cause).__name__}: {cause}", suppressed, int(self.interval_seconds))
        record.levelno = logging.WARNING
        record.levelname = logging.getLevelName(logging.WARNING)
        # The traceback is always the same connection error, so one line is enough.
        record.exc_info = None
        record.exc_text = None
        record.cache_degraded = True
        record.suppressed = suppressed
        return True
