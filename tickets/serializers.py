from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
from accounts.serializers import UserSummarySerializer
from config.serializers import StrictInputSerializer
from tickets.models import (
    DESCRIPTION_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Ticket,
    TicketEvent,
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
    assignee = ActiveUserField(required=False, allow_null=True, default=None)
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


class TicketListSerializer(serializers.ModelSerializer):
    creator = UserSummarySerializer(read_only=True)
    assignee = UserSummarySerializer(read_only=True, allow_null=True)

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


class TicketDetailSerializer(serializers.ModelSerializer):
    creator = UserSummarySerializer(read_only=True)
    assignee = UserSummarySerializer(read_only=True, allow_null=True)
    allowed_transitions = serializers.SerializerMethodField(
        help_text="Statuses the caller may move this ticket to now."
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
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(TicketStatus.choices)))
    def get_allowed_transitions(self, ticket: Ticket) -> list[str]:
        return user_targets(ticket, self.context["request"].user)


class TicketEventSerializer(serializers.ModelSerializer):
    actor = UserSummarySerializer(read_only=True)
    from_assignee = UserSummarySerializer(read_only=True, allow_null=True)
    to_assignee = UserSummarySerializer(read_only=True, allow_null=True)

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
            "created_at",
        ]
        read_only_fields = fields
