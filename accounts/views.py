import logging

from django.conf import settings
from django.contrib.auth import authenticate
from django.middleware.csrf import get_token
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.authentication import enforce_csrf
from accounts.client_ip import client_ip
from accounts.models import Role, User
from accounts.serializers import (
    AvailablePersonSerializer,
    LoginInputSerializer,
    LogoutInputSerializer,
    MeUpdateInputSerializer,
    RefreshInputSerializer,
    SignupInputSerializer,
    TokenPairSerializer,
    UserSerializer,
)
from accounts.throttles import AUTH_THROTTLE_CLASSES, refresh_token_account
from accounts.tokens import clear_auth_cookies, issue_token_pair, set_auth_cookies
from config.schema import error_responses

logger = logging.getLogger(__name__)

COOKIE_MODE_NOTE = (
    "With `use_cookies` true the tokens are set as HTTP-only cookies (`access_token`, and "
    "`refresh_token` on /auth/) and left out of the body; a `csrftoken` cookie is set too, whose "
    "value goes in the `X-CSRFToken` header of every unsafe request made with the cookies."
)


def _token_response(
    request: Request, user: User, pair: dict[str, str], *, use_cookies: bool, status_code: int
) -> Response:
    if use_cookies:
        response = Response({"user": UserSerializer(user).data}, status=status_code)
        set_auth_cookies(response, pair)
        # Makes CsrfViewMiddleware send the csrftoken cookie that cookie clients must echo.
        get_token(request._request)
        return response
    return Response({**pair, "user": UserSerializer(user).data}, status=status_code)


