from django.db import models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
from accounts.serializers import UserSummarySerializer
from config.serializers import StrictInputSerializer
from tickets.models import (
    COMMENT_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    EVENT_NOTE_MAX_LENGTH,
    FEEDBACK_COMMENT_MAX_LENGTH,
    RATING_MAX,
    RATING_MIN,
    TITLE_MAX_LENGTH,
    Ticket,
    TicketComment,
    TicketEvent,
    TicketFeedback,
    TicketPriority,
    TicketStatus,
)
from tickets.services import user_targets


@extend_schema_field(OpenApiTypes.INT)
class ActiveUserField(serializers.PrimaryKeyRelatedField):
    default_error_messages = {
        "does_not_exist": "No active user has id {pk_value}.",
        "incorrect_type": "A user id (integer) is required, not {data_type}.",
    }

    def get_queryset(self):
        return User.objects.filter(is_active=True)


class TicketCreateInputSerializer(StrictInputSerializer):
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH)
    description = serializers.CharField(
        max_length=DESCRIPTION_MAX_LENGTH, required=False, allow_blank=True, default=""
    )
    priority = serializers.ChoiceField(
        choices=TicketPriority.choices, required=False, default=TicketPriority.MEDIUM
    )
    assignee = ActiveUserField(
        required=False,
        allow_null=True,
        help_text=(
            "Leave it out to assign the ticket automatically to the available administrator "
            "with the fewest open and in-progress tickets. Send a user id to choose the "
            "assignee yourself (available or not), or `null` to leave the ticket unassigned."
        ),
    )
    status = serializers.ChoiceField(
        choices=TicketStatus.choices,
        required=False,
        write_only=True,
        help_text="Ignored: every new ticket starts `open`.",
    )


class TicketUpdateInputSerializer(StrictInputSerializer):
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH, required=False)
    description = serializers.CharField(
        max_length=DESCRIPTION_MAX_LENGTH, required=False, allow_blank=True
    )
    priority = serializers.ChoiceField(choices=TicketPriority.choices, required=False)
    assignee = ActiveUserField(required=False, allow_null=True)
    status = serializers.ChoiceField(
        choices=TicketStatus.choices,
        required=False,
        help_text=(
            "A transition request, for administrators only: `open` -> `in_progress` -> `closed`."
        ),
    )


class AssigneeSerializer(UserSummarySerializer):
    """The assignee of a ticket, with the availability flag that decides who gets new work."""

    class Meta(UserSummarySerializer.Meta):
        fields = [*UserSummarySerializer.Meta.fields, "is_available"]
        read_only_fields = fields


# Renders datetimes exactly as the generated DateTimeField of a ModelSerializer does
# (ISO 8601 in the current time zone, "Z" for UTC).
_DATETIME_FIELD = serializers.DateTimeField(read_only=True)


def _datetime(value):
    return None if value is None else _DATETIME_FIELD.to_representation(value)


def _person(user: User) -> dict:
    """Render `user` as UserSummarySerializer does, without building its fields."""
    return {"id": user.pk, "name": user.name, "email": user.email, "role": str(user.role)}


def _assignee(user: User | None) -> dict | None:
    """Render `user` as AssigneeSerializer does, without building its fields."""
    if user is None:
        return None
    return {**_person(user), "is_available": bool(user.is_available)}


# The ticket serializers below build their output by hand in `to_representation`, because
# building and running DRF's fields on every request cost more than the query. The
# declared fields still describe the output in the schema, and
# tests/tickets/test_fast_serializers.py checks that both give the same dict. (A class
# docstring would become the schema's description, so this is a comment.)
class TicketListSerializer(serializers.ModelSerializer):
    creator = UserSummarySerializer(read_only=True)
    assignee = AssigneeSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Ticket
        fields = [
            "id",
            "title",
            "priority",
            "status",
            "creator",
            "assignee",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, ticket: Ticket) -> dict:
        return {
            "id": ticket.pk,
            "title": ticket.title,
            "priority": str(ticket.priority),
            "status": str(ticket.status),
            "creator": _person(ticket.creator),
            "assignee": _assignee(ticket.assignee),
            "created_at": _datetime(ticket.created_at),
            "updated_at": _datetime(ticket.updated_at),
        }


class FeedbackSerializer(serializers.ModelSerializer):
    author = UserSummarySerializer(read_only=True)

    class Meta:
        model = TicketFeedback
        fields = ["id", "author", "rating", "comment", "created_at"]
        read_only_fields = fields


