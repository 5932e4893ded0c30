"""The first Google login of a fresh process, as in a newly started gunicorn worker.

allauth 65 imports `jwt` and `cryptography` submodules lazily, on the first token it
verifies. The test process has imported them already (the fake Google signs with them),
so this runs the first verification in a child process that has not.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]

CHILD = """
import json, os, sys
import django
django.setup()
preloaded = sorted(name for name in sys.modules if name.startswith("cryptography.x509"))
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.test import Client
response = Client(HTTP_HOST="127.0.0.1").post(
    "/auth/google", {"id_token": os.environ["ID_TOKEN"]}, content_type="application/json"
)
print(json.dumps({"status": response.status_code, "body": response.json(),
                  "preloaded": preloaded}))
"""


@pytest.mark.django_db
def test_first_request_verifies_token(fake_google):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "FAKE_GOOGLE_URL": fake_google.base_url,
        "DATABASE_URL": "sqlite://:memory:",
        "ID_TOKEN": fake_google.id_token(),
    }
    env.pop("REDIS_URL", None)

    completed = subprocess.run(  # noqa: S603 - a fixed script run by this interpreter
        [sys.executable, "-c", CHILD],
        cwd=REPOSITORY,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr[-3000:]
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result["preloaded"] == [], "the child imported cryptography.x509 before the request"
    assert result["status"] == 200, result["body"]
    assert result["body"]["user"]["email"] == "ann@gmail.com"
    assert fake_google.requests_to("/oauth2/v1/certs") == 1
