"""The `idempotent` decorator for view handlers that create something, and its schema entries."""

import functools
import logging
import re

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response

from idempotency import services
from idempotency.models import KEY_MAX_LENGTH

logger = logging.getLogger(__name__)

KEY_HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"
# Response headers kept with the first response and sent again on replays.
REPLAYED_RESPONSE_HEADERS = ("ETag",)

_KEY_PATTERN = re.compile(rf"[\x21-\x7e]{{1,{KEY_MAX_LENGTH}}}")

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    KEY_HEADER,
    {"type": "string", "pattern": f"^{_KEY_PATTERN.pattern}$"},
    location=OpenApiParameter.HEADER,
    description=(
        "A unique value per logical request, e.g. a UUID (1 to 255 visible ASCII characters). "
        "Retrying with the same key and the same body returns the first response instead of "
        f"creating again, with `{REPLAY_HEADER}: true`. The same key with another body gets "
        "422. A key is kept for 24 hours after its first use. A request that fails does not "
        "use up its key."
    ),
)


def replay_header(*statuses: int) -> OpenApiParameter:
    """Document the replay response header on the given response statuses."""
    return OpenApiParameter(
        REPLAY_HEADER,
        str,
        location=OpenApiParameter.HEADER,
        response=list(statuses),
        enum=["true", "false"],
        description=(
            f"Sent when the request had an {KEY_HEADER}: `true` if this is the stored response "
            "of an earlier request with that key, `false` if the request ran now."
        ),
    )


def read_idempotency_key(request: Request) -> str | None:
    """Return the Idempotency-Key header, None when absent; 400 naming it when invalid."""
    key = request.headers.get(KEY_HEADER)
    if key is None:
        return None
    if not _KEY_PATTERN.fullmatch(key):
        raise exceptions.ValidationError(
            {
                KEY_HEADER: [
                    f"Invalid {KEY_HEADER}: use 1 to {KEY_MAX_LENGTH} visible ASCII characters "
                    "without spaces, e.g. a UUID."
                ]
            }
        )
    return key


def idempotent(handler):
    """Make a view handler that creates something safe to retry with an Idempotency-Key.

    The key is claimed, the handler runs and its response is stored, all in one
    transaction. If the handler raises, the claim rolls back with everything else, so the
    key stays free for a corrected retry.
    """

    @functools.wraps(handler)
    def wrapper(view, request: Request, *args, **kwargs) -> Response:
        key = read_idempotency_key(request)
        if key is None:
            return handler(view, request, *args, **kwargs)

        fingerprint = services.request_fingerprint(
            method=request.method, path=request.path, body=request.data
        )
        with transaction.atomic():
            record, claimed = services.idempotency_key_claim(
                user=request.user, key=key, fingerprint=fingerprint
            )
            if not claimed:
                logger.info(
                    "Replaying response of idempotency key record %s to user %s",
                    record.pk,
                    request.user.pk,
                )
                return Response(
                    record.response_body,
                    status=record.response_status,
                    headers={**record.response_headers, REPLAY_HEADER: "true"},
                )

            response = handler(view, request, *args, **kwargs)
            kept_headers = {
                name: response[name] for name in REPLAYED_RESPONSE_HEADERS if name in response
            }
            services.idempotency_key_store(
                record=record,
                status=response.status_code,
                body=response.data,
                headers=kept_headers,
            )
        response[REPLAY_HEADER] = "false"
        return response

    return wrapper
