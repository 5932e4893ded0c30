"""Writes on tickets. Each change and its history rows commit in one transaction."""

import logging
from typing import Any

from django.db import transaction
from rest_framework import exceptions

from accounts.models import User
from config.errors import Conflict
from tickets.models import Ticket, TicketEvent, TicketEventKind, TicketStatus
from tickets.selectors import ticket_list_visible_to

logger = logging.getLogger(__name__)

EDITABLE_FIELDS = ("title", "description", "priority", "assignee")


def allowed_targets(ticket: Ticket) -> list[str]:
    """Statuses the state machine allows from the ticket's current one, for any administrator."""
    return [t.target for t in ticket.get_available_status_transitions()]


def user_targets(ticket: Ticket, user) -> list[str]:
    """Statuses `user` may move the ticket to now; empty for anyone but an administrator."""
    return [t.target for t in ticket.get_available_user_status_transitions(user)]


@transaction.atomic
def ticket_create(
    *,
    creator: User,
    title: str,
    description: str = "",
    priority: str | None = None,
    assignee: User | None = None,
) -> Ticket:
    """Create an open ticket; the status never comes from the caller."""
    ticket = Ticket(title=title, description=description, creator=creator, assignee=assignee)
    if priority:
        ticket.priority = priority
    ticket.save()

    TicketEvent.objects.create(
        ticket=ticket,
        kind=TicketEventKind.CREATED,
        actor=creator,
        to_status=ticket.status,
        to_assignee=assignee,
    )
    logger.info("Ticket %s created by user %s", ticket.pk, creator.pk)
    return ticket


def _lock_visible(*, actor: User, ticket_id: int) -> Ticket:
    """Lock the ticket row for the rest of the transaction, or 404 if `actor` cannot see it.

    The lock serializes concurrent edits and transitions of one ticket: the second request
    waits, then sees the first one's result instead of overwriting it.
    """
    ticket = (
        ticket_list_visible_to(user=actor)
        .select_for_update(of=("self",))
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None:
        raise exceptions.NotFound("Ticket not found.")
    return ticket


def _transition_conflict(ticket: Ticket, target: str) -> Conflict:
    return Conflict(
        f"A ticket in status '{ticket.status}' cannot move to '{target}'.",
        code="invalid_transition",
        extra={"current_status": ticket.status, "allowed_transitions": allowed_targets(ticket)},
    )


def _apply_transition(*, ticket: Ticket, actor: User, target: str, note: str = "") -> None:
    if not actor.is_admin:
        raise exceptions.PermissionDenied("Only administrators can change a ticket's status.")

    transition = next(
        (t for t in ticket.get_available_status_transitions() if t.target == target), None
    )
    if transition is None:
        raise _transition_conflict(ticket, target)

    source = ticket.status
    getattr(ticket, transition.name)()
    ticket.save(update_fields=["status", "started_at", "closed_at", "updated_at"])
    TicketEvent.objects.create(
        ticket=ticket,
        kind=TicketEventKind.STATUS_CHANGED,
        actor=actor,
        from_status=source,
        to_status=target,
        note=note,
    )
    logger.info("Ticket %s moved %s -> %s by user %s", ticket.pk, source, target, actor.pk)


@transaction.atomic
def ticket_transition(*, actor: User, ticket_id: int, target: str, note: str = "") -> Ticket:
    """Move a ticket to `target` through the state machine, as administrator `actor`.

    Raises 404 if the actor cannot see the ticket, 403 if the actor is not an administrator
    and 409 if the state machine does not allow the move from the current status.
    """
    ticket = _lock_visible(actor=actor, ticket_id=ticket_id)
    _apply_transition(ticket=ticket, actor=actor, target=target, note=note)
    return ticket


@transaction.atomic
def ticket_update(*, actor: User, ticket_id: int, changes: dict[str, Any]) -> Ticket:
    """Apply a partial update: field edits and, if `status` is in `changes`, a transition.

    Field edits need the creator or an administrator; a status change needs an
    administrator. A closed ticket accepts neither (409). Fields not in `changes` keep
    their stored values, because only the changed columns are written.
    """
    ticket = _lock_visible(actor=actor, ticket_id=ticket_id)
    changes = dict(changes)
    target = changes.pop("status", None)

    if changes and not (actor.is_admin or ticket.creator_id == actor.pk):
        raise exceptions.PermissionDenied(
            "Only the ticket's creator or an administrator can edit it."
        )
    if target is not None and not actor.is_admin:
        raise exceptions.PermissionDenied("Only administrators can change a ticket's status.")
    if ticket.status == TicketStatus.CLOSED:
        if target is not None:
            raise _transition_conflict(ticket, target)
        if changes:
            raise Conflict(
                "A closed ticket cannot be edited.",
                code="ticket_closed",
                extra={
                    "current_status": ticket.status,
                    "allowed_transitions": allowed_targets(ticket),
                },
            )

    _apply_field_changes(ticket=ticket, actor=actor, changes=changes)
    if target is not None:
        _apply_transition(ticket=ticket, actor=actor, target=target)
    return ticket


def _apply_field_changes(*, ticket: Ticket, actor: User, changes: dict[str, Any]) -> None:
    changed = [
        name
        for name in EDITABLE_FIELDS
        if name in changes and getattr(ticket, name) != changes[name]
    ]
    if not changed:
        return

    previous_assignee = ticket.assignee
    for name in changed:
        setattr(ticket, name, changes[name])
    ticket.save(update_fields=[*changed, "updated_at"])

    if "assignee" in changed:
        TicketEvent.objects.create(
            ticket=ticket,
            kind=TicketEventKind.ASSIGNEE_CHANGED,
            actor=actor,
            from_assignee=previous_assignee,
            to_assignee=ticket.assignee,
        )
        logger.info(
            "Ticket %s assigned to user %s by user %s",
            ticket.pk,
            ticket.assignee_id,
            actor.pk,
        )
