import logging

from ops.logging import CacheDegradedFilter


def _cache_error_record() -> logging.LogRecord:
    try:
        try:
            raise ConnectionRefusedError(111, "Connection refused")
        except ConnectionRefusedError as cause:
            raise RuntimeError("ConnectionInterrupted") from cause
    except RuntimeError:
        import sys

        exc_info = sys.exc_info()
    return logging.LogRecord(
        "ops.cache", logging.ERROR, __file__, 1, "Exception ignored", (), exc_info
    )


def test_cache_filter_passes_first_record_as_warning():
    degraded = CacheDegradedFilter(interval_seconds=60)
    record = _cache_error_record()

    assert degraded.filter(record) is True
    assert record.levelno == logging.WARNING
    assert record.exc_info is None
    assert "Connection refused" in record.getMessage()
    assert record.suppressed == 0


def test_cache_filter_drops_repeats_within_interval():
    degraded = CacheDegradedFilter(interval_seconds=60)

    passed = [degraded.filter(_cache_error_record()) for _ in range(50)]

    assert passed.count(True) == 1
    assert passed[0] is True


def test_cache_filter_reports_dropped_count_next_interval(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr("ops.logging.time.monotonic", lambda: now[0])
    degraded = CacheDegradedFilter(interval_seconds=60)

    degraded.filter(_cache_error_record())
    for _ in range(7):
        degraded.filter(_cache_error_record())
    now[0] += 61
    record = _cache_error_record()

    assert degraded.filter(record) is True
    assert record.suppressed == 7
    assert "7 similar failures" in record.getMessage()
