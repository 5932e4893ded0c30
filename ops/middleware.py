"""Request ids, one access log line per request, and 503 responses while the database is down."""

import logging
import re
import time
import uuid

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.functional import empty

from config.errors import error_body
from ops.request_context import request_id_var

logger = logging.getLogger(__name__)
access_logger = logging.getLogger("ops.access")

REQUEST_ID_HEADER = "X-Request-ID"
# A client-supplied id is kept only when it is short and cannot break a log line or a header.
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:@+=-]{1,128}$")

# Errors that mean the database cannot be reached or dropped the connection, as opposed to
# errors in a query (IntegrityError, ProgrammingError), which stay 4xx/500.
DATABASE_UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)
DATABASE_RETRY_AFTER_SECONDS = 5


def database_unavailable_response() -> JsonResponse:
    response = JsonResponse(
        error_body(
            "database_unavailable",
            "The database is unavailable. Retry the request in a few seconds.",
        ),
        status=503,
    )
    response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    return response


def mark_database_unavailable(sender, request: HttpRequest | None = None, **kwargs) -> None:
    """Flag the request when Django handles an uncaught database connection error.

    Connected to `got_request_exception`, which Django sends while the exception is being
    handled, so `sys.exc_info()` still contains it. This catches the errors that are raised
    outside a view (in another middleware, for example), where `process_exception` is
    not called. `RequestLogMiddleware` then turns the 500 into a 503.
    """
    import sys

    error = sys.exc_info()[1]
    if request is not None and isinstance(error, DATABASE_UNAVAILABLE_ERRORS):
        request._ops_database_unavailable = True


class RequestLogMiddleware:
    """Give each request an id, log one line when it ends, and map database outages to 503.

    The id comes from the `X-Request-ID` request header when it is valid, otherwise it is
    generated. It is returned in the same response header and added to every log record
    emitted while the request runs (see `ops.logging.RequestIdFilter`). This middleware
    must be first in MIDDLEWARE so that its latency covers the whole stack.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = self._request_id(request)
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            if response.status_code == 500 and getattr(request, "_ops_database_unavailable", False):
                response = database_unavailable_response()
            response[REQUEST_ID_HEADER] = request_id
            self._log(request, response, started)
            return response
        finally:
            request_id_var.reset(token)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, DATABASE_UNAVAILABLE_ERRORS):
            return None
        logger.warning(
            "Database unavailable, returning 503 for %s %s: %s",
            request.method,
            request.path,
            exception,
        )
        return database_unavailable_response()

    @staticmethod
    def _request_id(request: HttpRequest) -> str:
        supplied = request.headers.get(REQUEST_ID_HEADER, "")
        if _VALID_REQUEST_ID.match(supplied):
            return supplied
        return uuid.uuid4().hex

    @staticmethod
    def _user_id(request: HttpRequest) -> int | None:
        user = getattr(request, "user", None)
        # AuthenticationMiddleware installs a lazy object. Evaluating it here could query
        # the session table after the response is built, so only an already resolved user
        # (DRF sets one on every API request) is read.
        if user is None or getattr(user, "_wrapped", None) is empty:
            return None
        if not getattr(user, "is_authenticated", False):
            return None
        return user.pk

    def _log(self, request: HttpRequest, response: HttpResponse, started: float) -> None:
        latency_ms = round((time.perf_counter() - started) * 1000, 2)
        user_id = self._user_id(request)
        level = logging.ERROR if response.status_code >= 500 else logging.INFO
        access_logger.log(
            level,
            "%s %s %s %.2fms user=%s",
            request.method,
            request.path,
            response.status_code,
            latency_ms,
            user_id,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "latency_ms": latency_ms,
                "user_id": user_id,
            },
        )
