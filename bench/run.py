"""Run the benchmark against one database: Redis, gunicorn and the load generator.

    python -m bench.run --database-url postgres://postgres@127.0.0.1:5499/helpdesk_1m \\
        --label 1m --clients 1,32 --output-dir /tmp/bench-results

Starts a private redis-server and gunicorn with config.settings.benchmark on free ports
of 127.0.0.1, runs `bench.load` once per client count, and writes one JSON file per run.
The database must already hold data from `python -m bench.generate`.
"""

import argparse
import json
import sys
from pathlib import Path

from bench import load
from bench.scenarios import READ_SCENARIOS
from bench.servers import gunicorn_server, private_redis, production_env


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="PostgreSQL URL on 127.0.0.1")
    parser.add_argument("--label", required=True, help="name of the data set, e.g. 10k or 1m")
    parser.add_argument("--clients", default="1,32", help="comma-separated client counts (1,32)")
    parser.add_argument("--workers", type=int, default=5, help="gunicorn workers (5)")
    parser.add_argument("--duration", type=float, default=8.0, help="max seconds per scenario")
    parser.add_argument("--requests", type=int, default=1500, help="max requests per scenario")
    parser.add_argument(
        "--warmup", type=int, default=20, help="unmeasured requests per scenario first (20)"
    )
    parser.add_argument(
        "--scenarios",
        default="all",
        help="comma-separated scenarios; 'all', or 'reads' for the read-only ones",
    )
    parser.add_argument("--output-dir", type=Path, required=True, help="where to write JSON")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    args.output_dir.mkdir(parents=True, exist_ok=True)
    scenarios = ",".join(READ_SCENARIOS) if args.scenarios == "reads" else args.scenarios

    with private_redis() as redis:
        env = production_env(
            args.database_url,
            redis.url,
            # High enough that the load generator's one user is never throttled, while
            # every request still pays for the throttle's cache round trips.
            THROTTLE_USER_RATE="10000000/minute",
            THROTTLE_ANON_RATE="10000000/minute",
        )
        with gunicorn_server(
            env,
            workers=args.workers,
            log_dir=args.output_dir,
            settings_module="config.settings.benchmark",
        ) as server:
            for clients in [int(value) for value in args.clients.split(",")]:
                print(f"== {args.label}, {clients} client(s), {args.workers} workers", flush=True)
                output = args.output_dir / f"{args.label}-c{clients}.json"
                load.main(
                    [
                        "--base-url",
                        server.base_url,
                        "--clients",
                        str(clients),
                        "--duration",
                        str(args.duration),
                        "--requests",
                        str(args.requests),
                        "--scenarios",
                        scenarios,
                        "--output",
                        str(output),
                    ]
                )
                data = json.loads(output.read_text())
                data.update({"label": args.label, "workers": args.workers})
                output.write_text(json.dumps(data, indent=2))


if __name__ == "__main__":
    main()
