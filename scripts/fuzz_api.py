"""Fuzz the live API with schemathesis against its own OpenAPI schema.

    python scripts/fuzz_api.py [--max-examples 25] [--seed 1] [--max-time 300]

Starts a private PostgreSQL and Redis, the fake Google (tests/accounts/fake_google.py) and
the fake Gemini (tests/assistant/fake_gemini.py), and gunicorn with config.settings.fuzz
(the production settings with Google login and the assistant pointed at those fakes), all
on free ports of 127.0.0.1. It creates an administrator and logs in, writes the schema with
`manage.py spectacular`, and runs `st run` on every operation with that token. The run
fails on any 5xx response and on any response that the schema does not describe (status
code, content type or body). Exits with schemathesis' exit code, or 1 if the server
logged a 5xx response.

Every rate limit (THROTTLE_USER_RATE, THROTTLE_ANON_RATE, the THROTTLE_LOGIN_*,
THROTTLE_SIGNUP_*, THROTTLE_REFRESH_* and THROTTLE_GOOGLE_* budgets and
ASSISTANT_ASK_RATE) is raised to 10000000/minute, because the fuzzer sends thousands of
requests from one address with one token, and 429s would hide the endpoints' logic.

Before the run, the script seeds data through the API as the administrator: a closed
ticket to reopen, a closed ticket to rate, an open ticket with a comment, and two
conversations with the assistant. Their ids go into the schema copy as the `example` of
the operations' path parameters, with valid request bodies, so that schemathesis'
examples phase reaches past the 404s. The auth operations get valid examples too: the
administrator's credentials, refresh tokens, a new account and a Google ID token signed
by the fake.
"""

import argparse
import contextlib
import json
import secrets
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.servers import (  # noqa: E402
    create_user,
    free_port,
    gunicorn_server,
    login,
    manage,
    private_postgres,
    private_redis,
    production_env,
)
from tests.accounts.fake_google import FakeGoogle  # noqa: E402
from tests.assistant.fake_gemini import FakeGemini  # noqa: E402

EMAIL = "fuzz-admin@example.com"
CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_schema_conformance"
)
SETTINGS_MODULE = "config.settings.fuzz"
GOOGLE_CLIENT_ID = "helpdesk-fuzz.apps.googleusercontent.com"
GOOGLE_CLIENT_SECRET = "fake-google-client-secret"  # noqa: S105 - only the fake knows it
GEMINI_API_KEY = "fake-gemini-key"
UNTHROTTLED_RATE = "10000000/minute"
THROTTLE_VARIABLES = (
    "THROTTLE_USER_RATE",
    "THROTTLE_ANON_RATE",
    "THROTTLE_LOGIN_IP",
    "THROTTLE_LOGIN_ACCOUNT",
    "THROTTLE_SIGNUP_IP",
    "THROTTLE_SIGNUP_ACCOUNT",
    "THROTTLE_REFRESH_IP",
    "THROTTLE_REFRESH_ACCOUNT",
    "THROTTLE_GOOGLE_IP",
    "THROTTLE_GOOGLE_ACCOUNT",
    "ASSISTANT_ASK_RATE",
)
# Render's proxy sets this on every request; without it, 301 to HTTPS.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


@contextlib.contextmanager
def running(server: FakeGoogle | FakeGemini) -> Iterator[None]:
    server.start()
    try:
        yield
    finally:
        server.stop()


def fuzz_environment(fake_google: FakeGoogle, fake_gemini: FakeGemini) -> dict[str, str]:
    """Return the environment variables that point the server at the fakes and lift limits."""
    # Nothing listens on this port: the browser login only ever redirects to it.
    front_end = f"http://127.0.0.1:{free_port()}"
    return {
        "FAKE_GOOGLE_URL": fake_google.base_url,
        "GOOGLE_CLIENT_ID": GOOGLE_CLIENT_ID,
        "GOOGLE_CLIENT_SECRET": GOOGLE_CLIENT_SECRET,
        "GOOGLE_LOGIN_REDIRECT_URL": f"{front_end}/signed-in",
        "GOOGLE_LOGIN_REDIRECT_ALLOWED_ORIGINS": front_end,
        "GEMINI_API_KEY": GEMINI_API_KEY,
        "GEMINI_BASE_URL": fake_gemini.base_url,
        **dict.fromkeys(THROTTLE_VARIABLES, UNTHROTTLED_RATE),
    }


