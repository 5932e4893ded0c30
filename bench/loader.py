"""The data generator behind `python -m bench.generate`: users, tickets and history rows."""
# Table names in the SQL are the constants below, and the random data is test data.
# ruff: noqa: S311, S608

import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from tqdm import tqdm

from bench.textgen import make_description, make_paragraph_pool, make_title

SPAN = timedelta(days=3 * 365)
# Tickets in the newest 5% of the span are mostly still being worked on, and older ones
# are mostly closed. Weights are for open, in_progress, closed.
RECENT_SHARE = 0.05
STATUS_WEIGHTS_RECENT = (0.50, 0.30, 0.20)
STATUS_WEIGHTS_OLD = (0.03, 0.02, 0.95)
STATUSES = ("open", "in_progress", "closed")
PRIORITIES = ("low", "medium", "high", "urgent")
PRIORITY_WEIGHTS = (30, 45, 20, 5)
UNASSIGNED_OPEN_SHARE = 0.6
HOUR = 3600.0
PARAGRAPH_POOL_SIZE = 20_000
CHUNK_SIZE = 50_000
TICKET_TABLE = "tickets_ticket"
EVENT_TABLE = "tickets_ticketevent"
USER_TABLE = "accounts_user"

TICKET_COLUMNS = (
    "id",
    "title",
    "description",
    "priority",
    "status",
    "creator_id",
    "assignee_id",
    "created_at",
    "updated_at",
    "started_at",
    "closed_at",
    "version",
)
EVENT_COLUMNS = (
    "ticket_id",
    "kind",
    "actor_id",
    "from_status",
    "to_status",
    "from_assignee_id",
    "to_assignee_id",
    "note",
    "created_at",
)
USER_COLUMNS = (
    "password",
    "email",
    "name",
    "role",
    "is_available",
    "is_active",
    "created_at",
    "updated_at",
)


def skewed_index(rng: random.Random, size: int) -> int:
    """Pick an index in [0, size), low indexes more often: a few users file most tickets."""
    return min(size - 1, int(size * rng.random() ** 2))


