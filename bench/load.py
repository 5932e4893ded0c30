"""Load generator: measure each API scenario against a running server on 127.0.0.1.

    python -m bench.load --base-url http://127.0.0.1:8100 --clients 1 --duration 10 \\
        --output /tmp/bench-1m-c1.json

Each scenario runs on its own, one after the other: `--clients` threads send requests
back to back (each waits for its response) until `--requests` requests are done or
`--duration` seconds have passed, whichever comes first. Latency is measured in the
client, from sending the request to reading the whole response. The server must run
config.settings.benchmark, which serves the bare view and the `X-Query-Count` header.
"""

import argparse
import http.client
import json
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bench.scenarios import SCENARIOS, Fixture, prepare_fixture

# The load generator may only send traffic to this machine.
ALLOWED_HOSTS = {"127.0.0.1", "localhost", "::1"}


@dataclass
class Result:
    name: str
    clients: int
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    query_counts: list[int] = field(default_factory=list)
    wall_seconds: float = 0.0

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return float("nan")
        index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
        return ordered[index]

    def summary(self) -> dict:
        count = len(self.latencies_ms)
        errors = sum(n for status, n in self.statuses.items() if status >= 400 or status == 0)
        return {
            "scenario": self.name,
            "clients": self.clients,
            "requests": count,
            "errors": errors,
            "statuses": {str(status): n for status, n in sorted(self.statuses.items())},
            "throughput_rps": round(count / self.wall_seconds, 1) if self.wall_seconds else 0,
            "p50_ms": round(self.percentile(0.50), 2),
            "p95_ms": round(self.percentile(0.95), 2),
            "p99_ms": round(self.percentile(0.99), 2),
            "queries_per_request": (
                statistics.median(self.query_counts) if self.query_counts else None
            ),
        }


class Client:
    """One keep-alive HTTP connection, reopened when the server closes it."""

    def __init__(self, host: str, port: int, headers: dict[str, str]) -> None:
        self.host, self.port, self.headers = host, port, headers
        self.connection: http.client.HTTPConnection | None = None

    def send(
        self, method: str, path: str, body: dict | None, extra_headers: dict | None = None
    ) -> tuple[int, bytes, dict]:
        payload = json.dumps(body).encode() if body is not None else None
        headers = {**self.headers, **(extra_headers or {})}
        if payload is not None:
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
            try:
                self.connection.request(method, path, body=payload, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
            except (ConnectionError, http.client.HTTPException):
                # The server closed an idle keep-alive connection, so retry once on a new one.
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    raise
                continue
            if response.getheader("Connection", "").lower() == "close":
                self.connection.close()
                self.connection = None
            return response.status, data, dict(response.getheaders())
        raise AssertionError("unreachable")


def run_scenario(
    name: str,
    make_request: Callable[[int], tuple[str, str, dict | None]],
    host: str,
    port: int,
    headers: dict[str, str],
    clients: int,
    max_requests: int,
    duration: float,
) -> Result:
    result = Result(name=name, clients=clients)
    lock = threading.Lock()
    issued = 0
    deadline = time.monotonic() + duration

    def next_number() -> int | None:
        nonlocal issued
        with lock:
            if issued >= max_requests or time.monotonic() >= deadline:
                return None
            issued += 1
            return issued

    def worker() -> None:
        client = Client(host, port, headers)
        while (number := next_number()) is not None:
            try:
                method, path, body = make_request(number)
            except IndexError:
                return  # The scenario ran out of prepared tickets.
            started = time.perf_counter()
            try:
                status, _, response_headers = client.send(method, path, body)
            except (OSError, http.client.HTTPException):
                # A timeout or a dropped connection counts as a failed request (status 0),
                # with the time until it failed.
                status, response_headers = 0, {}
                client.connection = None
            elapsed_ms = (time.perf_counter() - started) * 1000
            with lock:
                result.latencies_ms.append(elapsed_ms)
                result.statuses[status] = result.statuses.get(status, 0) + 1
                if "X-Query-Count" in response_headers:
                    result.query_counts.append(int(response_headers["X-Query-Count"]))

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.wall_seconds = time.monotonic() - started
    return result


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", required=True, help="server URL, on 127.0.0.1 only")
    parser.add_argument("--clients", type=int, default=1, help="concurrent clients (1)")
    parser.add_argument(
        "--duration", type=float, default=10.0, help="max seconds per scenario (10)"
    )
    parser.add_argument(
        "--requests", type=int, default=2000, help="max requests per scenario (2000)"
    )
    parser.add_argument(
        "--warmup", type=int, default=20, help="unmeasured requests per scenario first (20)"
    )
    parser.add_argument("--scenarios", default="all", help="comma-separated scenario names, or all")
    parser.add_argument("--email", default="admin0@bench.test", help="login of an admin")
    parser.add_argument("--password", default="bench-password-1", help="that admin's password")
    parser.add_argument("--output", help="write the results as JSON to this file")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> list[dict]:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    url = urlsplit(args.base_url)
    if url.scheme != "http" or url.hostname not in ALLOWED_HOSTS:
        raise SystemExit(
            f"Invalid --base-url {args.base_url!r}: the load generator only sends traffic "
            "to http://127.0.0.1:PORT on this machine."
        )
    host, port = url.hostname, url.port or 80

    # Render's proxy sets X-Forwarded-Proto on every request. Without it, the production
    # settings would redirect each request to HTTPS.
    base_headers = {"X-Forwarded-Proto": "https", "Accept": "application/json"}
    fixture: Fixture = prepare_fixture(Client(host, port, base_headers), args.email, args.password)
    headers = {**base_headers, "Authorization": f"Bearer {fixture.access_token}"}

    names = list(SCENARIOS) if args.scenarios == "all" else args.scenarios.split(",")
    unknown = [name for name in names if name not in SCENARIOS]
    if unknown:
        raise SystemExit(
            f"Unknown scenario(s): {', '.join(unknown)}. Known: {', '.join(SCENARIOS)}"
        )

    load_before = list(os.getloadavg())
    summaries = []
    for name in names:
        make_request = SCENARIOS[name](fixture)
        if args.warmup:
            run_scenario(name, make_request, host, port, headers, 1, args.warmup, args.duration)
        result = run_scenario(
            name, make_request, host, port, headers, args.clients, args.requests, args.duration
        )
        summaries.append(result.summary())
        _print_row(summaries[-1])

    floor = next((row for row in summaries if row["scenario"] == "bare"), None)
    if floor:
        for row in summaries:
            row["p50_vs_bare"] = round(row["p50_ms"] / floor["p50_ms"], 2)
    if args.output:
        report = {
            "clients": args.clients,
            # Other processes on the machine share its cores; the load average before and
            # after the run shows how much.
            "load_average_before": load_before,
            "load_average_after": list(os.getloadavg()),
            "results": summaries,
        }
        with open(args.output, "w") as output:
            json.dump(report, output, indent=2)
    return summaries


def _print_row(row: dict) -> None:
    print(
        f"{row['scenario']:<22} c={row['clients']:<3} n={row['requests']:<6} "
        f"err={row['errors']:<4} {row['throughput_rps']:>8.1f} req/s  "
        f"p50 {row['p50_ms']:>7.2f}  p95 {row['p95_ms']:>7.2f}  p99 {row['p99_ms']:>7.2f} ms  "
        f"queries {row['queries_per_request']}",
        flush=True,
    )


if __name__ == "__main__":
    main()
