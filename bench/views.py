"""The floor of the benchmark: a DRF view that does no work of its own."""

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

BARE_BODY = {
    "id": 1,
    "title": "Printer on the third floor is out of toner",
    "status": "open",
    "priority": "medium",
}


class BareView(APIView):
    """Returns a constant ticket-sized body: no authentication, no database, no serializer.

    Its latency is what the framework, the middleware and gunicorn cost for one request, so
    the other scenarios are reported as a ratio to it.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    # Served only by config.settings.benchmark, so it is no part of the public API.
    @extend_schema(exclude=True)
    def get(self, request):
        return Response(BARE_BODY)


class BareAuthenticatedView(BareView):
    """The bare view behind the API's own authentication, permission and throttles.

    The difference to BareView is what a JWT check (one user query) and the throttle's
    cache round trips cost, before any ticket work.
    """

    authentication_classes = api_settings.DEFAULT_AUTHENTICATION_CLASSES
    permission_classes = api_settings.DEFAULT_PERMISSION_CLASSES
    throttle_classes = api_settings.DEFAULT_THROTTLE_CLASSES
