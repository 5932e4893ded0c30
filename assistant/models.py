from django.conf import settings
from django.db import models


class MessageRole(models.TextChoices):
    # The two roles the Gemini API accepts in `contents`.
    USER = "user", "User"
    MODEL = "model", "Model"


class MessageOutcome(models.TextChoices):
    ANSWERED = "answered", "Answered"
    NO_ANSWER = "no_answer", "No answer could be given"


class Conversation(models.Model):
    """A user's thread of questions to the assistant; only its owner can read or delete it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assistant_conversations"
    )
    title = models.CharField(max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["user", "-updated_at", "-id"], name="conversation_user_updated_idx"
            )
        ]

    def __str__(self) -> str:
        return f"Conversation {self.pk} of user {self.user_id}"


class Message(models.Model):
    """One turn: the user's question or the model's answer.

    Model turns also store the draft ticket, the model name, the latency and the token
    counts, so that usage can be audited per conversation.
    """

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    role = models.CharField(max_length=8, choices=MessageRole.choices)
    text = models.TextField()
    outcome = models.CharField(max_length=16, choices=MessageOutcome.choices, blank=True)
    draft_ticket = models.JSONField(null=True, blank=True)
    model_name = models.CharField(max_length=100, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    prompt_tokens = models.PositiveIntegerField(null=True, blank=True)
    output_tokens = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["conversation", "created_at", "id"], name="message_conversation_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.role} message {self.pk} in conversation {self.conversation_id}"
