"""Issue JWT pairs and carry them in HTTP-only cookies when the client asks for that."""

from django.conf import settings
from django.http import HttpResponse
from rest_framework_simplejwt.tokens import RefreshToken


def issue_token_pair(user) -> dict[str, str]:
    refresh = RefreshToken.for_user(user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def set_auth_cookies(response: HttpResponse, pair: dict[str, str]) -> None:
    """Set both tokens as `HttpOnly`, `SameSite=Lax` cookies, `Secure` outside development.

    The refresh cookie is sent only to /auth/, so ordinary API requests do not carry it.
    """
    jwt = settings.SIMPLE_JWT
    common = {
        "httponly": True,
        "secure": settings.AUTH_COOKIE_SECURE,
        "samesite": settings.AUTH_COOKIE_SAMESITE,
    }
    response.set_cookie(
        settings.AUTH_COOKIE_ACCESS,
        pair["access"],
        max_age=int(jwt["ACCESS_TOKEN_LIFETIME"].total_seconds()),
        path="/",
        **common,
    )
    response.set_cookie(
        settings.AUTH_COOKIE_REFRESH,
        pair["refresh"],
        max_age=int(jwt["REFRESH_TOKEN_LIFETIME"].total_seconds()),
        path=settings.AUTH_COOKIE_REFRESH_PATH,
        **common,
    )


def clear_auth_cookies(response: HttpResponse) -> None:
    response.delete_cookie(
        settings.AUTH_COOKIE_ACCESS, path="/", samesite=settings.AUTH_COOKIE_SAMESITE
    )
    response.delete_cookie(
        settings.AUTH_COOKIE_REFRESH,
        path=settings.AUTH_COOKIE_REFRESH_PATH,
        samesite=settings.AUTH_COOKIE_SAMESITE,
    )
