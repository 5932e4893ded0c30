"""Settings for the test suite: the same stack as development, with fast password hashing."""

from django.contrib.auth.hashers import BCryptSHA256PasswordHasher

from .base import *  # noqa: F403


class FastBCryptSHA256PasswordHasher(BCryptSHA256PasswordHasher):
    """The production hasher with the fewest rounds bcrypt allows, so tests stay quick."""

    rounds = 4


PASSWORD_HASHERS = ["config.settings.test.FastBCryptSHA256PasswordHasher"]

# The cookies are `Secure` outside development; tests check that flag explicitly.
AUTH_COOKIE_SECURE = True
