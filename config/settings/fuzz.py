"""Production settings with Google login and Gemini served by fakes on 127.0.0.1: never deploy.

scripts/fuzz_api.py runs gunicorn with these, so that the fuzzer reaches the Google login
and assistant logic instead of their 503 `*_not_configured` answers. The production
settings have no way to move allauth's Google endpoints to another host. Here they all
point at FAKE_GOOGLE_URL (tests/accounts/fake_google.py), which must be
`http://127.0.0.1:<port>`, and GEMINI_BASE_URL must be one too, so no fuzzing request
can reach Google.

Required environment, besides that of production: FAKE_GOOGLE_URL, GOOGLE_CLIENT_ID,
GOOGLE_CLIENT_SECRET, GEMINI_API_KEY and GEMINI_BASE_URL.
"""

import re

from django.core.exceptions import ImproperlyConfigured

from .production import *  # noqa: F403
from .production import (
    GEMINI_API_KEY,
    GEMINI_BASE_URL,
    GOOGLE_CLIENT_ID,
    GOOGLE_CLIENT_SECRET,
    SOCIALACCOUNT_PROVIDERS,
    env,
)

_LOCAL_URL = re.compile(r"http://127\.0\.0\.1:[0-9]{1,5}")


def _require_local_url(name: str, value: str) -> str:
    if not _LOCAL_URL.fullmatch(value):
        raise ImproperlyConfigured(f"{name} must be http://127.0.0.1:<port>, not {value!r}.")
    return value


FAKE_GOOGLE_URL = _require_local_url("FAKE_GOOGLE_URL", env.str("FAKE_GOOGLE_URL", default=""))
_require_local_url("GEMINI_BASE_URL", GEMINI_BASE_URL)
for _name, _value in (
    ("GOOGLE_CLIENT_ID", GOOGLE_CLIENT_ID),
    ("GOOGLE_CLIENT_SECRET", GOOGLE_CLIENT_SECRET),
    ("GEMINI_API_KEY", GEMINI_API_KEY),
):
    if not _value:
        raise ImproperlyConfigured(f"{_name} is missing: set it to the value the fake expects.")

# allauth's Google provider reads these URLs once, when its views module is imported, which
# happens after the settings are loaded.
SOCIALACCOUNT_PROVIDERS = {
    **SOCIALACCOUNT_PROVIDERS,
    "google": {
        **SOCIALACCOUNT_PROVIDERS["google"],
        "APP": {"client_id": GOOGLE_CLIENT_ID, "secret": GOOGLE_CLIENT_SECRET},
        "AUTHORIZE_URL": f"{FAKE_GOOGLE_URL}/o/oauth2/v2/auth",
        "ACCESS_TOKEN_URL": f"{FAKE_GOOGLE_URL}/token",
        "CERTS_URL": f"{FAKE_GOOGLE_URL}/oauth2/v1/certs",
        "IDENTITY_URL": f"{FAKE_GOOGLE_URL}/oauth2/v2/userinfo",
    },
}
