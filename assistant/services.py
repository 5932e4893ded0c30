"""Writes for the assistant: asking a question and deleting a conversation."""

import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from rest_framework.exceptions import NotFound

from tickets.serializers import TicketCreateInputSerializer

from . import selectors
from .gemini import (
    AssistantError,
    AssistantNotConfigured,
    GeminiConfig,
    GeminiReply,
    gemini_generate,
)
from .models import Conversation, Message, MessageOutcome, MessageRole
from .operations import RankedOperation, live_schema, rank_operations
from .prompts import ANSWER_JSON_SCHEMA, build_prompt, truncate

logger = logging.getLogger(__name__)

NO_ANSWER_TEXT = (
    "No answer could be given to this question: the language model declined to answer it. "
    "Try rephrasing the question, or ask an administrator."
)
TITLE_MAX_CHARS = 80


@dataclass(frozen=True)
class AskResult:
    conversation: Conversation
    message: Message
    operations: list[RankedOperation] = field(default_factory=list)


def conversation_ask(*, user, question: str, conversation_id: int | None = None) -> AskResult:
    """Answer `question` for `user` with Gemini and store both turns in the conversation.

    Not atomic as a whole, on purpose: the Gemini call can take up to the configured
    timeout and must not hold a database transaction open. Nothing is written before
    Gemini has answered, so a failed call leaves no trace, and both turns are then stored
    in one transaction.
    """
    conversation = (
        selectors.conversation_get_owned(user=user, conversation_id=conversation_id)
        if conversation_id is not None
        else None
    )
    config = GeminiConfig.from_settings()
    if not config.is_configured:
        _log_call(
            user=user, conversation=conversation, model=config.model, outcome="not_configured"
        )
        raise AssistantNotConfigured()

    history = selectors.conversation_history(conversation=conversation) if conversation else []

    schema = live_schema()
    operations = rank_operations(schema, question, limit=settings.ASSISTANT_MAX_OPERATIONS)
    prompt = build_prompt(
        question=question,
        operations=operations,
        schema=schema,
        caller=selectors.caller_context(user=user),
        tickets=selectors.ticket_summary_for(
            user=user, question=question, limit=settings.ASSISTANT_MAX_TICKETS
        ),
        history=history,
        history_budget_chars=settings.ASSISTANT_HISTORY_MAX_CHARS,
    )
    logger.debug(
        "Assistant prompt for user %s: %s operations, %s history characters, %s contents",
        user.pk,
        len(operations),
        prompt.history_chars,
        len(prompt.contents),
    )

    started = time.monotonic()
    try:
        reply = gemini_generate(
            config=config,
            system_instruction=prompt.system_instruction,
            contents=prompt.contents,
            response_json_schema=ANSWER_JSON_SCHEMA,
        )
    except AssistantError as exc:
        _log_call(
            user=user,
            conversation=conversation,
            model=config.model,
            outcome=exc.outcome,
            latency_ms=round((time.monotonic() - started) * 1000),
        )
        raise

    answer, draft = _answer_and_draft(reply)
    try:
        conversation, message = conversation_record_turn(
            user=user,
            conversation=conversation,
            question=question,
            answer=answer,
            draft_ticket=draft,
            reply=reply,
        )
    except NotFound:
        _log_call(
            user=user,
            conversation=conversation,
            model=reply.model,
            outcome="conversation_deleted",
            latency_ms=reply.latency_ms,
            reply=reply,
        )
        raise
    _log_call(
        user=user,
        conversation=conversation,
        model=reply.model,
        outcome=message.outcome if reply.answered else f"no_answer:{reply.blocked_reason}",
        latency_ms=reply.latency_ms,
        reply=reply,
    )
    return AskResult(conversation=conversation, message=message, operations=operations)


@transaction.atomic
def conversation_record_turn(
    *,
    user,
    conversation: Conversation | None,
    question: str,
    answer: str,
    draft_ticket: dict[str, Any] | None,
    reply: GeminiReply,
) -> tuple[Conversation, Message]:
    """Store the question and the model's reply, creating the conversation if needed.

    Raises NotFound if the existing `conversation` was deleted since it was read.
    """
    if conversation is None:
        conversation = Conversation.objects.create(
            user=user, title=truncate(question, TITLE_MAX_CHARS)
        )
    else:
        # conversation_ask read the conversation before the Gemini call, outside any
        # transaction, so its owner may have deleted it since. The row lock makes a
        # concurrent delete wait until these turns are committed, and then removes them too.
        conversation = (
            Conversation.objects.select_for_update().filter(pk=conversation.pk, user=user).first()
        )
        if conversation is None:
            raise NotFound("Conversation not found: it was deleted during this request.")
    Message.objects.create(conversation=conversation, role=MessageRole.USER, text=question)
    message = Message.objects.create(
        conversation=conversation,
        role=MessageRole.MODEL,
        text=answer,
        outcome=MessageOutcome.ANSWERED if reply.answered else MessageOutcome.NO_ANSWER,
        draft_ticket=draft_ticket,
        model_name=reply.model,
        latency_ms=reply.latency_ms,
        prompt_tokens=reply.usage.prompt_tokens,
        output_tokens=reply.usage.output_tokens,
    )
    # Bumps updated_at so that the conversation list shows the latest first.
    conversation.save(update_fields=["updated_at"])
    return conversation, message


@transaction.atomic
def conversation_delete(*, user, conversation_id: int) -> None:
    conversation = selectors.conversation_get_owned(user=user, conversation_id=conversation_id)
    conversation.delete()


def _answer_and_draft(reply: GeminiReply) -> tuple[str, dict[str, Any] | None]:
    """Read the answer and the draft ticket from the JSON reply Gemini was asked for.

    A reply that is not that JSON is shown as it is. A draft ticket that
    TicketCreateInputSerializer rejects is dropped, so a client only ever sees a draft that
    `POST /tickets` would accept as it stands.
    """
    if not reply.answered:
        return NO_ANSWER_TEXT, None

    try:
        payload = json.loads(reply.text)
    except json.JSONDecodeError:
        return reply.text, None
    if not isinstance(payload, dict) or not isinstance(payload.get("answer"), str):
        return reply.text, None

    answer = payload["answer"].strip() or NO_ANSWER_TEXT
    draft = payload.get("draft_ticket")
    if not isinstance(draft, dict):
        return answer, None

    candidate = {key: draft[key] for key in ("title", "description", "priority") if key in draft}
    serializer = TicketCreateInputSerializer(data=candidate)
    if not serializer.is_valid():
        logger.info("Dropped a draft ticket that failed validation: %s", dict(serializer.errors))
        return answer, None
    data = serializer.validated_data
    return answer, {
        "title": data["title"],
        "description": data["description"],
        "priority": data["priority"],
    }


def _log_call(
    *,
    user,
    conversation: Conversation | None,
    model: str,
    outcome: str,
    latency_ms: int | None = None,
    reply: GeminiReply | None = None,
) -> None:
    usage = reply.usage if reply else None
    logger.info(
        "Assistant call user=%s conversation=%s model=%s latency_ms=%s prompt_tokens=%s "
        "output_tokens=%s total_tokens=%s outcome=%s",
        user.pk,
        conversation.pk if conversation else None,
        model,
        latency_ms,
        usage.prompt_tokens if usage else None,
        usage.output_tokens if usage else None,
        usage.total_tokens if usage else None,
        outcome,
    )
