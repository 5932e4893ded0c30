"""Fuzz the live API with schemathesis against its own OpenAPI schema.

    python scripts/fuzz_api.py [--max-examples 25] [--seed 1] [--max-time 300]

Starts a private PostgreSQL and Redis and gunicorn with the production settings, all on
free ports of 127.0.0.1, creates an administrator and logs in, writes the schema with
`manage.py spectacular`, and runs `st run` on every operation with that token. The run
fails on any 5xx response and on any response that the schema does not describe (status
code, content type or body). Exits with schemathesis' exit code.
"""

import argparse
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.servers import (  # noqa: E402
    create_user,
    gunicorn_server,
    login,
    manage,
    private_postgres,
    private_redis,
    production_env,
)

EMAIL = "fuzz-admin@example.com"
CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_schema_conformance"
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-examples", type=int, default=25, help="cases per operation (25)")
    parser.add_argument("--seed", type=int, default=1, help="hypothesis seed (1)")
    parser.add_argument("--max-time", type=int, default=300, help="time budget in seconds (300)")
    parser.add_argument("--workers", default="2", help="schemathesis workers (2)")
    args = parser.parse_args()

    work_dir = Path(tempfile.mkdtemp(prefix="helpdesk-fuzz-"))
    with private_postgres() as postgres, private_redis() as redis:
        env = production_env(
            postgres.url,
            redis.url,
            # The fuzzer sends thousands of requests with one token; a 429 would hide them.
            THROTTLE_USER_RATE="10000000/minute",
            THROTTLE_ANON_RATE="10000000/minute",
        )
        manage(env, "migrate", "--noinput")
        password = secrets.token_urlsafe(16)
        create_user(env, EMAIL, password, role="admin")
        schema = work_dir / "openapi.yaml"
        manage(env, "spectacular", "--validate", "--fail-on-warn", "--file", str(schema))

        with gunicorn_server(env, workers=3, log_dir=work_dir) as server:
            token = login(server.base_url, EMAIL, password)
            command = [
                str(Path(sys.executable).with_name("st")),
                "run",
                str(schema),
                "--url",
                server.base_url,
                "--header",
                f"Authorization: Bearer {token}",
                # Render's proxy sets this on every request; without it, 301 to HTTPS.
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
                str(work_dir / "report"),
                "--no-color",
            ]
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
            server_errors = [
                line for line in server.log_text().splitlines() if '"status": 5' in line
            ]
            if server_errors:
                print(f"{len(server_errors)} 5xx responses in the server log, first ones:")
                print("\n".join(server_errors[:5]))
    return result.returncode or (1 if server_errors else 0)


if __name__ == "__main__":
    sys.exit(main())
