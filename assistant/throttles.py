from django.conf import settings
from rest_framework.throttling import UserRateThrottle


class AssistantAskThrottle(UserRateThrottle):
    """Per-user limit on `POST /chat/ask`, counted in the default cache.

    The rate comes from ASSISTANT_ASK_RATE rather than DEFAULT_THROTTLE_RATES, so that it
    is set in one place with the other assistant settings and read on every request.
    """

    scope = "assistant_ask"

    def get_rate(self) -> str:
        return settings.ASSISTANT_ASK_RATE
