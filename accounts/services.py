"""Writes on accounts: sign-up, profile changes and the refresh-token lifecycle."""

import logging

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from rest_framework import exceptions
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import Role, User
from accounts.tokens import issue_token_pair

logger = logging.getLogger(__name__)


@transaction.atomic
def user_signup(*, email: str, password: str, name: str) -> User:
    """Create a `user`-role account; the role is never taken from the client."""
    email = email.strip().lower()
    if User.objects.filter(email=email).exists():
        raise exceptions.ValidationError({"email": ["An account with this email already exists."]})

    candidate = User(email=email, name=name, role=Role.USER)
    try:
        password_validation.validate_password(password, user=candidate)
    except DjangoValidationError as error:
        raise exceptions.ValidationError({"password": list(error.messages)}) from error

    candidate.set_password(password)
    try:
        # A savepoint, so that losing a sign-up race leaves the request transaction usable.
        with transaction.atomic():
            candidate.save()
    except IntegrityError as error:
        raise exceptions.ValidationError(
            {"email": ["An account with this email already exists."]}
        ) from error
    return candidate


@transaction.atomic
def user_update(*, user: User, name: str | None = None, is_available: bool | None = None) -> User:
    changed = []
    if name is not None:
        user.name = name
        changed.append("name")
    if is_available is not None:
        user.is_available = is_available
        changed.append("is_available")
    if changed:
        user.save(update_fields=[*changed, "updated_at"])
    return user


def _parse_refresh(raw: str) -> RefreshToken:
    try:
        return RefreshToken(raw)
    except TokenError as error:
        raise exceptions.AuthenticationFailed(
            "The refresh token is invalid, expired or already used.", code="token_not_valid"
        ) from error


@transaction.atomic
def refresh_rotate(*, raw_refresh: str) -> tuple[User, dict[str, str]]:
    """Exchange a refresh token for a new pair and blacklist the old one.

    The outstanding-token row is locked, so two requests racing with the same refresh
    token cannot both succeed: the second finds it blacklisted and gets 401.
    """
    token = _parse_refresh(raw_refresh)
    outstanding = OutstandingToken.objects.select_for_update().filter(jti=token["jti"]).first()
    if outstanding is None or BlacklistedToken.objects.filter(token=outstanding).exists():
        raise exceptions.AuthenticationFailed(
            "The refresh token is invalid, expired or already used.", code="token_not_valid"
        )

    user = User.objects.filter(pk=token.get("user_id")).first()
    if user is None or not user.is_active:
        logger.info("Refresh rejected: account %s missing or inactive", token.get("user_id"))
        raise exceptions.AuthenticationFailed(
            "No active account found for this token.", code="no_active_account"
        )

    BlacklistedToken.objects.create(token=outstanding)
    return user, issue_token_pair(user)


@transaction.atomic
def refresh_revoke(*, user: User, raw_refresh: str) -> None:
    """Blacklist a refresh token of `user` (log out). Another user's token is rejected."""
    try:
        token = RefreshToken(raw_refresh)
    except TokenError as error:
        raise exceptions.ValidationError(
            {"refresh": ["The refresh token is invalid, expired or already used."]}
        ) from error
    if str(token.get("user_id")) != str(user.pk):
        raise exceptions.ValidationError(
            {"refresh": ["The refresh token belongs to another user."]}
        )
    token.blacklist()
