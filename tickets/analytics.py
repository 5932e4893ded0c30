"""Ticket analytics for administrators, computed with SQL aggregates.

The number of queries is fixed: it grows with neither the number of tickets nor the date
range. Only the rows of the open-load list grow, with the number of assignees.
"""

import math
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Aggregate, Count, F, FloatField, Func, Q, QuerySet
from django.utils import timezone

from tickets.models import ACTIVE_STATUSES, Ticket, TicketPriority, TicketStatus

DEFAULT_TARGET_HOURS = {
    TicketPriority.URGENT: 24.0,
    TicketPriority.HIGH: 48.0,
    TicketPriority.MEDIUM: 72.0,
    TicketPriority.LOW: 168.0,
}
PERCENTILES = {"median": 0.5, "p90": 0.9}


class SecondsBetween(Func):
    """The seconds from `start` to `end` as a float, on PostgreSQL and SQLite."""

    output_field = FloatField()

    def __init__(self, start, end):
        super().__init__(start, end)

    def _compile_ends(self, compiler):
        start_sql, start_params = compiler.compile(self.source_expressions[0])
        end_sql, end_params = compiler.compile(self.source_expressions[1])
        return start_sql, end_sql, (*end_params, *start_params)

    def as_sql(self, compiler, connection, **extra_context):
        raise NotImplementedError(f"SecondsBetween does not support {connection.vendor}.")

    def as_postgresql(self, compiler, connection, **extra_context):
        start_sql, end_sql, params = self._compile_ends(compiler)
        return f"CAST(EXTRACT(EPOCH FROM ({end_sql} - {start_sql})) AS double precision)", params

    def as_sqlite(self, compiler, connection, **extra_context):
        # julianday() parses the text timestamps Django stores, in days with a fraction.
        start_sql, end_sql, params = self._compile_ends(compiler)
        return f"((julianday({end_sql}) - julianday({start_sql})) * 86400.0)", params


