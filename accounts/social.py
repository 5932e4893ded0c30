"""Services that map a verified Google identity to a local user, for both Google flows.

Linking rules, in order:

1. A Google account already linked (same provider and `sub`) signs in as its user.
2. Google must vouch for the email address (`email_verified`), otherwise nothing happens.
3. No user has the address (compared case-insensitively): a new `user`-role account with
   an unusable password is created and linked.
4. A user has the address but no Google link: it is linked only when Google is
   authoritative for the address. That is a Gmail address, or a Google Workspace address
   whose `hd` claim names its domain, and only then does the holder of the Google account
   control that mailbox today. Our password signup never verifies addresses, so the
   account may have been registered by someone else in advance; as allauth does for
   unverified addresses, the password is made unusable and every refresh token of the
   account is revoked, leaving the account only to the Google identity.
5. A user whose address Google is not authoritative for, or who is already linked to a
   different Google account, is never linked: the request gets 409 and no user is made.

Inactive users get 403 whichever rule found them.
"""

import logging

from allauth.socialaccount.models import SocialAccount, SocialLogin
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from rest_framework import status
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts.google import GOOGLE_PROVIDER_ID
from accounts.models import Role, User
from config.errors import ApplicationError, Conflict

logger = logging.getLogger(__name__)

GOOGLE_CONSUMER_DOMAINS = frozenset({"gmail.com", "googlemail.com"})
NAME_MAX_LENGTH = User._meta.get_field("name").max_length


class GoogleEmailNotVerified(ApplicationError):
    status_code = status.HTTP_403_FORBIDDEN
    default_code = "google_email_not_verified"

    def __init__(self) -> None:
        super().__init__(
            "Google has not verified the email address of this Google account; verify it "
            "with Google first."
        )


class AccountInactive(ApplicationError):
    status_code = status.HTTP_403_FORBIDDEN
    default_code = "account_inactive"

    def __init__(self) -> None:
        super().__init__("This account is disabled.")


class GoogleAccountConflict(Conflict):
    default_code = "google_account_conflict"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)


def google_is_authoritative(*, email: str, claims: dict) -> bool:
    """Tell whether Google, not just a past verification, vouches for `email` today.

    Google owns Gmail addresses and never reassigns them; for a Workspace address the
    `hd` claim names the domain the Workspace organisation controls.
    """
    domain = email.rpartition("@")[2].lower()
    if domain in GOOGLE_CONSUMER_DOMAINS:
        return True
    hosted_domain = claims.get("hd")
    return isinstance(hosted_domain, str) and hosted_domain.lower() == domain


def _verified_email(sociallogin: SocialLogin) -> str:
    # allauth's Google provider turns `email` and `email_verified` into this list, parsing
    # the flag the same way for ID tokens and for the userinfo endpoint.
    addresses = [address for address in sociallogin.email_addresses if address.email]
    if not addresses or not addresses[0].verified:
        raise GoogleEmailNotVerified()
    return addresses[0].email.strip().lower()


def _ensure_active(user: User, *, client_ip: str) -> None:
    if not user.is_active:
        logger.warning(
            "Google login rejected: account %s is inactive, client_ip=%s", user.pk, client_ip
        )
        raise AccountInactive()


@transaction.atomic
def social_login_complete(
    *, request: HttpRequest, sociallogin: SocialLogin, client_ip: str
) -> User:
    """Return the active user that a looked-up Google SocialLogin signs in as.

    `sociallogin.lookup()` must have run, so an existing link is already resolved. Creates
    or links accounts by the rules in this module's docstring; raises ApplicationError
    subclasses (403, 409) when it refuses, having written nothing.
    """
    email = _verified_email(sociallogin)

    if sociallogin.is_existing:
        user = sociallogin.user
        _ensure_active(user, client_ip=client_ip)
        return user

    existing = User.objects.select_for_update().filter(email__iexact=email).first()
    if existing is None:
        return _create_user(request=request, sociallogin=sociallogin, email=email)

    _ensure_active(existing, client_ip=client_ip)
    claims = sociallogin.account.extra_data
    if SocialAccount.objects.filter(user=existing, provider=GOOGLE_PROVIDER_ID).exists():
        logger.warning(
            "Google login rejected: account %s is linked to another Google account, client_ip=%s",
            existing.pk,
            client_ip,
        )
        raise GoogleAccountConflict(
            "This email address belongs to an account that is linked to a different Google "
            "account. Sign in with that Google account."
        )
    if not google_is_authoritative(email=email, claims=claims):
        logger.warning(
            "Google login rejected: Google is not authoritative for the address of account %s, "
            "client_ip=%s",
            existing.pk,
            client_ip,
        )
        raise GoogleAccountConflict(
            "An account with this email address already exists and Google cannot confirm that "
            "you own the address today. Sign in with your password."
        )

    _take_over_for_google(existing)
    sociallogin.connect(request, existing)
    logger.info(
        "Linked Google account to existing account %s, client_ip=%s", existing.pk, client_ip
    )
    return existing


def _create_user(*, request: HttpRequest, sociallogin: SocialLogin, email: str) -> User:
    claims = sociallogin.account.extra_data
    name = claims.get("name") if isinstance(claims.get("name"), str) else ""
    user = sociallogin.user
    user.email = email
    user.name = (name.strip() or email.partition("@")[0])[:NAME_MAX_LENGTH]
    user.role = Role.USER
    user.set_unusable_password()
    try:
        # A savepoint, so that losing a race to a concurrent first login for the same
        # address leaves the request's transaction usable for the error response.
        with transaction.atomic():
            sociallogin.save(request)
    except IntegrityError as exc:
        logger.warning("Google sign-up for a new account lost a race to a concurrent one: %s", exc)
        raise GoogleAccountConflict(
            "This account was created by another sign-in at the same moment; try again."
        ) from exc
    logger.info("Created account %s from a Google login", user.pk)
    return user


def _take_over_for_google(user: User) -> None:
    # The person who set the password may not own the address, so the password stops
    # working, and so do refresh tokens issued by password login. Access tokens already
    # issued stay valid until they expire (JWT_ACCESS_MINUTES).
    if user.has_usable_password():
        user.set_unusable_password()
        user.save(update_fields=["password", "updated_at"])
    outstanding = OutstandingToken.objects.filter(user=user).exclude(blacklistedtoken__isnull=False)
    revoked = 0
    for token in outstanding:
        BlacklistedToken.objects.get_or_create(token=token)
        revoked += 1
    logger.info(
        "Made the password of account %s unusable and revoked %s refresh tokens before "
        "linking Google",
        user.pk,
        revoked,
    )
