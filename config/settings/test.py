"""Settings for the test suite: the same stack as development, with fast password hashing."""

import os

from django.contrib.auth.hashers import BCryptSHA256PasswordHasher

from .base import *  # noqa: F403


class FastBCryptSHA256PasswordHasher(BCryptSHA256PasswordHasher):
    """The production hasher with the fewest rounds bcrypt allows, so tests stay quick."""

    rounds = 4


PASSWORD_HASHERS = ["config.settings.test.FastBCryptSHA256PasswordHasher"]

# The cookies are `Secure` outside development; tests check that flag explicitly.
AUTH_COOKIE_SECURE = True

# A test database of its own per run, so that runs started at the same time against one
# PostgreSQL server (two checkouts, or a developer and CI) never drop each other's database.
if "postgresql" in DATABASES["default"]["ENGINE"]:  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}  # noqa: F405
# Likewise a cache key prefix per run, for runs that share one Redis database.
CACHES["default"]["KEY_PREFIX"] = f"test{os.getpid()}"  # noqa: F405
