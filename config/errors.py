"""One error shape for every 4xx and 5xx response: `{"code", "detail", "fields"}`.

`code` is machine-readable and stable, `detail` is a sentence for people, and `fields` maps
each rejected input field to its reasons (empty when the error is not about a field).
Some errors add keys of their own, for example a 409 on a ticket carries its current status
and the allowed targets.
"""

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from config.transactions import mark_rollback_on_error

logger = logging.getLogger(__name__)


class ErrorSerializer(serializers.Serializer):
    """The body of every error response."""

    code = serializers.CharField(help_text="Machine-readable error code, e.g. `invalid`.")
    detail = serializers.CharField(help_text="What went wrong, in a sentence.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Each rejected input field with its reasons; empty when no field is at fault.",
    )


class ApplicationError(exceptions.APIException):
    """A domain rule was broken; `extra` keys are added to the error body as they are."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        status_code: int | None = None,
        fields: dict[str, list[str]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail=detail, code=code or self.default_code)
        if status_code is not None:
            self.status_code = status_code
        self.fields = fields or {}
        self.extra = extra or {}


class Conflict(ApplicationError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def _field_errors(detail: Any) -> dict[str, Any]:
    if isinstance(detail, dict):
        return {str(key): _messages(value) for key, value in detail.items()}
    return {"non_field_errors": _messages(detail)}


def _messages(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _messages(item) for key, item in value.items()}
    if isinstance(value, list):
        if all(not isinstance(item, (dict, list)) for item in value):
            return [str(item) for item in value]
        return [_messages(item) for item in value]
    return [str(value)]


def _first_code(codes: Any) -> str:
    while isinstance(codes, (list, dict)):
        if not codes:
            return "error"
        codes = next(iter(codes.values())) if isinstance(codes, dict) else codes[0]
    return str(codes)


def error_body(code: str, detail: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"code": code, "detail": detail, "fields": fields or {}}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Render DRF and domain exceptions in the one error shape and roll back the request."""
    if isinstance(exc, RequestDataTooBig):
        mark_rollback_on_error(context.get("request"))
        return Response(_too_large_body(), status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)

    response = exception_handler(exc, context)
    if response is None:
        # Not an API exception: Django's handler500 renders it, and the request's
        # write transaction rolls back on the 500 (config/transactions.py).
        return None

    mark_rollback_on_error(context.get("request"))

    if isinstance(exc, exceptions.ValidationError):
        body = error_body("invalid", "Invalid input.", _field_errors(exc.detail))
    elif isinstance(exc, ApplicationError):
        body = error_body(_first_code(exc.get_codes()), str(exc.detail), exc.fields)
        body.update(exc.extra)
    elif isinstance(exc, exceptions.APIException):
        code = _first_code(exc.get_codes())
        if isinstance(exc.detail, dict) and "code" in exc.detail:
            # SimpleJWT puts its own code in the body and leaves the exception's default.
            code = str(exc.detail["code"])
        body = error_body(code, _detail_text(exc.detail))
    else:
        # Http404 and PermissionDenied, which DRF already turned into a response.
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        code = "not_found" if response.status_code == 404 else "permission_denied"
        body = error_body(code, str(detail))

    response.data = body
    return response


def _detail_text(detail: Any) -> str:
    if isinstance(detail, list):
        return " ".join(str(item) for item in detail)
    if isinstance(detail, dict):
        # SimpleJWT's token errors carry {"detail", "code", "messages"}; the sentence is "detail".
        if "detail" in detail:
            return str(detail["detail"])
        return " ".join(str(item) for item in detail.values())
    return str(detail)


def _too_large_body() -> dict[str, Any]:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return error_body("request_too_large", f"The request body exceeds {limit} bytes.")


# Django-level handlers, for requests that never reach a DRF view.


def not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(error_body("not_found", "No such endpoint."), status=404)


def server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        error_body("server_error", "The server failed to handle the request."), status=500
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    if isinstance(exception, RequestDataTooBig):
        return JsonResponse(_too_large_body(), status=413)
    return JsonResponse(error_body("bad_request", "The request is malformed."), status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(
        error_body("permission_denied", "You do not have permission to do this."), status=403
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> JsonResponse:
    return JsonResponse(error_body("csrf_failed", f"CSRF check failed: {reason}"), status=403)
