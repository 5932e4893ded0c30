"""Reads on tickets. Every fetch of a ticket for a caller goes through these."""

from django.db.models import Q, QuerySet
from rest_framework.exceptions import NotFound

from tickets.models import Ticket, TicketComment, TicketEvent


def ticket_list_visible_to(*, user) -> QuerySet[Ticket]:
    """Tickets `user` may see: all for administrators; otherwise created or assigned."""
    tickets = Ticket.objects.select_related("creator", "assignee")
    if user.is_admin:
        return tickets
    return tickets.filter(Q(creator=user) | Q(assignee=user))


def ticket_get_visible(*, user, ticket_id: int) -> Ticket:
    """Return the ticket if `user` may see it; raise 404 for a missing and a hidden one alike."""
    ticket = (
        ticket_list_visible_to(user=user)
        .select_related("feedback__author")
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None:
        raise NotFound("Ticket not found.")
    return ticket


def ticket_history(*, ticket: Ticket, viewer) -> QuerySet[TicketEvent]:
    """Return the ticket's history, oldest first, without internal comments for non-admins."""
    events = ticket.events.select_related(
        "actor", "from_assignee", "to_assignee", "comment"
    ).order_by("created_at", "id")
    if not viewer.is_admin:
        events = events.filter(Q(comment__isnull=True) | Q(comment__internal=False))
    return events


def ticket_comments(*, ticket: Ticket, viewer) -> QuerySet[TicketComment]:
    """Return the ticket's comments, oldest first, without internal ones for non-admins."""
    comments = ticket.comments.select_related("author").order_by("created_at", "id")
    if not viewer.is_admin:
        comments = comments.filter(internal=False)
    return comments
