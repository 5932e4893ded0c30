from django.conf import settings
from django.db import models
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition


class TicketStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    CLOSED = "closed", "Closed"


class TicketPriority(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


# Statuses that count as work still on somebody's desk.
ACTIVE_STATUSES = (TicketStatus.OPEN, TicketStatus.IN_PROGRESS)

TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 10_000


def _is_admin(instance: "Ticket", user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_admin)


class Ticket(FSMModelMixin, models.Model):
    """A support request. Its status moves only through the transitions below.

    The status field is `protected`: assigning to it raises, so the only way to change it
    is a transition method, and `tickets.services.ticket_transition` is the only caller.
    """

    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    description = models.TextField(blank=True, max_length=DESCRIPTION_MAX_LENGTH)
    priority = models.CharField(
        max_length=16, choices=TicketPriority.choices, default=TicketPriority.MEDIUM
    )
    status = FSMField(
        max_length=16, choices=TicketStatus.choices, default=TicketStatus.OPEN, protected=True
    )
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="created_tickets"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "-created_at", "-id"], name="ticket_status_created_idx"),
            models.Index(fields=["assignee", "status"], name="ticket_assignee_status_idx"),
            models.Index(fields=["creator", "-created_at"], name="ticket_creator_created_idx"),
            models.Index(fields=["assignee", "-created_at"], name="ticket_assignee_created_idx"),
            # The availability lists count each person's open and in-progress tickets.
            # Only active tickets are in this index, and it carries `id`, so the counts are
            # an index-only scan that does not grow with the number of closed tickets.
            # (`id` is a key column, not INCLUDE, because SQLite has no INCLUDE.)
            models.Index(
                fields=["assignee", "status", "id"],
                condition=models.Q(status__in=ACTIVE_STATUSES),
                name="ticket_active_assignee_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @transition(
        field=status,
        source=TicketStatus.OPEN,
        target=TicketStatus.IN_PROGRESS,
        permission=_is_admin,
    )
    def start(self) -> None:
        self.started_at = timezone.now()

    @transition(
        field=status,
        source=TicketStatus.IN_PROGRESS,
        target=TicketStatus.CLOSED,
        permission=_is_admin,
    )
    def close(self) -> None:
        self.closed_at = timezone.now()


class TicketEventKind(models.TextChoices):
    CREATED = "created", "Created"
    STATUS_CHANGED = "status_changed", "Status changed"
    ASSIGNEE_CHANGED = "assignee_changed", "Assignee changed"


class TicketEvent(models.Model):
    """One row of a ticket's history, written in the same transaction as the change."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32, choices=TicketEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ticket_events"
    )
    from_status = models.CharField(max_length=16, choices=TicketStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=TicketStatus.choices, blank=True)
    from_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    to_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["ticket", "created_at", "id"], name="ticketevent_ticket_idx")
        ]

    def __str__(self) -> str:
        return f"{self.kind} on ticket {self.ticket_id}"
