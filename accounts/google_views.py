"""Google login endpoints: the browser redirect flow and the app flow with an ID token.

Both end in the same SimpleJWT pair as password login. The browser flow sets it as
HTTP-only cookies on a redirect to the front end; tokens never appear in a URL.
"""

import logging
from urllib.parse import urlencode, urlsplit, urlunsplit

from allauth.socialaccount.models import SocialLogin
from allauth.socialaccount.providers.base import AuthProcess
from allauth.socialaccount.providers.google.views import oauth2_callback
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponseRedirect
from django.middleware.csrf import get_token
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.client_ip import client_ip
from accounts.google import (
    GoogleNotConfigured,
    InvalidGoogleToken,
    google_id_token_verify,
    google_provider,
    id_token_subject,
    is_allowed_redirect,
)
from accounts.serializers import TokenPairSerializer
from accounts.social import social_login_complete
from accounts.throttles import ClientIPRateThrottle, throttle_account
from accounts.tokens import issue_token_pair, set_auth_cookies
from accounts.views import COOKIE_MODE_NOTE, PublicAuthView, _token_response
from config.errors import ApplicationError
from config.schema import error_responses
from config.serializers import StrictInputSerializer

logger = logging.getLogger(__name__)

# Google ID tokens are around 1 KB; the bound only keeps absurd bodies out of the parser.
ID_TOKEN_MAX_LENGTH = 8192


def _require_browser_flow_configured(request: HttpRequest) -> None:
    google_provider(request)
    if not settings.GOOGLE_LOGIN_REDIRECT_URL:
        raise GoogleNotConfigured(
            "Google browser login is not configured: GOOGLE_LOGIN_REDIRECT_URL is not set."
        )


def _redirect_target(next_url: str | None) -> str:
    if next_url and is_allowed_redirect(next_url):
        return next_url
    return settings.GOOGLE_LOGIN_REDIRECT_URL


def browser_error_redirect(*, code: str, next_url: str | None) -> HttpResponseRedirect:
    """Send the browser back to the front end with an `error` code and no tokens."""
    parts = urlsplit(_redirect_target(next_url))
    query = f"{parts.query}&" if parts.query else ""
    query += urlencode({"error": code})
    return HttpResponseRedirect(urlunsplit(parts._replace(query=query)))


def finish_browser_login(request: HttpRequest, sociallogin: SocialLogin) -> HttpResponseRedirect:
    """Resolve the user of a verified browser login and redirect with the JWT cookies.

    Called from SocialAccountAdapter.pre_social_login, after allauth checked the state,
    exchanged the code and decoded the ID token.
    """
    ip = client_ip(request)
    next_url = sociallogin.state.get("next")
    throttle_account(request, endpoint="google", account=f"google:{sociallogin.account.uid}")
    try:
        user = social_login_complete(request=request, sociallogin=sociallogin, client_ip=ip)
    except ApplicationError as exc:
        logger.warning(
            "Google browser login failed: reason=%s sub=%s client_ip=%s",
            exc.get_codes(),
            sociallogin.account.uid,
            ip,
        )
        return browser_error_redirect(code=str(exc.get_codes()), next_url=next_url)

    response = HttpResponseRedirect(_redirect_target(next_url))
    set_auth_cookies(response, issue_token_pair(user))
    # As after cookie-mode password login: the csrftoken cookie lets the front end send
    # the X-CSRFToken header that cookie-authenticated unsafe requests need.
    get_token(request)
    logger.info("Google browser login of account %s, client_ip=%s", user.pk, ip)
    return response


