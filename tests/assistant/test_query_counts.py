"""The conversation endpoints run a fixed number of queries whatever they return."""

import pytest

from assistant.models import Conversation, Message, MessageRole
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# One query loads the authenticated user; the rest are the endpoint's own.
LIST_QUERIES = 2  # user + one page of conversations with their message counts
DETAIL_QUERIES = 3  # user + the conversation with its count + its messages


def conversation_with_messages(user, messages: int) -> Conversation:
    conversation = Conversation.objects.create(user=user, title="Printer help")
    for number in range(messages):
        role = MessageRole.USER if number % 2 == 0 else MessageRole.MODEL
        Message.objects.create(conversation=conversation, role=role, text=f"turn {number}")
    return conversation


@pytest.mark.parametrize("conversations", [1, 12])
def test_conversation_list_query_count(auth_client, assert_queries, conversations):
    user = UserFactory()
    for _ in range(conversations):
        conversation_with_messages(user, 2)
    client = auth_client(user)

    with assert_queries(LIST_QUERIES):
        response = client.get("/chat/conversations")

    assert response.status_code == 200
    assert len(response.data["results"]) == conversations


@pytest.mark.parametrize("messages", [2, 30])
def test_conversation_detail_query_count(auth_client, assert_queries, messages):
    user = UserFactory()
    conversation = conversation_with_messages(user, messages)
    client = auth_client(user)

    with assert_queries(DETAIL_QUERIES):
        response = client.get(f"/chat/conversations/{conversation.pk}")

    assert response.status_code == 200
    assert len(response.data["messages"]) == messages
    assert response.data["message_count"] == messages
