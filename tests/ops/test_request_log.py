import json
import logging

import pytest
from django.db import OperationalError
from django.http import HttpResponse
from django.test import RequestFactory
from pythonjsonlogger.json import JsonFormatter

from ops.logging import RequestIdFilter
from ops.middleware import RequestLogMiddleware, mark_database_unavailable


def test_request_id_generated_when_missing(client):
    response = client.get("/healthz")

    request_id = response.headers["X-Request-ID"]
    assert len(request_id) == 32
    assert int(request_id, 16) >= 0


def test_request_id_taken_from_header(client):
    response = client.get("/healthz", headers={"X-Request-ID": "edge-1234.abc"})

    assert response.headers["X-Request-ID"] == "edge-1234.abc"


@pytest.mark.parametrize("supplied", ["", "has space", "new\nline", "x" * 129, 'quote"d'])
def test_request_id_invalid_header_replaced(client, supplied):
    response = client.get("/healthz", headers={"X-Request-ID": supplied})

    assert response.headers["X-Request-ID"] != supplied
    assert len(response.headers["X-Request-ID"]) == 32


def test_access_log_line_fields(client, caplog):
    with caplog.at_level(logging.INFO, logger="ops.access"):
        client.get("/healthz", headers={"X-Request-ID": "req-42"})

    records = [record for record in caplog.records if record.name == "ops.access"]
    assert len(records) == 1
    record = records[0]
    assert record.method == "GET"
    assert record.path == "/healthz"
    assert record.status == 200
    assert record.latency_ms >= 0
    assert record.user_id is None
    assert record.levelno == logging.INFO


def test_access_log_client_error_is_info(client, caplog):
    with caplog.at_level(logging.INFO, logger="ops.access"):
        client.get("/no-such-endpoint")

    record = next(record for record in caplog.records if record.name == "ops.access")
    assert record.status == 404
    assert record.levelno == logging.INFO


def test_access_log_server_error_is_error(caplog):
    middleware = RequestLogMiddleware(lambda request: HttpResponse(status=502))

    with caplog.at_level(logging.INFO, logger="ops.access"):
        middleware(RequestFactory().get("/tickets"))

    record = next(record for record in caplog.records if record.name == "ops.access")
    assert record.status == 502
    assert record.levelno == logging.ERROR


def test_json_formatter_line_has_request_id():
    formatter = JsonFormatter(
        ["asctime", "levelname", "name", "message", "request_id"],
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
    )
    record = logging.LogRecord("ops.access", logging.INFO, __file__, 1, "GET %s", ("/x",), None)
    record.status = 200
    from ops.request_context import request_id_var

    token = request_id_var.set("abc123")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)

    line = json.loads(formatter.format(record))
    assert line["request_id"] == "abc123"
    assert line["message"] == "GET /x"
    assert line["level"] == "INFO"
    assert line["logger"] == "ops.access"
    assert line["status"] == 200


def test_request_id_filter_outside_request():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "m", (), None)

    RequestIdFilter().filter(record)

    assert record.request_id == "-"


def test_view_database_error_becomes_503():
    middleware = RequestLogMiddleware(lambda request: HttpResponse())
    request = RequestFactory().get("/tickets")

    response = middleware.process_exception(request, OperationalError("connection refused"))

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    body = json.loads(response.content)
    assert body == {
        "code": "database_unavailable",
        "detail": "The database is unavailable. Retry the request in a few seconds.",
        "fields": {},
    }


def test_other_view_errors_left_to_django():
    middleware = RequestLogMiddleware(lambda request: HttpResponse())
    request = RequestFactory().get("/tickets")

    assert middleware.process_exception(request, ValueError("bug")) is None


def test_database_error_outside_view_becomes_503():
    """A database error raised in another middleware reaches Django's 500 handler."""
    request = RequestFactory().get("/tickets")

    def failing_stack(request):
        try:
            raise OperationalError("server closed the connection unexpectedly")
        except OperationalError:
            mark_database_unavailable(sender=None, request=request)
        return HttpResponse(status=500)

    response = RequestLogMiddleware(failing_stack)(request)

    assert response.status_code == 503
    assert json.loads(response.content)["code"] == "database_unavailable"
    assert response["X-Request-ID"] == request.request_id


def test_unrelated_500_stays_500():
    request = RequestFactory().get("/tickets")

    def failing_stack(request):
        try:
            raise ValueError("bug")
        except ValueError:
            mark_database_unavailable(sender=None, request=request)
        return HttpResponse(status=500)

    response = RequestLogMiddleware(failing_stack)(request)

    assert response.status_code == 500
