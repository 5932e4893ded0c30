"""Writes on tickets. Each change and its history rows commit in one transaction."""

import logging
from typing import Any

from django.db import transaction
from rest_framework import exceptions

from accounts.models import User
from config.errors import ApplicationError, Conflict
from tickets.assignment import auto_assignee_pick
from tickets.models import (
    RATING_MAX,
    Ticket,
    TicketComment,
    TicketEvent,
    TicketEventKind,
    TicketFeedback,
    TicketStatus,
)
from tickets.selectors import ticket_get_visible, ticket_list_visible_to

logger = logging.getLogger(__name__)

EDITABLE_FIELDS = ("title", "description", "priority", "assignee")


def etag_matches(current: str, candidates: list[str]) -> bool:
    """Compare entity tags strongly (RFC 9110, 13.1.1): a weak tag `W/"..."` never matches."""
    return any(tag == "*" or tag == current for tag in candidates)


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
    auto_assign: bool = False,
) -> Ticket:
    """Create an open ticket; the status never comes from the caller.

    With `auto_assign` the assignee is chosen by `tickets.assignment.auto_assignee_pick`
    (it may find nobody, and the ticket stays unassigned) and the choice and its reason go
    into the history. Otherwise `assignee` is used as given, available or not.
    """
    if auto_assign and assignee is not None:
        raise ValueError("Pass either an assignee or auto_assign=True, not both.")

    picked = auto_assignee_pick() if auto_assign else None
    if picked is not None:
        assignee = picked.assignee

    ticket = Ticket(title=title, description=description, creator=creator, assignee=assignee)
    if priority:
        ticket.priority = priority
    ticket.save()

    TicketEvent.objects.create(
        ticket=ticket,
        kind=TicketEventKind.CREATED,
        actor=creator,
        to_status=ticket.status,
        to_assignee=None if auto_assign else assignee,
    )
    if picked is not None:
        TicketEvent.objects.create(
            ticket=ticket,
            kind=TicketEventKind.AUTO_ASSIGNMENT,
            actor=creator,
            to_assignee=picked.assignee,
            note=picked.reason,
        )
    logger.info(
        "Ticket %s created by user %s, assigned to user %s%s",
        ticket.pk,
        creator.pk,
        ticket.assignee_id,
        " automatically" if auto_assign else "",
    )
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

    if target == TicketStatus.OPEN and not note.strip():
        raise exceptions.ValidationError({"reason": ["A reason is required to reopen a ticket."]})

    source = ticket.status
    getattr(ticket, transition.name)()
    ticket.version += 1
    ticket.save(update_fields=["status", "started_at", "closed_at", "version", "updated_at"])
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
def ticket_update(
    *,
    actor: User,
    ticket_id: int,
    changes: dict[str, Any],
    if_match: list[str] | None = None,
) -> Ticket:
    """Apply a partial update: field edits and, if `status` is in `changes`, a transition.

    Field edits need the creator or an administrator; a status change needs an
    administrator. A closed ticket accepts neither (409). Fields not in `changes` keep
    their stored values, because only the changed columns are written. With `if_match`
    (the entity tags of an If-Match header) the update runs only if one of them is the
    ticket's current ETag or `*`, and raises 412 otherwise. The check runs under the
    row lock, so two writers holding the same ETag cannot both pass it.
    """
    ticket = _lock_visible(actor=actor, ticket_id=ticket_id)
    if if_match is not None and not etag_matches(ticket.etag, if_match):
        raise ApplicationError(
            "The ticket has changed since you read it: fetch it again for its current ETag, "
            "then retry with that ETag in If-Match.",
            code="precondition_failed",
            status_code=412,
        )
    changes = dict(changes)
    target = changes.pop("status", None)

    if changes and not (actor.is_admin or ticket.creator_id == actor.pk):
        raise exceptions.PermissionDenied(
            "Only the ticket's creator or an administrator can edit it."
        )
    if target is not None and not actor.is_admin:
        raise exceptions.PermissionDenied("Only administrators can change a ticket's status.")
    if ticket.status == TicketStatus.CLOSED:
        if target == TicketStatus.OPEN:
            raise exceptions.ValidationError(
                {
                    "status": [
                        "Reopen a closed ticket with POST /tickets/{id}/reopen, which records "
                        "the reason."
                    ]
                }
            )
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
    ticket.version += 1
    ticket.save(update_fields=[*changed, "version", "updated_at"])

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


