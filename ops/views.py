"""Health endpoints for the platform's health checks and for operators.

Both run outside any request transaction (one would open a database connection before
the view runs), and neither needs credentials.
"""

from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import ErrorSerializer, error_body
from ops.health import CHECK_RESULT_CHOICES, HEALTH_STATUS_CHOICES, OK, check_readiness


class HealthSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=HEALTH_STATUS_CHOICES)


class ReadinessChecksSerializer(serializers.Serializer):
    database = serializers.ChoiceField(choices=CHECK_RESULT_CHOICES)
    cache = serializers.ChoiceField(choices=CHECK_RESULT_CHOICES)


class ReadySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=HEALTH_STATUS_CHOICES)
    checks = ReadinessChecksSerializer()


class NotReadySerializer(ErrorSerializer):
    """The error shape with the result of each check, so the failing service is named."""

    checks = ReadinessChecksSerializer()


class HealthView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    @extend_schema(
        operation_id="healthz",
        tags=["operations"],
        # A probe for the platform, not something a person asks the assistant about.
        extensions={"x-assistant-exclude": True},
        summary="Liveness: the process is running",
        description="Touches neither the database nor the cache, so it stays 200 during "
        "their outages.",
        responses={200: HealthSerializer},
    )
    def get(self, request: Request) -> Response:
        return Response({"status": "ok"})


class ReadyView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    @extend_schema(
        operation_id="readyz",
        tags=["operations"],
        # A probe for the platform, not something a person asks the assistant about.
        extensions={"x-assistant-exclude": True},
        summary="Readiness: the database and the cache are reachable",
        responses={
            200: ReadySerializer,
            503: OpenApiResponse(
                NotReadySerializer,
                description="The database or the cache is unreachable; `checks` names which.",
            ),
        },
    )
    def get(self, request: Request) -> Response:
        checks = check_readiness()
        failing = [name for name, result in checks.items() if result != OK]
        if not failing:
            return Response({"status": "ok", "checks": checks})

        body = error_body("not_ready", f"Not ready: unavailable: {', '.join(failing)}.")
        body["checks"] = checks
        return Response(body, status=503, headers={"Retry-After": "5"})


healthz = transaction.non_atomic_requests(HealthView.as_view())
readyz = transaction.non_atomic_requests(ReadyView.as_view())
