"""Reads on accounts."""

from django.db.models import Count, F, FilteredRelation, Q, QuerySet

from accounts.models import Role, User
from tickets.models import ACTIVE_STATUSES, TicketStatus


def available_people(*, role: Role) -> QuerySet[User]:
    """Active people of `role` whose availability flag is on, least loaded first.

    Each row carries `open_tickets` and `in_progress_tickets`, the tickets assigned to that
    person in those statuses; the whole list is one query.
    """
    # The status condition is part of the join (FilteredRelation), so only active tickets
    # are joined and counted, from the partial index ticket_active_assignee_idx. With the
    # condition in the aggregate's FILTER instead, every assigned ticket, closed ones
    # included, was joined: a full table scan at a million tickets.
    active_tickets = FilteredRelation(
        "assigned_tickets", condition=Q(assigned_tickets__status__in=ACTIVE_STATUSES)
    )
    return (
        User.objects.filter(role=role, is_active=True, is_available=True)
        .annotate(active_assigned=active_tickets)
        .annotate(
            open_tickets=Count(
                "active_assigned", filter=Q(active_assigned__status=TicketStatus.OPEN)
            ),
            in_progress_tickets=Count(
                "active_assigned", filter=Q(active_assigned__status=TicketStatus.IN_PROGRESS)
            ),
        )
        .annotate(active_tickets=F("open_tickets") + F("in_progress_tickets"))
        .order_by("active_tickets", "name", "id")
        .only("id", "name", "email", "role")
    )
