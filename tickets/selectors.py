"""Reads on tickets. Every fetch of a ticket for a caller goes through these."""

from django.db.models import Q, QuerySet
from rest_framework.exceptions import NotFound

from tickets.models import Ticket, TicketEvent


def ticket_list_visible_to(*, user) -> QuerySet[Ticket]:
    """Tickets `user` may see: all for administrators; otherwise created or assigned."""
    tickets = Ticket.objects.select_related("creator", "assignee")
    if user.is_admin:
        return tickets
    return tickets.filter(Q(creator=user) | Q(assignee=user))


def ticket_get_visible(*, user, ticket_id: int) -> Ticket:
    """The ticket if `user` may see it; a missing ticket and a hidden one are both 404."""
    ticket = ticket_list_visible_to(user=user).filter(pk=ticket_id).first()
    if ticket is None:
        raise NotFound("Ticket not found.")
    return ticket


def ticket_history(*, ticket: Ticket) -> QuerySet[TicketEvent]:
    return ticket.events.select_related("actor", "from_assignee", "to_assignee").order_by(
        "created_at", "id"
    )
