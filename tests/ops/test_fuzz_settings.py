"""config.settings.fuzz: Google and Gemini only ever at 127.0.0.1, and nothing left unset.

Each case imports the settings in a child process, because the production settings read
the environment once, at import.
"""

import subprocess
import sys

import pytest

from bench.servers import REPO_ROOT, production_env

CHILD = """
from django.conf import settings
google = settings.SOCIALACCOUNT_PROVIDERS["google"]
print(google["APP"]["client_id"])
for key in ("AUTHORIZE_URL", "ACCESS_TOKEN_URL", "CERTS_URL", "IDENTITY_URL"):
    print(google[key])
"""

VALID = {
    "FAKE_GOOGLE_URL": "http://127.0.0.1:41000",
    "GOOGLE_CLIENT_ID": "fuzz.apps.googleusercontent.com",
    "GOOGLE_CLIENT_SECRET": "fake-secret",
    "GEMINI_API_KEY": "fake-key",
    "GEMINI_BASE_URL": "http://127.0.0.1:41001",
}


def _load(**overrides: str) -> subprocess.CompletedProcess:
    env = production_env("postgres://postgres@127.0.0.1:1/unused", **{**VALID, **overrides})
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.fuzz"
    return subprocess.run(
        [sys.executable, "-c", CHILD],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_fuzz_settings_point_google_at_fake():
    completed = _load()

    assert completed.returncode == 0, completed.stderr[-2000:]
    lines = completed.stdout.split()
    assert lines[0] == "fuzz.apps.googleusercontent.com"
    assert lines[1:] == [
        "http://127.0.0.1:41000/o/oauth2/v2/auth",
        "http://127.0.0.1:41000/token",
        "http://127.0.0.1:41000/oauth2/v1/certs",
        "http://127.0.0.1:41000/oauth2/v2/userinfo",
    ]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("FAKE_GOOGLE_URL", ""),
        ("FAKE_GOOGLE_URL", "https://accounts.google.com"),
        ("FAKE_GOOGLE_URL", "http://127.0.0.1.example.com:80"),
        ("FAKE_GOOGLE_URL", "http://127.0.0.1:41000@accounts.google.com"),
        ("FAKE_GOOGLE_URL", "http://localhost:41000"),
        ("GEMINI_BASE_URL", ""),
        ("GEMINI_BASE_URL", "https://generativelanguage.googleapis.com"),
    ],
)
def test_fuzz_settings_reject_remote_url(name, value):
    completed = _load(**{name: value})

    assert completed.returncode != 0
    assert "ImproperlyConfigured" in completed.stderr
    assert f"{name} must be http://127.0.0.1:<port>" in completed.stderr


@pytest.mark.parametrize("name", ["GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET", "GEMINI_API_KEY"])
def test_fuzz_settings_require_credentials(name):
    completed = _load(**{name: ""})

    assert completed.returncode != 0
    assert f"{name} is missing" in completed.stderr