def _api(session: requests.Session, base_url: str, method: str, path: str, **kwargs) -> dict:
    response = session.request(method, f"{base_url}{path}", timeout=10, **kwargs)
    if not response.ok:
        raise RuntimeError(
            f"Seeding failed: {method} {path} returned {response.status_code}: "
            f"{response.text[:500]}"
        )
    return response.json()


def seed_data(base_url: str, token: str) -> dict[str, int]:
    """Create the tickets and conversations that the examples refer to, as the administrator."""
    session = requests.Session()
    session.headers.update({**PROXY_HEADERS, "Authorization": f"Bearer {token}"})

    def ticket(title: str, *statuses: str) -> int:
        body = {
            "title": title,
            "description": f"Seeded for the fuzz run: {title}.",
            "priority": "medium",
        }
        ticket_id = _api(session, base_url, "POST", "/tickets", json=body)["id"]
        for status in statuses:
            _api(session, base_url, "PATCH", f"/tickets/{ticket_id}", json={"status": status})
        return ticket_id

    ids = {
        "closed_to_reopen": ticket("Closed ticket to reopen", "in_progress", "closed"),
        "closed_to_rate": ticket("Closed ticket to rate", "in_progress", "closed"),
        "open": ticket("Open ticket", "in_progress"),
    }
    _api(
        session,
        base_url,
        "POST",
        f"/tickets/{ids['open']}/comments",
        json={"body": "A seeded comment."},
    )
    for name in ("conversation_to_read", "conversation_to_delete"):
        answer = _api(
            session, base_url, "POST", "/chat/ask", json={"question": "How do I open a ticket?"}
        )
        ids[name] = answer["conversation_id"]
    return ids


def refresh_tokens(base_url: str, email: str, password: str, count: int) -> list[str]:
    """Log in `count` times and return the refresh tokens, one for each example that uses one."""
    tokens = []
    for _ in range(count):
        response = requests.post(
            f"{base_url}/auth/login",
            json={"email": email, "password": password},
            headers=PROXY_HEADERS,
            timeout=10,
        )
        response.raise_for_status()
        tokens.append(response.json()["refresh"])
    return tokens


def add_examples(
    schema: dict[str, Any],
    ids: dict[str, int],
    *,
    google_id_token: str,
    password: str,
    refresh_tokens: list[str],
) -> None:
    """Set `example` on the path parameters and request bodies of the seeded operations."""
    path_examples = {
        ("get", "/tickets/{ticket_id}"): ids["open"],
        ("patch", "/tickets/{ticket_id}"): ids["open"],
        ("get", "/tickets/{ticket_id}/history"): ids["open"],
        ("get", "/tickets/{ticket_id}/comments"): ids["open"],
        ("post", "/tickets/{ticket_id}/comments"): ids["open"],
        ("post", "/tickets/{ticket_id}/reopen"): ids["closed_to_reopen"],
        ("post", "/tickets/{ticket_id}/feedback"): ids["closed_to_rate"],
        ("get", "/chat/conversations/{conversation_id}"): ids["conversation_to_read"],
        ("delete", "/chat/conversations/{conversation_id}"): ids["conversation_to_delete"],
    }
    body_examples = {
        ("patch", "/tickets/{ticket_id}"): {"priority": "high"},
        ("post", "/tickets/{ticket_id}/comments"): {"body": "A comment from the fuzzer."},
        ("post", "/tickets/{ticket_id}/reopen"): {"reason": "The problem came back."},
        ("post", "/tickets/{ticket_id}/feedback"): {"rating": 5, "comment": "Fixed, thanks."},
        ("post", "/chat/ask"): {
            "question": "Please file a ticket: the printer jams.",
            "conversation_id": ids["conversation_to_read"],
        },
        ("post", "/auth/google"): {"id_token": google_id_token},
        ("post", "/auth/login"): {"email": EMAIL, "password": password},
        ("post", "/auth/refresh"): {"refresh": refresh_tokens[0]},
        ("post", "/auth/logout"): {"refresh": refresh_tokens[1]},
        ("post", "/auth/signup"): {
            "email": "fuzz-signup@example.com",
            "name": "Fuzz Signup",
            "password": secrets.token_urlsafe(16),
        },
    }

    for (method, path), value in path_examples.items():
        operation = schema["paths"][path][method]
        parameters = [p for p in operation["parameters"] if p["in"] == "path"]
        if len(parameters) != 1:
            raise RuntimeError(f"Expected one path parameter on {method.upper()} {path}.")
        parameters[0]["example"] = value
    for (method, path), value in body_examples.items():
        content = schema["paths"][path][method]["requestBody"]["content"]
        content["application/json"]["example"] = value