class GoogleLoginStartView(PublicAuthView):
    throttle_classes = [ClientIPRateThrottle]
    throttle_endpoint = "google"

    @extend_schema(
        tags=["auth"],
        auth=[],
        operation_id="auth_google_login",
        summary="Start the Google browser login",
        description=(
            "Redirects the browser to Google's consent page. Google sends it back to "
            "`/auth/google/callback`, which sets the `access_token` and `refresh_token` "
            "HTTP-only cookies and redirects to `next` (or the configured front-end URL). "
            "A failed login redirects there with an `error` query parameter and no cookies."
        ),
        parameters=[
            OpenApiParameter(
                "next",
                OpenApiTypes.URI,
                description="Front-end URL to land on; its origin must be on the allow-list.",
            )
        ],
        responses={
            302: OpenApiResponse(description="Redirect to Google's consent page."),
            **error_responses(400, 429, 503),
        },
    )
    def get(self, request: Request) -> HttpResponseRedirect:
        _require_browser_flow_configured(request._request)
        next_url = request.query_params.get("next") or settings.GOOGLE_LOGIN_REDIRECT_URL
        if not is_allowed_redirect(next_url):
            raise ApplicationError(
                "Invalid input.",
                code="invalid",
                fields={"next": ["The redirect URL's origin is not on the allow-list."]},
            )
        provider = google_provider(request._request)
        return provider.redirect(request._request, process=AuthProcess.LOGIN, next_url=next_url)


class GoogleCallbackView(PublicAuthView):
    throttle_classes = [ClientIPRateThrottle]
    throttle_endpoint = "google"

    @extend_schema(
        tags=["auth"],
        auth=[],
        operation_id="auth_google_callback",
        extensions={"x-assistant-exclude": True},
        summary="Finish the Google browser login (Google redirects here)",
        description=(
            "allauth checks `state`, exchanges `code` for Google's tokens and verifies the "
            "ID token. On success the response sets the JWT cookies and redirects to the "
            "front end; on any failure it redirects there with `error` set."
        ),
        parameters=[
            OpenApiParameter("code", OpenApiTypes.STR, description="Authorization code."),
            OpenApiParameter("state", OpenApiTypes.STR, description="State of the login."),
            OpenApiParameter("error", OpenApiTypes.STR, description="Set by Google on failure."),
        ],
        responses={
            302: OpenApiResponse(description="Redirect to the front end."),
            **error_responses(429, 503),
        },
    )
    def get(self, request: Request):
        _require_browser_flow_configured(request._request)
        # A GET that writes (the user, the Google link, the refresh token), so it opens
        # the transaction that WriteTransactionMiddleware gives unsafe methods only.
        with transaction.atomic():
            return oauth2_callback(request._request)


class GoogleTokenLoginInputSerializer(StrictInputSerializer):
    id_token = serializers.CharField(
        max_length=ID_TOKEN_MAX_LENGTH,
        help_text="The ID token (a JWT) that Google Sign-In returned to the app.",
    )
    use_cookies = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Also set the tokens as HTTP-only cookies (for browser clients).",
    )


class GoogleTokenLoginView(PublicAuthView):
    throttle_classes = [ClientIPRateThrottle]
    throttle_endpoint = "google"

    @extend_schema(
        tags=["auth"],
        auth=[],
        operation_id="auth_google_token",
        summary="Sign in with a Google ID token (apps)",
        description=(
            "Verifies the ID token against Google's published keys (cached) and checks its "
            "audience, issuer, expiry and `email_verified`, then returns the same JWT pair "
            "as password login. A first login creates a `user` account without a password. "
            + COOKIE_MODE_NOTE
        ),
        request=GoogleTokenLoginInputSerializer,
        responses={
            200: TokenPairSerializer,
            **error_responses(400, 401, 403, 409, 429, 503),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = GoogleTokenLoginInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        id_token = serializer.validated_data["id_token"]
        ip = client_ip(request)

        try:
            sociallogin = google_id_token_verify(request=request._request, id_token=id_token)
        except InvalidGoogleToken:
            logger.warning(
                "Google token login failed: invalid ID token, sub=%s client_ip=%s",
                id_token_subject(id_token),
                ip,
            )
            raise

        throttle_account(request, endpoint="google", account=f"google:{sociallogin.account.uid}")
        sociallogin.lookup()
        try:
            user = social_login_complete(
                request=request._request, sociallogin=sociallogin, client_ip=ip
            )
        except ApplicationError as exc:
            logger.warning(
                "Google token login failed: %s, sub=%s client_ip=%s",
                exc.get_codes(),
                sociallogin.account.uid,
                ip,
            )
            raise

        logger.info("Google token login of account %s, client_ip=%s", user.pk, ip)
        return _token_response(
            request,
            user,
            issue_token_pair(user),
            use_cookies=serializer.validated_data["use_cookies"],
            status_code=status.HTTP_200_OK,
        )
