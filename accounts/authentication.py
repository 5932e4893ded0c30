"""JWT authentication from the `Authorization: Bearer` header or from an HTTP-only cookie."""

import logging

from django.conf import settings
from django.middleware.csrf import CsrfViewMiddleware
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication

logger = logging.getLogger(__name__)


class _CsrfCheck(CsrfViewMiddleware):
    def _reject(self, request, reason):
        return reason


class JWTHeaderOrCookieAuthentication(JWTAuthentication):
    """Authenticate by the bearer header when present, otherwise by the access cookie.

    A cookie is sent by the browser on its own, so a request authenticated by cookie must
    pass Django's CSRF check on unsafe methods. A bearer header cannot be attached by a
    third-party page, so header requests need no CSRF token.
    """

    def authenticate(self, request: Request):
        header = self.get_header(request)
        if header is not None:
            return super().authenticate(request)

        raw_token = request.COOKIES.get(settings.AUTH_COOKIE_ACCESS)
        if not raw_token:
            return None

        validated_token = self.get_validated_token(raw_token.encode())
        user = self.get_user(validated_token)
        enforce_csrf(request)
        return user, validated_token


def enforce_csrf(request: Request) -> None:
    """Run Django's CSRF check on a request whose credentials came from a cookie."""
    check = _CsrfCheck(lambda req: None)
    check.process_request(request)
    reason = check.process_view(request, None, (), {})
    if reason:
        logger.info("CSRF check failed for a cookie-authenticated request: %s", reason)
        raise exceptions.PermissionDenied(f"CSRF check failed: {reason}")


class JWTHeaderOrCookieScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.JWTHeaderOrCookieAuthentication"
    name = ["bearerAuth", "cookieAuth"]

    def get_security_definition(self, auto_schema):
        return [
            {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
            {"type": "apiKey", "in": "cookie", "name": settings.AUTH_COOKIE_ACCESS},
        ]
