from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

KEY_MAX_LENGTH = 255


class IdempotencyKey(models.Model):
    """A client's Idempotency-Key and the response of the request that first used it.

    The unique constraint on (user, key) is what makes concurrent requests with one key
    safe: the first insert wins, and the others wait for it and then replay its response.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idempotency_keys"
    )
    key = models.CharField(max_length=KEY_MAX_LENGTH)
    # SHA-256 of the method, the path and the JSON body of the first request, in hex.
    fingerprint = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True, encoder=DjangoJSONEncoder)
    response_headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key_unique")
        ]

    def __str__(self) -> str:
        return f"Idempotency key {self.key!r} of user {self.user_id}"
