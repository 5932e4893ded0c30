"""Reads on accounts."""

from django.db.models import Count, F, Q, QuerySet

from accounts.models import Role, User
from tickets.models import TicketStatus


def available_people(*, role: Role) -> QuerySet[User]:
    """Active people of `role` whose availability flag is on, least loaded first.

    Each row carries `open_tickets` and `in_progress_tickets`, the tickets assigned to that
    person in those statuses; the whole list is one query.
    """
    return (
        User.objects.filter(role=role, is_active=True, is_available=True)
        .annotate(
            open_tickets=Count(
                "assigned_tickets", filter=Q(assigned_tickets__status=TicketStatus.OPEN)
            ),
            in_progress_tickets=Count(
                "assigned_tickets", filter=Q(assigned_tickets__status=TicketStatus.IN_PROGRESS)
            ),
        )
        .annotate(active_tickets=F("open_tickets") + F("in_progress_tickets"))
        .order_by("active_tickets", "name", "id")
        .only("id", "name", "email", "role")
    )
