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
EVENT_NOTE_MAX_LENGTH = 500
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
    # Incremented under the row lock by every service write to the row. The ETag is built
    # from it, so If-Match detects a change made by someone else since the client's read.
    version = models.PositiveIntegerField(default=1)

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

    @property
    def etag(self) -> str:
        """The strong entity tag of this version of the ticket, quoted as in an HTTP header."""
        return f'"{self.pk}-{self.version}"'

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

    @transition(
        field=status,
        source=TicketStatus.CLOSED,
        target=TicketStatus.OPEN,
        permission=_is_admin,
    )
    def reopen(self) -> None:
        # The next close sets closed_at again, so time-to-close runs from creation to the
        # last close.
        self.closed_at = None


class TicketEventKind(models.TextChoices):
    CREATED = "created", "Created"
    STATUS_CHANGED = "status_changed", "Status changed"
    ASSIGNEE_CHANGED = "assignee_changed", "Assignee changed"
    AUTO_ASSIGNMENT = "auto_assignment", "Automatic assignment"
    COMMENTED = "commented", "Commented"
    FEEDBACK = "feedback", "Feedback"


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
    note = models.CharField(max_length=EVENT_NOTE_MAX_LENGTH, blank=True)
    # Set on `commented` rows; the history hides rows of internal comments from non-admins.
    comment = models.ForeignKey(
        "TicketComment", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["ticket", "created_at", "id"], name="ticketevent_ticket_idx"),
            # Automatic assignment reads each candidate's latest assignment
            # (tickets/assignment.py). Without this index PostgreSQL read all of a person's
            # assignment rows to find it: about 18 ms per administrator at 3.8 million rows.
            models.Index(
                fields=["to_assignee", "-created_at", "-id"], name="ticketevent_to_assignee_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on ticket {self.ticket_id}"


COMMENT_MAX_LENGTH = 10_000
FEEDBACK_COMMENT_MAX_LENGTH = 2_000
RATING_MIN, RATING_MAX = 1, 5


class TicketComment(models.Model):
    """A message on a ticket. Internal comments are notes among administrators only."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ticket_comments"
    )
    body = models.TextField(max_length=COMMENT_MAX_LENGTH)
    internal = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["ticket", "created_at", "id"], name="ticketcomment_ticket_idx")
        ]

    def __str__(self) -> str:
        return f"Comment {self.pk} on ticket {self.ticket_id}"


class TicketFeedback(models.Model):
    """The creator's confirmation that a closed ticket was resolved, with a rating.

    There is at most one per ticket, even if the ticket is reopened and closed again.
    """

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="feedback")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ticket_feedback"
    )
    rating = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True, max_length=FEEDBACK_COMMENT_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__gte=RATING_MIN, rating__lte=RATING_MAX),
                name="ticketfeedback_rating_range",
            )
        ]

    def __str__(self) -> str:
        return f"Feedback {self.rating}/{RATING_MAX} on ticket {self.ticket_id}"