class PublicAuthView(APIView):
    """Base for the endpoints that hand out tokens.

    They run no authentication, so a stale or garbage token left in a header or cookie
    never blocks a login or a sign-up.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def get_authenticate_header(self, request: Request) -> str:
        # Without an authenticator DRF would turn a failed login into 403; it is a 401.
        return 'Bearer realm="api"'


def _email_account(request: Request) -> str | None:
    # Throttles run before validation, so the body may be anything. Without a usable email
    # only the per-IP budget applies, and validation then rejects the request.
    email = request.data.get("email") if isinstance(request.data, dict) else None
    if not isinstance(email, str) or not email.strip():
        return None
    return "email:" + email.strip().lower()


class SignupView(PublicAuthView):
    throttle_classes = AUTH_THROTTLE_CLASSES
    throttle_endpoint = "signup"

    def get_throttle_account(self, request: Request) -> str | None:
        return _email_account(request)

    @extend_schema(
        tags=["auth"],
        summary="Create an account and log in",
        description=COOKIE_MODE_NOTE,
        request=SignupInputSerializer,
        responses={201: TokenPairSerializer, **error_responses(400, 429)},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = SignupInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data

        user = services.user_signup(
            email=data["email"], password=data["password"], name=data["name"]
        )
        logger.info("Account %s signed up from %s", user.pk, client_ip(request))

        return _token_response(
            request,
            user,
            issue_token_pair(user),
            use_cookies=data["use_cookies"],
            status_code=status.HTTP_201_CREATED,
        )


class LoginView(PublicAuthView):
    throttle_classes = AUTH_THROTTLE_CLASSES
    throttle_endpoint = "login"

    def get_throttle_account(self, request: Request) -> str | None:
        return _email_account(request)

    @extend_schema(
        tags=["auth"],
        summary="Log in with email and password",
        description=COOKIE_MODE_NOTE,
        request=LoginInputSerializer,
        responses={200: TokenPairSerializer, **error_responses(400, 401, 429)},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = LoginInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data

        # ModelBackend returns None for an unknown email, a wrong or unusable password and an
        # inactive account alike, and hashes once even when the email is unknown, so neither the
        # body nor the timing reveals which of them it was.
        user = authenticate(
            request._request, email=data["email"].lower(), password=data["password"]
        )
        if user is None:
            logger.warning(
                "Failed login: reason=invalid_credentials client_ip=%s", client_ip(request)
            )
            raise exceptions.AuthenticationFailed(
                "Invalid email or password.", code="invalid_credentials"
            )

        return _token_response(
            request,
            user,
            issue_token_pair(user),
            use_cookies=data["use_cookies"],
            status_code=status.HTTP_200_OK,
        )


class RefreshView(PublicAuthView):
    throttle_classes = AUTH_THROTTLE_CLASSES
    throttle_endpoint = "refresh"

    def get_throttle_account(self, request: Request) -> str | None:
        raw = request.data.get("refresh") if isinstance(request.data, dict) else None
        if not isinstance(raw, str) or not raw:
            raw = request.COOKIES.get(settings.AUTH_COOKIE_REFRESH)
        return refresh_token_account(raw)

    @extend_schema(
        tags=["auth"],
        summary="Exchange a refresh token for a new pair",
        description=(
            "Refresh tokens rotate: the one sent is blacklisted, and sending it again gets 401. "
            "The token comes from the body or, if absent there, from the refresh cookie; a "
            "cookie request must carry the `X-CSRFToken` header and gets the new pair as cookies."
        ),
        request=RefreshInputSerializer,
        responses={200: TokenPairSerializer, **error_responses(400, 401, 403, 429)},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = RefreshInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data

        raw = data.get("refresh")
        use_cookies = data["use_cookies"]
        if not raw:
            raw = request.COOKIES.get(settings.AUTH_COOKIE_REFRESH)
            if not raw:
                raise exceptions.ValidationError(
                    {"refresh": ["This field is required unless the refresh cookie is sent."]}
                )
            enforce_csrf(request)
            use_cookies = True

        try:
            user, pair = services.refresh_rotate(raw_refresh=raw)
        except exceptions.AuthenticationFailed as error:
            logger.warning(
                "Failed refresh: reason=%s client_ip=%s", error.get_codes(), client_ip(request)
            )
            raise
        return _token_response(
            request, user, pair, use_cookies=use_cookies, status_code=status.HTTP_200_OK
        )


class LogoutView(APIView):
    @extend_schema(
        tags=["auth"],
        summary="Log out: revoke the refresh token and clear the cookies",
        request=LogoutInputSerializer,
        responses={
            204: OpenApiResponse(description="Logged out."),
            **error_responses(400, 401, 403),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = LogoutInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        raw = serializer.validated_data.get("refresh") or request.COOKIES.get(
            settings.AUTH_COOKIE_REFRESH
        )
        if not raw:
            raise exceptions.ValidationError(
                {"refresh": ["This field is required unless the refresh cookie is sent."]}
            )
        services.refresh_revoke(user=request.user, raw_refresh=raw)

        response = Response(status=status.HTTP_204_NO_CONTENT)
        clear_auth_cookies(response)
        return response


class MeView(APIView):
    @extend_schema(
        tags=["auth"],
        summary="The caller's account",
        responses={200: UserSerializer, **error_responses(401)},
    )
    def get(self, request: Request) -> Response:
        return Response(UserSerializer(request.user).data)

    @extend_schema(
        tags=["auth"],
        summary="Change the caller's name or availability",
        request=MeUpdateInputSerializer,
        responses={200: UserSerializer, **error_responses(400, 401, 403)},
    )
    def patch(self, request: Request) -> Response:
        serializer = MeUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        user = services.user_update(user=request.user, **serializer.validated_data)
        return Response(UserSerializer(user).data)


class AvailablePeopleView(APIView):
    """Available people of one role; each route fixes `role`."""

    role: Role = Role.USER

    def get(self, request: Request) -> Response:
        # Plain rows with exactly the keys of AvailablePersonSerializer, in its order: the
        # list is unpaginated (thousands of rows), and building a model instance and
        # running the serializer's fields for each row cost more than the query.
        rows = selectors.available_people(role=self.role).values(
            *AvailablePersonSerializer.Meta.fields
        )
        return Response(list(rows))


class AvailableUsersView(AvailablePeopleView):
    role = Role.USER

    @extend_schema(
        tags=["availability"],
        summary="Available users, least loaded first",
        responses={200: AvailablePersonSerializer(many=True), **error_responses(401)},
    )
    def get(self, request: Request) -> Response:
        return super().get(request)


class AvailableAdminsView(AvailablePeopleView):
    role = Role.ADMIN

    @extend_schema(
        tags=["availability"],
        summary="Available administrators, least loaded first",
        responses={200: AvailablePersonSerializer(many=True), **error_responses(401)},
    )
    def get(self, request: Request) -> Response:
        return super().get(request)