class PercentileCont(Aggregate):
    """PostgreSQL's `percentile_cont`: the continuous percentile, interpolating linearly."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        if not 0 <= fraction <= 1:
            raise ValueError(f"fraction must be between 0 and 1, not {fraction}")
        # A float from code, never from a request, so it is safe to inline in the SQL.
        super().__init__(expression, fraction=repr(float(fraction)), **extra)


def target_hours() -> dict[str, float]:
    """Return the resolution target per priority, in hours: the defaults, then settings."""
    configured = getattr(settings, "TICKET_TARGET_HOURS", {})
    return {
        priority: float(configured.get(priority, default))
        for priority, default in DEFAULT_TARGET_HOURS.items()
    }


def _seconds_to_close() -> SecondsBetween:
    return SecondsBetween(F("created_at"), F("closed_at"))


def _counts(tickets: QuerySet[Ticket], targets: dict[str, float]) -> dict[str, int]:
    """Count tickets by status, priority and target in one aggregate query."""
    now = timezone.now()
    closed = Q(status=TicketStatus.CLOSED, closed_at__isnull=False)
    active = Q(status__in=ACTIVE_STATUSES)
    aggregates: dict[str, Any] = {
        "total": Count("pk"),
        "unassigned_active": Count("pk", filter=active & Q(assignee__isnull=True)),
        "closed_total": Count("pk", filter=closed),
    }
    for status in TicketStatus.values:
        aggregates[f"status_{status}"] = Count("pk", filter=Q(status=status))
    for priority, hours in targets.items():
        target = timedelta(hours=hours)
        aggregates[f"priority_{priority}"] = Count("pk", filter=Q(priority=priority))
        aggregates[f"closed_{priority}"] = Count("pk", filter=closed & Q(priority=priority))
        aggregates[f"within_{priority}"] = Count(
            "pk",
            filter=closed & Q(priority=priority, closed_at__lte=F("created_at") + target),
        )
        aggregates[f"late_{priority}"] = Count(
            "pk", filter=active & Q(priority=priority, created_at__lt=now - target)
        )
    return tickets.aggregate(**aggregates)


def _percentiles(tickets: QuerySet[Ticket], closed_count: int) -> dict[str, float | None]:
    """Compute the percentiles of seconds from creation to close over closed tickets.

    PostgreSQL runs `percentile_cont` in one query. SQLite has no percentile function, so
    each percentile is read as the one or two values at its rank, found in the database with
    ORDER BY and OFFSET, and interpolated here the way `percentile_cont` does. That is one
    query per percentile and never loads more than two rows.
    """
    if closed_count == 0:
        return dict.fromkeys(PERCENTILES)

    closed = tickets.filter(status=TicketStatus.CLOSED, closed_at__isnull=False)
    if connection.vendor == "postgresql":
        return closed.aggregate(
            **{
                name: PercentileCont(_seconds_to_close(), fraction)
                for name, fraction in PERCENTILES.items()
            }
        )

    durations = closed.annotate(seconds=_seconds_to_close()).order_by("seconds")
    result = {}
    for name, fraction in PERCENTILES.items():
        rank = fraction * (closed_count - 1)
        lower = math.floor(rank)
        values = list(durations.values_list("seconds", flat=True)[lower : lower + 2])
        upper_value = values[1] if len(values) > 1 else values[0]
        result[name] = values[0] + (upper_value - values[0]) * (rank - lower)
    return result


def _open_load(tickets: QuerySet[Ticket]) -> list[dict[str, Any]]:
    """Count open and in-progress tickets per assignee, busiest first, in one query."""
    rows = (
        tickets.filter(status__in=ACTIVE_STATUSES, assignee__isnull=False)
        .values(
            "assignee_id",
            "assignee__name",
            "assignee__email",
            "assignee__role",
            "assignee__is_available",
        )
        .annotate(
            open=Count("pk", filter=Q(status=TicketStatus.OPEN)),
            in_progress=Count("pk", filter=Q(status=TicketStatus.IN_PROGRESS)),
            total=Count("pk"),
        )
        .order_by("-total", "assignee__name", "assignee_id")
    )
    return [
        {
            "assignee": {
                "id": row["assignee_id"],
                "name": row["assignee__name"],
                "email": row["assignee__email"],
                "role": row["assignee__role"],
                "is_available": row["assignee__is_available"],
            },
            "open": row["open"],
            "in_progress": row["in_progress"],
            "total": row["total"],
        }
        for row in rows
    ]


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 2)


def analytics_summary(
    *, created_from: datetime | None = None, created_before: datetime | None = None
) -> dict[str, Any]:
    """Summarize the tickets created in [created_from, created_before); either may be None.

    Returns counts by status and priority, the open load per assignee, the median and 90th
    percentile of hours from creation to close, and per priority the share of closed
    tickets closed within the target of `target_hours()`.
    """
    tickets = Ticket.objects.order_by()
    if created_from is not None:
        tickets = tickets.filter(created_at__gte=created_from)
    if created_before is not None:
        tickets = tickets.filter(created_at__lt=created_before)

    targets = target_hours()
    counts = _counts(tickets, targets)
    percentiles = _percentiles(tickets, counts["closed_total"])

    per_priority = []
    for priority, hours in targets.items():
        per_priority.append(
            {
                "priority": priority,
                "target_hours": hours,
                "closed": counts[f"closed_{priority}"],
                "closed_within_target": counts[f"within_{priority}"],
                "share_within_target": _share(
                    counts[f"within_{priority}"], counts[f"closed_{priority}"]
                ),
                "active_past_target": counts[f"late_{priority}"],
            }
        )
    within_total = sum(row["closed_within_target"] for row in per_priority)

    return {
        "total": counts["total"],
        "by_status": {status: counts[f"status_{status}"] for status in TicketStatus.values},
        "by_priority": {priority: counts[f"priority_{priority}"] for priority in targets},
        "open_load": _open_load(tickets),
        "unassigned_active": counts["unassigned_active"],
        "time_to_close": {
            "closed": counts["closed_total"],
            "median_hours": _hours(percentiles["median"]),
            "p90_hours": _hours(percentiles["p90"]),
        },
        "targets": per_priority,
        "share_within_target": _share(within_total, counts["closed_total"]),
    }
