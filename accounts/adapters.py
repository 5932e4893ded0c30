"""allauth adapters: where allauth's Google flow hands over to our accounts and tokens.

allauth runs the browser flow up to a verified SocialLogin; `pre_social_login` then
resolves the user with `accounts.social.social_login_complete` and returns our own
redirect carrying the JWT cookies, so allauth's session login never runs. Errors of the
flow become a redirect to the front end with an `error` code and no tokens.
"""

import functools
import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount import app_settings as socialaccount_settings
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base.constants import AuthError

from accounts.client_ip import client_ip
from accounts.google import CertsCachingSession, is_allowed_redirect

logger = logging.getLogger(__name__)


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # allauth's own signup forms are not mounted; Google sign-ups go through
        # SocialAccountAdapter, which has its own rules.
        return False

    def is_safe_url(self, url) -> bool:
        # allauth keeps the `next` URL of the browser flow in its state. Only front-end
        # origins on the allow-list may receive the user, never a relative path on this API.
        return bool(url) and is_allowed_redirect(url)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin) -> bool:
        return True

    def get_requests_session(self):
        session = CertsCachingSession()
        session.request = functools.partial(
            session.request, timeout=socialaccount_settings.REQUESTS_TIMEOUT
        )
        return session

    def pre_social_login(self, request, sociallogin) -> None:
        from accounts.google_views import finish_browser_login

        raise ImmediateHttpResponse(finish_browser_login(request, sociallogin))

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ) -> None:
        from accounts.google_views import browser_error_redirect

        # Only the exception's class is logged: its text can quote the provider's response.
        logger.warning(
            "Google browser login failed: error=%s exception=%s client_ip=%s",
            error,
            type(exception).__name__ if exception else None,
            client_ip(request),
        )
        code = "google_login_cancelled" if error == AuthError.CANCELLED else "google_login_failed"
        state = (extra_context or {}).get("state") or {}
        raise ImmediateHttpResponse(browser_error_redirect(code=code, next_url=state.get("next")))
