"""Claiming, replaying and purging Idempotency-Key records."""

import hashlib
import json
import logging
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from config.errors import ApplicationError, Conflict
from idempotency.models import IdempotencyKey

logger = logging.getLogger(__name__)

KEY_LIFETIME = timedelta(hours=24)


def request_fingerprint(*, method: str, path: str, body: Any) -> str:
    """Hash a request so that a reused key can be distinguished from a genuine retry.

    The path is taken without its trailing slash, because both forms route to one view,
    and the body is serialized with sorted keys, so key order does not matter.
    """
    canonical = json.dumps(
        {"method": method.upper(), "path": path.rstrip("/") or "/", "body": body},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


@transaction.atomic
def idempotency_key_claim(*, user, key: str, fingerprint: str) -> tuple[IdempotencyKey, bool]:
    """Claim `key` for `user`, or return the record of the request that claimed it first.

    Returns (record, claimed). When `claimed` is true, the caller runs the request and
    stores its response with `idempotency_key_store` in the same transaction. Otherwise
    the record carries the first response, ready to replay. A record older than
    KEY_LIFETIME is deleted first, so its key can be used again.

    On PostgreSQL a second insert of a key whose first insert is not committed yet waits
    for that transaction. It then fails on the unique constraint and reads the committed
    record, so concurrent requests with one key run the request once.
    Raises 422 when the key was first used for a different request.
    """
    IdempotencyKey.objects.filter(
        user=user, key=key, created_at__lt=timezone.now() - KEY_LIFETIME
    ).delete()

    try:
        with transaction.atomic():
            record = IdempotencyKey.objects.create(user=user, key=key, fingerprint=fingerprint)
        return record, True
    except IntegrityError:
        record = IdempotencyKey.objects.filter(user=user, key=key).first()

    if record is None:
        # The record that blocked the insert was deleted before this read, e.g. by the purge.
        logger.warning("Idempotency key of user %s vanished while it was claimed", user.pk)
        raise Conflict(
            "Another request with this Idempotency-Key was being processed; retry it.",
            code="idempotency_conflict",
        )
    if record.fingerprint != fingerprint:
        logger.info("Idempotency key reused by user %s for a different request", user.pk)
        raise ApplicationError(
            "This Idempotency-Key was already used for a different request (another body, "
            "method or path). Send a new key for a new request.",
            code="idempotency_key_reused",
            status_code=422,
            fields={"Idempotency-Key": ["Already used for a different request."]},
        )
    return record, False


def idempotency_key_store(
    *, record: IdempotencyKey, status: int, body: Any, headers: dict[str, str]
) -> None:
    """Save the response of the request that claimed `record`, for later replays."""
    record.response_status = status
    record.response_body = body
    record.response_headers = headers
    record.save(update_fields=["response_status", "response_body", "response_headers"])


def idempotency_keys_purge() -> int:
    """Delete records older than KEY_LIFETIME and return how many were deleted."""
    deleted, _ = IdempotencyKey.objects.filter(
        created_at__lt=timezone.now() - KEY_LIFETIME
    ).delete()
    return deleted