def gemini_default_reply() -> Any:
    """Return an answer in the JSON shape the assistant asks for, with a valid draft ticket."""
    return FakeGemini.json_reply(
        {
            "answer": "Send POST /tickets with a title and a description.",
            "draft_ticket": {
                "title": "Printer jams",
                "description": "The printer on floor 3 jams on every second page.",
                "priority": "high",
            },
        }
    )


def schemathesis_command(
    args: argparse.Namespace, schema: Path, base_url: str, token: str, report_dir: Path
) -> list[str]:
    return [
        str(Path(sys.executable).with_name("st")),
        "run",
        str(schema),
        "--url",
        base_url,
        "--header",
        f"Authorization: Bearer {token}",
        "--header",
        "X-Forwarded-Proto: https",
        "--checks",
        CHECKS,
        "--max-examples",
        str(args.max_examples),
        "--seed",
        str(args.seed),
        "--max-time",
        str(args.max_time),
        "--workers",
        args.workers,
        "--request-timeout",
        "10",
        "--report",
        "junit",
        "--report-dir",
        str(report_dir),
        "--no-color",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-examples", type=int, default=25, help="cases per operation (25)")
    parser.add_argument("--seed", type=int, default=1, help="hypothesis seed (1)")
    parser.add_argument("--max-time", type=int, default=300, help="time budget in seconds (300)")
    parser.add_argument("--workers", default="2", help="schemathesis workers (2)")
    args = parser.parse_args()

    work_dir = Path(tempfile.mkdtemp(prefix="helpdesk-fuzz-"))
    fake_google = FakeGoogle(
        base_url=f"http://127.0.0.1:{free_port()}",
        client_id=GOOGLE_CLIENT_ID,
        client_secret=GOOGLE_CLIENT_SECRET,
    )
    # The identity that "consents" if a browser login ever reaches the fake's consent page.
    fake_google.set_next_identity()
    fake_gemini = FakeGemini()
    fake_gemini.default = gemini_default_reply()

    with (
        private_postgres() as postgres,
        private_redis() as redis,
        running(fake_google),
        running(fake_gemini),
    ):
        env = production_env(postgres.url, redis.url, **fuzz_environment(fake_google, fake_gemini))
        manage(env, "migrate", "--noinput")
        password = secrets.token_urlsafe(16)
        create_user(env, EMAIL, password, role="admin")
        schema_file = work_dir / "openapi.json"
        manage(
            env,
            "spectacular",
            "--validate",
            "--fail-on-warn",
            "--format",
            "openapi-json",
            "--file",
            str(schema_file),
        )

        with gunicorn_server(
            env, workers=3, log_dir=work_dir, settings_module=SETTINGS_MODULE
        ) as server:
            token = login(server.base_url, EMAIL, password)
            ids = seed_data(server.base_url, token)
            print("Seeded:", json.dumps(ids), flush=True)
            schema = json.loads(schema_file.read_text())
            add_examples(
                schema,
                ids,
                google_id_token=fake_google.id_token(),
                password=password,
                refresh_tokens=refresh_tokens(server.base_url, EMAIL, password, count=2),
            )
            schema_file.write_text(json.dumps(schema, indent=2))

            command = schemathesis_command(
                args, schema_file, server.base_url, token, work_dir / "report"
            )
            print(
                "Running:",
                " ".join(
                    part if "Bearer" not in part else "Authorization: Bearer ***"
                    for part in command
                ),
                flush=True,
            )
            # schemathesis keeps a cache in .schemathesis/ under its working directory.
            result = subprocess.run(command, cwd=work_dir, check=False)  # noqa: S603
            print(f"Server log and report: {work_dir}")
            print(
                f"Fake Gemini: {len(fake_gemini.requests)} requests; fake Google: "
                f"{fake_google.requests_to('/oauth2/v1/certs')} certificate fetches, "
                f"{fake_google.requests_to('/token')} token exchanges."
            )
            server_errors = [
                line for line in server.log_text().splitlines() if '"status": 5' in line
            ]
            if server_errors:
                print(f"{len(server_errors)} 5xx responses in the server log, first ones:")
                print("\n".join(server_errors[:5]))
    return result.returncode or (1 if server_errors else 0)


if __name__ == "__main__":
    sys.exit(main())