def utc(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


def load(
    *,
    tickets: int,
    users: int,
    admin_share: float,
    seed: int,
    password: str,
    reset: bool,
    progress: bool,
) -> dict[str, int]:
    if connection.vendor != "postgresql":
        raise SystemExit(
            f"The generator needs PostgreSQL (COPY), but DATABASE_URL points to "
            f"{connection.vendor}. Set DATABASE_URL=postgres://..."
        )
    rng = random.Random(seed)
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor
        if reset:
            raw.execute(
                f"TRUNCATE {EVENT_TABLE}, {TICKET_TABLE}, {USER_TABLE} RESTART IDENTITY CASCADE"
            )
        raw.execute("SET LOCAL session_replication_role = replica")
        raw.execute("SET LOCAL maintenance_work_mem = '512MB'")

        admin_ids, user_ids = _copy_users(raw, rng, users, admin_share, password)
        dropped = _drop_secondary_indexes(raw, (TICKET_TABLE, EVENT_TABLE))
        event_count = _copy_tickets_and_events(raw, rng, tickets, admin_ids, user_ids, progress)
        _rebuild_indexes(raw, dropped, progress)
        raw.execute(
            f"SELECT setval(pg_get_serial_sequence('{TICKET_TABLE}', 'id'), "
            f"(SELECT coalesce(max(id), 1) FROM {TICKET_TABLE}))"
        )
    # Statistics for the planner, and the visibility map that index-only scans need (the
    # availability counts). In production autovacuum keeps both up to date. VACUUM cannot
    # run inside a transaction, so this runs after the load commits.
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {USER_TABLE}, {TICKET_TABLE}, {EVENT_TABLE}")
    return {"tickets": tickets, "events": event_count, "users": users}


def _copy_users(raw, rng, count, admin_share, password) -> tuple[list[int], list[int]]:
    """Insert `count` users: ids of admins and of all users, in insertion order.

    The first admin is admin0@bench.test and the first plain user user0@bench.test.
    """
    password_hash = make_password(password)
    now = datetime.now(UTC)
    admin_count = max(1, round(count * admin_share))
    raw.execute(f"SELECT coalesce(max(id), 0) FROM {USER_TABLE}")
    first_id = raw.fetchone()[0] + 1
    columns = ", ".join(USER_COLUMNS)
    with raw.copy(f"COPY {USER_TABLE} ({columns}) FROM STDIN") as copy:
        for index in range(count):
            is_admin = index < admin_count
            prefix = "admin" if is_admin else "user"
            number = index if is_admin else index - admin_count
            copy.write_row(
                (
                    password_hash,
                    f"{prefix}{number}@bench.test",
                    f"{prefix.capitalize()} {number}",
                    "admin" if is_admin else "user",
                    rng.random() < 0.8,
                    True,
                    now,
                    now,
                )
            )
    raw.execute(f"SELECT id, role FROM {USER_TABLE} WHERE id >= %s ORDER BY id", (first_id,))
    rows = raw.fetchall()
    admin_ids = [user_id for user_id, role in rows if role == "admin"]
    user_ids = [user_id for user_id, _ in rows]
    return admin_ids, user_ids


def _drop_secondary_indexes(raw, tables: tuple[str, ...]) -> list[tuple[str, str]]:
    """Drop the indexes that back no constraint and return their (name, CREATE INDEX) pairs."""
    raw.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        WHERE i.indrelid = ANY(%s::regclass[])
          AND NOT i.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        """,
        (list(tables),),
    )
    indexes = raw.fetchall()
    for name, _ in indexes:
        raw.execute(f"DROP INDEX {name}")
    return indexes


def _rebuild_indexes(raw, indexes: list[tuple[str, str]], progress: bool) -> None:
    for _, definition in tqdm(indexes, desc="indexes", unit="index", disable=not progress):
        raw.execute(definition)


def _copy_tickets_and_events(raw, rng, count, admin_ids, user_ids, progress) -> int:
    """COPY tickets and their history rows in chunks; return the number of history rows.

    One connection runs one COPY at a time, so each chunk of tickets is copied first and
    its history rows right after.
    """
    raw.execute(f"SELECT coalesce(max(id), 0) FROM {TICKET_TABLE}")
    first_id = raw.fetchone()[0] + 1
    pool = make_paragraph_pool(rng, PARAGRAPH_POOL_SIZE)
    ticket_sql = f"COPY {TICKET_TABLE} ({', '.join(TICKET_COLUMNS)}) FROM STDIN"
    event_sql = f"COPY {EVENT_TABLE} ({', '.join(EVENT_COLUMNS)}) FROM STDIN"
    rows = _tickets(rng, count, first_id, admin_ids, user_ids, pool)
    event_count = 0
    with tqdm(
        total=count, desc="tickets", unit="ticket", unit_scale=True, disable=not progress
    ) as bar:
        for chunk_start in range(0, count, CHUNK_SIZE):
            chunk_size = min(CHUNK_SIZE, count - chunk_start)
            events: list[tuple] = []
            with raw.copy(ticket_sql) as copy:
                for _ in range(chunk_size):
                    ticket, ticket_events = next(rows)
                    copy.write_row(ticket)
                    events.extend(ticket_events)
            with raw.copy(event_sql) as copy:
                for event in events:
                    copy.write_row(event)
            event_count += len(events)
            bar.update(chunk_size)
    return event_count


def _tickets(rng, count, first_id, admin_ids, user_ids, pool) -> Iterator[tuple[tuple, list]]:
    end = time.time() - HOUR
    start = end - SPAN.total_seconds()
    step = (end - start) / max(count, 1)
    recent_after = end - SPAN.total_seconds() * RECENT_SHARE
    for offset in range(count):
        ticket_id = first_id + offset
        created = start + offset * step + rng.random() * step
        weights = STATUS_WEIGHTS_RECENT if created >= recent_after else STATUS_WEIGHTS_OLD
        status = rng.choices(STATUSES, weights=weights)[0]
        creator = user_ids[skewed_index(rng, len(user_ids))]
        assigned = status != "open" or rng.random() >= UNASSIGNED_OPEN_SHARE
        assignee = admin_ids[skewed_index(rng, len(admin_ids))] if assigned else None

        started = closed = None
        if status != "open":
            started = min(end, created + rng.uniform(0.1, 72) * HOUR)
        if status == "closed":
            closed = min(end, started + rng.uniform(0.1, 240) * HOUR)
        updated = closed or started or created

        ticket = (
            ticket_id,
            make_title(rng),
            make_description(rng, pool),
            rng.choices(PRIORITIES, weights=PRIORITY_WEIGHTS)[0],
            status,
            creator,
            assignee,
            utc(created),
            utc(updated),
            utc(started) if started else None,
            utc(closed) if closed else None,
        )
        events = [(ticket_id, "created", creator, "", "open", None, None, "", utc(created))]
        if assignee is not None:
            events.append(
                (
                    ticket_id,
                    "assignee_changed",
                    assignee,
                    "",
                    "",
                    None,
                    assignee,
                    "",
                    utc(created + 60),
                )
            )
        if started:
            events.append(
                (
                    ticket_id,
                    "status_changed",
                    assignee,
                    "open",
                    "in_progress",
                    None,
                    None,
                    "",
                    utc(started),
                )
            )
        if closed:
            events.append(
                (
                    ticket_id,
                    "status_changed",
                    assignee,
                    "in_progress",
                    "closed",
                    None,
                    None,
                    "Resolved.",
                    utc(closed),
                )
            )
        # The ETag version counts the ticket's writes: the create and each later change.
        yield (*ticket, len(events)), events
