from django.conf import settings
from rest_framework import serializers

from config.serializers import StrictInputSerializer
from tickets.models import TicketPriority

from .models import Conversation, Message, MessageOutcome, MessageRole

# The largest value a BigAutoField id can take, so that a bigger number is a 400, not a
# database error.
MAX_ID = 2**63 - 1


class AskInputSerializer(StrictInputSerializer):
    question = serializers.CharField(
        help_text="The question, in plain language. Leading and trailing spaces are removed; "
        "the limit is ASSISTANT_QUESTION_MAX_CHARS characters (2000 by default).",
    )
    conversation_id = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_ID,
        help_text="Continue this conversation of the caller's; leave out to start a new one.",
    )

    def validate_question(self, value: str) -> str:
        # The limit is read per request, not at import, so that it follows the settings.
        limit = settings.ASSISTANT_QUESTION_MAX_CHARS
        if len(value) > limit:
            raise serializers.ValidationError(
                f"Ensure this field has no more than {limit} characters (it has {len(value)})."
            )
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            # JSON can carry lone surrogates ("\ud800") that no database text column stores.
            raise serializers.ValidationError(
                "The question contains characters that are not valid Unicode."
            ) from None
        return value


class DraftTicketSerializer(serializers.Serializer):
    """A ticket proposed by the assistant; send it as it is to `POST /tickets` to file it."""

    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    priority = serializers.ChoiceField(choices=TicketPriority.choices)


class RelatedOperationSerializer(serializers.Serializer):
    method = serializers.CharField(help_text="HTTP method, upper case.")
    path = serializers.CharField()
    summary = serializers.CharField(allow_blank=True)


class AskOutputSerializer(serializers.Serializer):
    answer = serializers.CharField(help_text="The assistant's answer, plain text or Markdown.")
    outcome = serializers.ChoiceField(
        choices=MessageOutcome.choices,
        help_text="`no_answer` when the language model blocked or gave no answer; `answer` "
        "then says so.",
    )
    conversation_id = serializers.IntegerField()
    message_id = serializers.IntegerField(help_text="The id of the stored answer.")
    draft_ticket = DraftTicketSerializer(
        allow_null=True,
        help_text="Present when the caller asked for a ticket. The assistant does not create "
        "it: the caller submits it to `POST /tickets`.",
    )
    related_operations = RelatedOperationSerializer(
        many=True, help_text="The API operations the answer was grounded in, best match first."
    )
    model = serializers.CharField(help_text="The Gemini model that answered.")


class ConversationSerializer(serializers.ModelSerializer):
    message_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Conversation
        fields = ["id", "title", "message_count", "created_at", "updated_at"]
        read_only_fields = fields


class MessageSerializer(serializers.ModelSerializer):
    role = serializers.ChoiceField(choices=MessageRole.choices, read_only=True)
    outcome = serializers.ChoiceField(
        choices=MessageOutcome.choices,
        allow_blank=True,
        read_only=True,
        help_text="Empty for the caller's questions.",
    )
    draft_ticket = DraftTicketSerializer(allow_null=True, read_only=True)

    class Meta:
        model = Message
        fields = ["id", "role", "text", "outcome", "draft_ticket", "created_at"]
        read_only_fields = fields


class ConversationDetailSerializer(ConversationSerializer):
    messages = MessageSerializer(many=True, read_only=True)

    class Meta(ConversationSerializer.Meta):
        fields = [*ConversationSerializer.Meta.fields, "messages"]
        read_only_fields = fields