class FeedbackCreateInputSerializer(StrictInputSerializer):
    rating = serializers.IntegerField(min_value=RATING_MIN, max_value=RATING_MAX)
    comment = serializers.CharField(
        max_length=FEEDBACK_COMMENT_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class ReopenInputSerializer(StrictInputSerializer):
    reason = serializers.CharField(
        max_length=EVENT_NOTE_MAX_LENGTH,
        help_text="Why the ticket is reopened; kept in the history.",
    )


class TicketDetailSerializer(serializers.ModelSerializer):
    creator = UserSummarySerializer(read_only=True)
    assignee = AssigneeSerializer(read_only=True, allow_null=True)
    allowed_transitions = serializers.SerializerMethodField(
        help_text=(
            "Statuses the caller may move this ticket to now. `open` on a closed ticket "
            "means it can be reopened with POST /tickets/{id}/reopen."
        )
    )
    feedback = serializers.SerializerMethodField(
        help_text="The creator's rating once the ticket is closed; null until given."
    )

    class Meta:
        model = Ticket
        fields = [
            "id",
            "title",
            "description",
            "priority",
            "status",
            "creator",
            "assignee",
            "created_at",
            "updated_at",
            "started_at",
            "closed_at",
            "allowed_transitions",
            "feedback",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(TicketStatus.choices)))
    def get_allowed_transitions(self, ticket: Ticket) -> list[str]:
        return user_targets(ticket, self.context["request"].user)

    @extend_schema_field(FeedbackSerializer(allow_null=True))
    def get_feedback(self, ticket: Ticket) -> dict | None:
        try:
            feedback = ticket.feedback
        except TicketFeedback.DoesNotExist:
            return None
        return FeedbackSerializer(feedback).data

    def to_representation(self, ticket: Ticket) -> dict:
        return {
            "id": ticket.pk,
            "title": ticket.title,
            "description": ticket.description,
            "priority": str(ticket.priority),
            "status": str(ticket.status),
            "creator": _person(ticket.creator),
            "assignee": _assignee(ticket.assignee),
            "created_at": _datetime(ticket.created_at),
            "updated_at": _datetime(ticket.updated_at),
            "started_at": _datetime(ticket.started_at),
            "closed_at": _datetime(ticket.closed_at),
            "allowed_transitions": self.get_allowed_transitions(ticket),
            "feedback": self.get_feedback(ticket),
        }


class AssignmentMethod(models.TextChoices):
    AUTOMATIC = "automatic", "Automatic"
    MANUAL = "manual", "Manual"
    NONE = "none", "Left unassigned"


class AssignmentSerializer(serializers.Serializer):
    """The outcome of a write for the ticket's assignee."""

    method = serializers.ChoiceField(
        choices=AssignmentMethod.choices,
        help_text=(
            "`automatic`: chosen by the server; `manual`: the id the client sent; `none`: the "
            "client sent `null`."
        ),
    )
    assignee_available = serializers.BooleanField(
        allow_null=True,
        help_text="The assignee's availability flag; null when the ticket is unassigned.",
    )
    detail = serializers.CharField(help_text="The outcome in a sentence.")


def describe_assignment(ticket: Ticket, method: str) -> dict:
    """Build the `assignment` part of a create or edit response for the ticket's assignee."""
    assignee = ticket.assignee
    if assignee is None:
        if method == AssignmentMethod.AUTOMATIC:
            detail = "No administrator is available, so the ticket is unassigned."
        else:
            detail = "The ticket is unassigned."
        return {"method": method, "assignee_available": None, "detail": detail}

    if method == AssignmentMethod.AUTOMATIC:
        detail = (
            f"Assigned automatically to {assignee.email}, the available administrator with "
            "the fewest open and in-progress tickets."
        )
    elif assignee.is_available:
        detail = f"Assigned to {assignee.email}, who is available."
    else:
        detail = (
            f"Assigned to {assignee.email}, who is not available at the moment: the ticket "
            "may wait until they are back."
        )
    return {"method": method, "assignee_available": assignee.is_available, "detail": detail}


class TicketWriteSerializer(TicketDetailSerializer):
    """A created or edited ticket, with how its assignee was decided.

    `assignment` comes from the serializer context and is null when the write did not touch
    the assignee.
    """

    assignment = serializers.SerializerMethodField()

    class Meta(TicketDetailSerializer.Meta):
        fields = [*TicketDetailSerializer.Meta.fields, "assignment"]
        read_only_fields = fields

    @extend_schema_field(AssignmentSerializer(allow_null=True))
    def get_assignment(self, ticket: Ticket) -> dict | None:
        return self.context.get("assignment")

    def to_representation(self, ticket: Ticket) -> dict:
        return {**super().to_representation(ticket), "assignment": self.get_assignment(ticket)}


class CommentCreateInputSerializer(StrictInputSerializer):
    body = serializers.CharField(max_length=COMMENT_MAX_LENGTH)
    internal = serializers.BooleanField(
        required=False,
        default=False,
        help_text="A note for administrators only; only administrators may set it.",
    )


class CommentSerializer(serializers.ModelSerializer):
    author = UserSummarySerializer(read_only=True)

    class Meta:
        model = TicketComment
        fields = ["id", "author", "body", "internal", "created_at"]
        read_only_fields = fields


class EventCommentSerializer(serializers.ModelSerializer):
    """The comment of a `commented` history row; its author is the row's `actor`."""

    class Meta:
        model = TicketComment
        fields = ["id", "body", "internal"]
        read_only_fields = fields


class TicketEventSerializer(serializers.ModelSerializer):
    actor = UserSummarySerializer(read_only=True)
    # Blank on rows that do not change the status (assignments, comments); a generated
    # read-only field would leave "" out of the schema's enum.
    from_status = serializers.ChoiceField(
        choices=TicketStatus.choices, allow_blank=True, read_only=True
    )
    to_status = serializers.ChoiceField(
        choices=TicketStatus.choices, allow_blank=True, read_only=True
    )
    from_assignee = UserSummarySerializer(read_only=True, allow_null=True)
    to_assignee = UserSummarySerializer(read_only=True, allow_null=True)
    comment = EventCommentSerializer(read_only=True, allow_null=True)

    class Meta:
        model = TicketEvent
        fields = [
            "id",
            "kind",
            "actor",
            "from_status",
            "to_status",
            "from_assignee",
            "to_assignee",
            "note",
            "comment",
            "created_at",
        ]
        read_only_fields = fields
