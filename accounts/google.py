"""Glue between allauth's Google provider and our API: configuration, ID token checks,
the signing-certificate cache and the allow-list of front-end redirect targets.

allauth does the cryptography. `GoogleProvider.verify_token` checks the ID token's RS256
signature against Google's published certificates, its issuer, audience (our client id)
and expiry, and the callback of the browser flow exchanges the code over TLS the same way.
"""

import hashlib
import logging
import re
from urllib.parse import urlsplit

import jwt
import requests
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.models import SocialLogin
from allauth.socialaccount.providers.google import views as google_views
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from rest_framework import status

from config.errors import ApplicationError

logger = logging.getLogger(__name__)

GOOGLE_PROVIDER_ID = "google"

# Google signs ID tokens with RS256. Any other `alg` in the header is rejected here,
# because allauth picks the verification algorithm from that same header.
GOOGLE_ID_TOKEN_ALGORITHM = "RS256"  # noqa: S105 - an algorithm name, not a secret

# Bounds on how long the signing certificates stay cached. Google sends a max-age of
# several hours with them; without one the default applies.
CERTS_CACHE_DEFAULT_SECONDS = 3600
CERTS_CACHE_MIN_SECONDS = 60
CERTS_CACHE_MAX_SECONDS = 24 * 3600
_MAX_AGE = re.compile(r"max-age=(\d+)")
_SUBJECT = re.compile(r"[0-9A-Za-z_-]{1,255}")


class GoogleNotConfigured(ApplicationError):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "google_not_configured"

    def __init__(self, detail: str = "Google login is not configured on this server.") -> None:
        super().__init__(detail)


class GoogleUnavailable(ApplicationError):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "google_unavailable"

    def __init__(self) -> None:
        super().__init__("Google's signing keys could not be fetched; try again later.")


class InvalidGoogleToken(ApplicationError):
    status_code = status.HTTP_401_UNAUTHORIZED
    default_code = "invalid_google_token"

    def __init__(self) -> None:
        super().__init__(
            "The Google ID token is invalid or expired: its signature, issuer, audience "
            "or expiry did not check out."
        )


def google_provider(request: HttpRequest):
    """Return allauth's Google provider bound to our app, or raise GoogleNotConfigured."""
    adapter = get_social_adapter(request)
    apps = [app for app in adapter.list_apps(request, provider=GOOGLE_PROVIDER_ID) if app.client_id]
    if not apps:
        raise GoogleNotConfigured("Google login is not configured: GOOGLE_CLIENT_ID is not set.")
    return adapter.get_provider(request, GOOGLE_PROVIDER_ID, client_id=apps[0].client_id)


def google_id_token_verify(*, request: HttpRequest, id_token: str) -> SocialLogin:
    """Verify a Google ID token with allauth and return the unsaved SocialLogin it describes.

    Raises InvalidGoogleToken for any token that fails a check, GoogleUnavailable when the
    certificates cannot be fetched, GoogleNotConfigured without a client id.
    """
    provider = google_provider(request)
    _check_header(id_token)
    try:
        sociallogin = provider.verify_token(request, {"id_token": id_token})
    except ValidationError as exc:
        if isinstance(exc.__cause__, requests.RequestException):
            logger.error("Fetching Google's signing certificates failed: %s", exc.__cause__)
            raise GoogleUnavailable() from exc
        raise InvalidGoogleToken() from exc
    # PyJWT checks `exp` only when the claim is present; Google always sets it.
    if not isinstance(sociallogin.account.extra_data.get("exp"), int):
        raise InvalidGoogleToken()
    return sociallogin


def _check_header(id_token: str) -> None:
    # allauth reads the header's `kid` without a check and trusts its `alg`. A token without
    # them, or with another algorithm, must fail as an invalid token, not as a KeyError.
    try:
        header = jwt.get_unverified_header(id_token)
    except jwt.PyJWTError as exc:
        raise InvalidGoogleToken() from exc
    if header.get("alg") != GOOGLE_ID_TOKEN_ALGORITHM or not isinstance(header.get("kid"), str):
        raise InvalidGoogleToken()


def id_token_subject(id_token: str) -> str | None:
    """Return the unverified `sub` claim, for logs only; never trust it for a decision.

    A `sub` that is not a plain identifier (Google's are digits) is returned as None, so a
    forged token cannot write line breaks or other text into the logs.
    """
    try:
        claims = jwt.decode(id_token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    subject = claims.get("sub")
    if isinstance(subject, str) and _SUBJECT.fullmatch(subject):
        return subject
    return None


# ---------------------------------------------------------------------------
# Signing-certificate cache
# ---------------------------------------------------------------------------


class CertsCachingSession(requests.Session):
    """A requests session that serves GETs of Google's certificate URL from the cache.

    allauth fetches the certificates through the social account adapter's session on every
    verification. This session keeps them in the default cache for the max-age Google
    sends, so all workers share one copy. Other URLs pass through unchanged.

    NOTE: a token signed with a key newer than the cached certificates gets 401 until the
    cache entry expires, because nothing refetches on an unknown `kid`.
    """

    def request(self, method, url, *args, **kwargs):
        if method.upper() != "GET" or url != google_views.CERTS_URL:
            return super().request(method, url, *args, **kwargs)

        cache_key = "google-certs:" + hashlib.sha256(url.encode()).hexdigest()
        content = cache.get(cache_key)
        if content is not None:
            return _response_from_cache(url, content)

        response = super().request(method, url, *args, **kwargs)
        if response.ok and _is_json_object(response):
            cache.set(cache_key, response.content, timeout=_cache_seconds(response))
            logger.info("Fetched Google's signing certificates from %s", url)
        return response


def _is_json_object(response: requests.Response) -> bool:
    try:
        return isinstance(response.json(), dict)
    except ValueError:
        return False


def _cache_seconds(response: requests.Response) -> int:
    match = _MAX_AGE.search(response.headers.get("Cache-Control", ""))
    if match is None:
        return CERTS_CACHE_DEFAULT_SECONDS
    return max(CERTS_CACHE_MIN_SECONDS, min(int(match.group(1)), CERTS_CACHE_MAX_SECONDS))


def _response_from_cache(url: str, content: bytes) -> requests.Response:
    response = requests.Response()
    response.status_code = 200
    response.url = url
    response._content = content
    response.headers["Content-Type"] = "application/json"
    return response


# ---------------------------------------------------------------------------
# Front-end redirect targets of the browser flow
# ---------------------------------------------------------------------------


def _origin(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    default_port = 443 if parts.scheme == "https" else 80
    host = parts.hostname if port in (None, default_port) else f"{parts.hostname}:{port}"
    return f"{parts.scheme}://{host}"


def allowed_redirect_origins() -> set[str]:
    origins = {_origin(value) for value in settings.GOOGLE_LOGIN_REDIRECT_ALLOWED_ORIGINS}
    origins.add(_origin(settings.GOOGLE_LOGIN_REDIRECT_URL))
    origins.discard(None)
    return origins


def is_allowed_redirect(url: str) -> bool:
    """Tell whether the browser flow may send the user to `url` (an absolute http(s) URL)."""
    # Browsers read a backslash as a slash, urlsplit does not, so both must agree first.
    if not isinstance(url, str) or any(char in url for char in "\\\r\n\t"):
        return False
    origin = _origin(url)
    return origin is not None and origin in allowed_redirect_origins()
