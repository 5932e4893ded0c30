"""Reads for the assistant: the caller's conversations and the context of a prompt."""

from typing import Any

from django.db.models import Count, QuerySet
from rest_framework.exceptions import NotFound

from tickets.selectors import ticket_list_visible_to

from .models import Conversation, Message, MessageOutcome, MessageRole
from .operations import split_words, stem
from .prompts import MAX_TICKET_DESCRIPTION_CHARS, MAX_TICKET_TITLE_CHARS, HistoryTurn, truncate

# Tickets read to pick the ones a question is about; older ones are not looked at.
TICKET_CANDIDATES = 200


def conversation_list_for(*, user) -> QuerySet[Conversation]:
    return Conversation.objects.filter(user=user).annotate(message_count=Count("messages"))


def conversation_get_owned(*, user, conversation_id: int) -> Conversation:
    """Fetch a conversation of `user`; a missing one and another user's both raise NotFound."""
    conversation = conversation_list_for(user=user).filter(pk=conversation_id).first()
    if conversation is None:
        raise NotFound("Conversation not found.")
    return conversation


def conversation_messages(*, conversation: Conversation) -> QuerySet[Message]:
    return conversation.messages.order_by("created_at", "id")


def conversation_history(*, conversation: Conversation, max_turns: int = 40) -> list[HistoryTurn]:
    """The last `max_turns` turns, oldest first, without turns that got no answer.

    A question that got no answer is dropped with its placeholder reply, so that Gemini
    never sees our "no answer" text as something it said.
    """
    messages = list(conversation.messages.order_by("-created_at", "-id")[:max_turns])
    messages.reverse()
    turns: list[HistoryTurn] = []
    for index, message in enumerate(messages):
        if message.role == MessageRole.USER:
            following = messages[index + 1] if index + 1 < len(messages) else None
            if following is None or following.outcome != MessageOutcome.ANSWERED:
                continue
        elif message.outcome != MessageOutcome.ANSWERED:
            continue
        turns.append(HistoryTurn(role=message.role, text=message.text))
    return turns


def caller_context(*, user) -> dict[str, Any]:
    return {
        "id": user.pk,
        "name": user.name,
        "role": user.role,
        "is_admin": user.is_admin,
        "is_available": user.is_available,
    }


def ticket_summary_for(*, user, question: str, limit: int) -> dict[str, Any]:
    """Summarize up to `limit` tickets that `user` can see through `GET /tickets`.

    Tickets whose title or description share words with the question come first, then the
    most recently updated. The counts cover every visible ticket, shown or not.
    """
    visible = ticket_list_visible_to(user=user)
    counts = {
        row["status"]: row["total"]
        for row in visible.order_by().values("status").annotate(total=Count("id"))
    }
    candidates = list(visible.order_by("-updated_at", "-id")[:TICKET_CANDIDATES])

    question_stems = {stem(word) for word in split_words(question)}

    def relevance(ticket) -> int:
        words = split_words(f"{ticket.title} {ticket.description}")
        return len(question_stems & {stem(word) for word in words})

    # sorted() is stable, so equally relevant tickets stay newest first.
    chosen = sorted(candidates, key=relevance, reverse=True)[:limit]
    return {
        "visible_count": sum(counts.values()),
        "count_by_status": counts,
        "shown_count": len(chosen),
        "tickets": [_ticket_line(ticket, user) for ticket in chosen],
    }


def _ticket_line(ticket, user) -> dict[str, Any]:
    return {
        "id": ticket.pk,
        "title": truncate(ticket.title, MAX_TICKET_TITLE_CHARS),
        "description": truncate(ticket.description, MAX_TICKET_DESCRIPTION_CHARS),
        "status": ticket.status,
        "priority": ticket.priority,
        "created_by_you": ticket.creator_id == user.pk,
        "assigned_to_you": ticket.assignee_id == user.pk,
        "assignee": ticket.assignee.name if ticket.assignee else None,
        "created_at": ticket.created_at.isoformat(),
        "updated_at": ticket.updated_at.isoformat(),
    }
