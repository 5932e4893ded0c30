"""Automatic assignment: route a new ticket to the available administrator with the least work.

The candidates are the active administrators whose availability flag is on. The one with the
fewest open and in-progress tickets wins. A tie goes to the one whose latest assignment is
oldest, where never assigned counts as oldest, and then to the lowest id.
"""

from dataclasses import dataclass

from django.db.models import Count, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from accounts.models import Role, User
from tickets.models import ACTIVE_STATUSES, Ticket, TicketEvent


@dataclass(frozen=True)
class AutoAssignment:
    """The administrator chosen for a new ticket, or None, with the reason for the history."""

    assignee: User | None
    reason: str


def auto_assignee_pick() -> AutoAssignment:
    """Choose the assignee for a new ticket under the rule above; call inside a transaction.

    The candidates' rows are locked (`FOR NO KEY UPDATE`, in id order) until the caller's
    transaction ends, so concurrent creations choose one after another and each one counts the
    tickets that the previous one committed. Without the lock, parallel requests would read the
    same loads and pile onto one administrator. The lock does not block inserts that only
    reference these users (foreign keys take `FOR KEY SHARE`), but it does make a
    candidate's own profile update wait for the creation to commit.

    NOTE: SQLite ignores `select_for_update`, so there concurrent creations can pick the
    same administrator. The even spread is only guaranteed, and tested, on PostgreSQL.
    """
    candidate_ids = list(
        User.objects.filter(role=Role.ADMIN, is_active=True, is_available=True)
        .select_for_update(no_key=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not candidate_ids:
        return AutoAssignment(
            assignee=None,
            reason="Automatic assignment: no administrator is available, so the ticket "
            "stays unassigned.",
        )

    active_load = (
        Ticket.objects.filter(assignee=OuterRef("pk"), status__in=ACTIVE_STATUSES)
        .order_by()
        .values("assignee")
        .annotate(total=Count("pk"))
        .values("total")
    )
    last_assigned_at = (
        TicketEvent.objects.filter(to_assignee=OuterRef("pk"))
        .order_by("-created_at", "-id")
        .values("created_at")[:1]
    )
    ranked = list(
        User.objects.filter(pk__in=candidate_ids)
        .annotate(
            active_tickets=Coalesce(Subquery(active_load), Value(0), output_field=IntegerField()),
            last_assigned_at=Subquery(last_assigned_at),
        )
        .order_by("active_tickets", F("last_assigned_at").asc(nulls_first=True), "pk")
    )
    chosen = ranked[0]
    tied = sum(1 for person in ranked if person.active_tickets == chosen.active_tickets)

    reason = (
        f"Automatic assignment: fewest open and in-progress tickets ({chosen.active_tickets}) "
        f"among {len(ranked)} available administrator(s)"
    )
    if tied > 1:
        reason += f"; {tied} were tied, and this one was assigned least recently"
    return AutoAssignment(assignee=chosen, reason=reason + ".")