@transaction.atomic
def comment_create(
    *, author: User, ticket_id: int, body: str, internal: bool = False
) -> TicketComment:
    """Add a comment to a ticket `author` may see, and a `commented` row to its history.

    Only administrators may write internal comments (403 otherwise, naming `internal`).
    Closed tickets accept comments too, because a comment does not change the ticket.
    """
    ticket = ticket_get_visible(user=author, ticket_id=ticket_id)
    if internal and not author.is_admin:
        raise ApplicationError(
            "Only administrators can write internal comments.",
            code="permission_denied",
            status_code=403,
            fields={"internal": ["Only administrators may set this."]},
        )

    comment = TicketComment.objects.create(
        ticket=ticket, author=author, body=body, internal=internal
    )
    TicketEvent.objects.create(
        ticket=ticket,
        kind=TicketEventKind.COMMENTED,
        actor=author,
        comment=comment,
        created_at=comment.created_at,
    )
    logger.info(
        "Comment %s (internal: %s) added to ticket %s by user %s",
        comment.pk,
        internal,
        ticket.pk,
        author.pk,
    )
    return comment


@transaction.atomic
def ticket_reopen(*, actor: User, ticket_id: int, reason: str) -> Ticket:
    """Move a closed ticket back to `open` as administrator `actor`, recording `reason`.

    Raises 404 if the actor cannot see the ticket, 403 for a non-administrator, 400 for a
    blank reason and 409 if the ticket is not closed.
    """
    ticket = _lock_visible(actor=actor, ticket_id=ticket_id)
    _apply_transition(ticket=ticket, actor=actor, target=TicketStatus.OPEN, note=reason)
    return ticket


@transaction.atomic
def ticket_feedback_create(
    *, author: User, ticket_id: int, rating: int, comment: str = ""
) -> TicketFeedback:
    """Record the creator's confirmation that a closed ticket was resolved, with a rating.

    Only the creator may give feedback (403), only on a closed ticket (409
    `ticket_not_closed`) and only once per ticket, even after a reopen and a second close
    (409 `feedback_exists`). The ticket row lock makes the once-only check race-free.
    """
    ticket = _lock_visible(actor=author, ticket_id=ticket_id)
    if ticket.creator_id != author.pk:
        raise exceptions.PermissionDenied("Only the ticket's creator can give feedback on it.")
    if ticket.status != TicketStatus.CLOSED:
        raise Conflict(
            "Feedback can be given once the ticket is closed.",
            code="ticket_not_closed",
            extra={"current_status": ticket.status},
        )
    if TicketFeedback.objects.filter(ticket=ticket).exists():
        raise Conflict("Feedback on this ticket was already given.", code="feedback_exists")

    feedback = TicketFeedback.objects.create(
        ticket=ticket, author=author, rating=rating, comment=comment
    )
    # The detail representation includes the feedback, so the ETag must change.
    ticket.version += 1
    ticket.save(update_fields=["version", "updated_at"])
    TicketEvent.objects.create(
        ticket=ticket,
        kind=TicketEventKind.FEEDBACK,
        actor=author,
        note=f"Confirmed resolved; rated {rating}/{RATING_MAX}.",
        created_at=feedback.created_at,
    )
    logger.info("Feedback %s/%s on ticket %s by user %s", rating, RATING_MAX, ticket.pk, author.pk)
    return feedback
