"""Rate limits of the login endpoints: one budget per client IP and one per account.

The counters are DRF's `SimpleRateThrottle` history lists in the default cache, so with
Redis (REDIS_URL) every worker and every instance shares one budget. A rejected request
gets DRF's `Throttled` error: 429 with `Retry-After` in seconds.

Rates come from `settings.AUTH_THROTTLE_RATES`, read on each request, keyed by scope:
`<endpoint>_ip` and `<endpoint>_account`. A view names its endpoint in
`throttle_endpoint` and, for the per-account budget, returns the account key from
`get_throttle_account(request)`, or None when the request names no account.
"""

import hashlib
import logging

from django.conf import settings
from rest_framework import exceptions
from rest_framework.throttling import SimpleRateThrottle
from rest_framework_simplejwt.exceptions import TokenBackendError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.state import token_backend

from accounts.client_ip import client_ip

logger = logging.getLogger(__name__)


def _hash(value: str) -> str:
    # Cache keys and logs never contain an email address in clear text.
    return hashlib.sha256(value.encode()).hexdigest()[:32]


class _AuthRateThrottle(SimpleRateThrottle):
    kind = ""

    def __init__(self) -> None:
        # SimpleRateThrottle reads the rate in __init__ from the scope, which is only known
        # once the view is; allow_request() sets both.
        pass

    def get_rate(self) -> str:
        try:
            return settings.AUTH_THROTTLE_RATES[self.scope]
        except KeyError as exc:
            raise KeyError(f"No rate in AUTH_THROTTLE_RATES for scope {self.scope!r}") from exc

    def allow_request(self, request, view) -> bool:
        self.scope = f"{view.throttle_endpoint}_{self.kind}"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        allowed = super().allow_request(request, view)
        if not allowed:
            logger.warning(
                "Throttled %s %s: scope=%s rate=%s client_ip=%s",
                request.method,
                request.path,
                self.scope,
                self.rate,
                client_ip(request),
            )
        return allowed


class ClientIPRateThrottle(_AuthRateThrottle):
    """Budget of one client IP address on one endpoint."""

    kind = "ip"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}


class AccountRateThrottle(_AuthRateThrottle):
    """Budget of one account on one endpoint, whatever IP addresses the requests come from."""

    kind = "account"

    def get_cache_key(self, request, view) -> str | None:
        account = view.get_throttle_account(request)
        if not account:
            return None
        return self.cache_format % {"scope": self.scope, "ident": _hash(account)}


AUTH_THROTTLE_CLASSES = [ClientIPRateThrottle, AccountRateThrottle]


class _FixedAccount:
    def __init__(self, endpoint: str, account: str) -> None:
        self.throttle_endpoint = endpoint
        self._account = account

    def get_throttle_account(self, request) -> str:
        return self._account


def throttle_account(request, *, endpoint: str, account: str) -> None:
    """Count one request against `account`'s budget on `endpoint`; raise Throttled when spent.

    For views that learn the account only after verifying the request, such as the Google
    endpoints, where the account is the `sub` of a verified ID token.
    """
    throttle = AccountRateThrottle()
    if not throttle.allow_request(request, _FixedAccount(endpoint, account)):
        raise exceptions.Throttled(wait=throttle.wait())


def refresh_token_account(raw: str | None) -> str | None:
    """Return the account key of a refresh token whose signature and expiry check out.

    Only a token signed by us names an account, so forged tokens cannot spend another
    account's refresh budget. The view checks the blacklist.
    """
    if not isinstance(raw, str) or not raw:
        return None
    try:
        payload = token_backend.decode(raw, verify=True)
    except TokenBackendError:
        return None
    user_id = payload.get(jwt_settings.USER_ID_CLAIM)
    if payload.get(jwt_settings.TOKEN_TYPE_CLAIM) != "refresh" or user_id is None:
        return None
    return f"user:{user_id}"
