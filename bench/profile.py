"""Time and profile the hot read paths in one process, without gunicorn or a network client.

    python -m bench.profile --database-url postgres://postgres@127.0.0.1:5499/helpdesk_1m
    python -m bench.profile --database-url ... --profile get_ticket --top 40

Runs each request through Django's WSGI handler with config.settings.benchmark (the
production middleware, throttles counted in a private redis-server, persistent database
connection), as an administrator of the `bench.generate` data, and prints the median and
mean time per request. With --profile it also prints cProfile's top functions for one
scenario, sorted by cumulative time. The JSON access log goes to --log-file, not the
terminal.
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

from bench.servers import private_redis, production_env

SCENARIOS = (
    "bare",
    "bare_auth",
    "get_ticket",
    "list_first_page",
    "list_by_status",
    "list_by_assignee",
    "available_users",
    "available_admins",
)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="PostgreSQL URL on 127.0.0.1")
    parser.add_argument("--email", default="admin0@bench.test", help="login of an admin")
    parser.add_argument("--requests", type=int, default=300, help="timed requests per scenario")
    parser.add_argument("--warmup", type=int, default=30, help="untimed requests first (30)")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help="comma-separated")
    parser.add_argument("--profile", default="", help="scenario to run under cProfile")
    parser.add_argument("--top", type=int, default=30, help="functions in the profile (30)")
    parser.add_argument(
        "--log-file", type=Path, default=Path("/dev/null"), help="where the access log goes"
    )
    return parser.parse_args(argv)


def _setup_django(database_url: str, redis_url: str, log_file: Path) -> None:
    env = production_env(
        database_url,
        redis_url,
        THROTTLE_USER_RATE="10000000/minute",
        THROTTLE_ANON_RATE="10000000/minute",
    )
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.benchmark"
    os.environ.update(env)
    # The console log handler writes to stderr; keep the timing output readable.
    sys.stderr = open(log_file, "w")  # noqa: SIM115

    import django

    django.setup()


def _request_paths(email: str) -> tuple[str, dict[str, list[str]]]:
    from rest_framework_simplejwt.tokens import AccessToken

    from accounts.models import User
    from tickets.models import Ticket

    admin = User.objects.get(email=email)
    token = str(AccessToken.for_user(admin))
    newest = list(Ticket.objects.order_by("-created_at", "-id").values_list("id", flat=True)[:100])
    paths = {
        "bare": ["/bench/bare"],
        "bare_auth": ["/bench/bare-auth"],
        "get_ticket": [f"/tickets/{ticket_id}" for ticket_id in newest],
        "list_first_page": ["/tickets"],
        "list_by_status": [f"/tickets?status={s}" for s in ("open", "in_progress", "closed")],
        "list_by_assignee": [f"/tickets?assignee={admin.pk}"],
        "available_users": ["/available/users"],
        "available_admins": ["/available/admins"],
    }
    return token, paths


def _environ(path: str, token: str) -> dict:
    from django.test import RequestFactory

    path_info, _, query = path.partition("?")
    request = RequestFactory().get(
        path_info,
        QUERY_STRING=query,
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_HOST="127.0.0.1",
    )
    return request.environ


def _run_once(handler, environ: dict) -> int:
    statuses = []

    def start_response(status, headers, exc_info=None):
        statuses.append(int(status.split()[0]))

    response = handler(dict(environ, **{"wsgi.input": io.BytesIO(b"")}), start_response)
    b"".join(response)
    response.close()
    return statuses[0]


def main(argv: list[str] | None = None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    stdout = sys.stdout
    with private_redis() as redis:
        _setup_django(args.database_url, redis.url, args.log_file)
        from django.core.wsgi import get_wsgi_application

        handler = get_wsgi_application()
        token, paths = _request_paths(args.email)
        for name in args.scenarios.split(","):
            environs = [_environ(path, token) for path in paths[name]]
            for number in range(args.warmup):
                status = _run_once(handler, environs[number % len(environs)])
                if status != 200:
                    raise SystemExit(f"{name}: {paths[name][0]} returned {status}")

            profiler = cProfile.Profile() if name == args.profile else None
            times = []
            for number in range(args.requests):
                environ = environs[number % len(environs)]
                started = time.perf_counter()
                if profiler is not None:
                    profiler.enable()
                _run_once(handler, environ)
                if profiler is not None:
                    profiler.disable()
                times.append((time.perf_counter() - started) * 1000)
            print(
                f"{name:18} median {statistics.median(times):7.3f} ms   "
                f"mean {statistics.fmean(times):7.3f} ms   ({args.requests} requests)",
                file=stdout,
                flush=True,
            )
            if profiler is not None:
                stats = pstats.Stats(profiler, stream=stdout)
                stats.sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
