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

# ---------------------------------------------------------------------------
# Google login against a fake Google on 127.0.0.1
# ---------------------------------------------------------------------------
# allauth's Google provider reads these URLs once, when its views module is imported, so
# the port of the fake (tests/accounts/fake_google.py) is chosen here, before that import,
# and the fixture binds it. No test traffic can reach Google's real hosts.


def _free_local_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# A child process started by a test inherits the parent's fake through the environment.
FAKE_GOOGLE_URL = env.str("FAKE_GOOGLE_URL", default="") or (  # noqa: F405
    f"http://127.0.0.1:{_free_local_port()}"
)
if not FAKE_GOOGLE_URL.startswith("http://127.0.0.1:"):
    raise ImproperlyConfigured(  # noqa: F405
        f"FAKE_GOOGLE_URL must be http://127.0.0.1:<port>, not {FAKE_GOOGLE_URL!r}."
    )
GOOGLE_CLIENT_ID = "helpdesk-test.apps.googleusercontent.com"
GOOGLE_CLIENT_SECRET = "fake-google-client-secret"  # noqa: S105
SOCIALACCOUNT_PROVIDERS["google"].update(  # noqa: F405
    {
        "APP": {"client_id": GOOGLE_CLIENT_ID, "secret": GOOGLE_CLIENT_SECRET},
        "AUTHORIZE_URL": f"{FAKE_GOOGLE_URL}/o/oauth2/v2/auth",
        "ACCESS_TOKEN_URL": f"{FAKE_GOOGLE_URL}/token",
        "CERTS_URL": f"{FAKE_GOOGLE_URL}/oauth2/v1/certs",
        "IDENTITY_URL": f"{FAKE_GOOGLE_URL}/oauth2/v2/userinfo",
    }
)
GOOGLE_LOGIN_REDIRECT_URL = "http://localhost:3000/signed-in"
GOOGLE_LOGIN_REDIRECT_ALLOWED_ORIGINS = ["http://127.0.0.1:5173"]
