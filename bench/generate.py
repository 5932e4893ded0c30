"""Load N tickets with their users and history rows into PostgreSQL with COPY.

    DATABASE_URL=postgres://postgres@127.0.0.1:5433/helpdesk_1m \\
        python -m bench.generate --tickets 1000000 --reset

Distributions (fixed by --seed): a few thousand users, of whom 2% are administrators.
A minority of heavy users creates most tickets. Tickets are spread over three years, most
old tickets are closed and most recent ones are open or in progress. Each ticket has one
to four history rows. Every user's password is --password, so the load generator can log in as
any of them.

The non-unique indexes of the two ticket tables are dropped before the COPY and rebuilt
after it, because one sorted build is much faster than a million index insertions. Foreign
key triggers are skipped for the COPY (`session_replication_role = replica`, which needs a
superuser) because the generator only writes ids that exist. Everything runs in one
transaction, so a failed load leaves the database as it was. `--reset` deletes every user,
so point DATABASE_URL at a database of its own.
"""

import argparse
import os
import sys
import time

import django


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, required=True, help="number of tickets to add")
    parser.add_argument("--users", type=int, default=3000, help="number of users (default 3000)")
    parser.add_argument(
        "--admin-share", type=float, default=0.02, help="share of users who are admins (0.02)"
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--password", default="bench-password-1", help="password of every generated user"
    )
    parser.add_argument(
        "--reset",
        action="store_true",
        help="delete every user, ticket and history row first (TRUNCATE ... CASCADE)",
    )
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    django.setup()

    from bench.loader import load

    started = time.monotonic()
    summary = load(
        tickets=args.tickets,
        users=args.users,
        admin_share=args.admin_share,
        seed=args.seed,
        password=args.password,
        reset=args.reset,
        progress=not args.no_progress,
    )
    elapsed = time.monotonic() - started
    print(
        f"Loaded {summary['tickets']:,} tickets, {summary['events']:,} history rows and "
        f"{summary['users']:,} users in {elapsed:.1f} s "
        f"({summary['tickets'] / max(elapsed, 1e-9):,.0f} tickets/s)."
    )


if __name__ == "__main__":
    main()
