"""GET and DELETE on /chat/conversations: each user sees and deletes only their own."""

import pytest

from assistant.models import Conversation, Message, MessageOutcome
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def make_conversation(user, title="About tickets", turns=1):
    conversation = Conversation.objects.create(user=user, title=title)
    for index in range(turns):
        Message.objects.create(conversation=conversation, role="user", text=f"question {index}")
        Message.objects.create(
            conversation=conversation,
            role="model",
            text=f"answer {index}",
            outcome=MessageOutcome.ANSWERED,
            draft_ticket={"title": "Draft", "description": "", "priority": "low"},
        )
    return conversation


def test_list_shows_own_conversations_only(auth_client, user):
    own_old = make_conversation(user, "old")
    own_new = make_conversation(user, "new", turns=2)
    make_conversation(UserFactory(), "someone else's")

    response = auth_client(user).get("/chat/conversations")

    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body["results"]] == [own_new.pk, own_old.pk]
    assert body["results"][0]["message_count"] == 4
    assert body["results"][0]["title"] == "new"
    assert set(body) == {"next", "previous", "results"}


def test_list_pages_with_cursor(auth_client, user):
    for index in range(3):
        make_conversation(user, f"conversation {index}")
    client = auth_client(user)

    first = client.get("/chat/conversations", {"page_size": 2}).json()
    second = client.get(first["next"]).json()

    assert len(first["results"]) == 2
    assert len(second["results"]) == 1
    ids = [item["id"] for item in first["results"] + second["results"]]
    assert len(set(ids)) == 3


def test_list_bad_page_size_is_400(auth_client, user):
    response = auth_client(user).get("/chat/conversations", {"page_size": "many"})

    assert response.status_code == 400
    assert "page_size" in response.json()["fields"]


def test_detail_has_messages_in_order(auth_client, user):
    conversation = make_conversation(user, turns=2)

    response = auth_client(user).get(f"/chat/conversations/{conversation.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == conversation.pk
    assert body["message_count"] == 4
    assert [(m["role"], m["text"]) for m in body["messages"]] == [
        ("user", "question 0"),
        ("model", "answer 0"),
        ("user", "question 1"),
        ("model", "answer 1"),
    ]
    assert body["messages"][0]["outcome"] == ""
    assert body["messages"][1]["outcome"] == "answered"
    assert body["messages"][1]["draft_ticket"] == {
        "title": "Draft",
        "description": "",
        "priority": "low",
    }


@pytest.mark.parametrize("method", ["get", "delete"])
def test_other_users_conversation_is_404(auth_client, user, method):
    foreign = make_conversation(UserFactory())

    response = getattr(auth_client(user), method)(f"/chat/conversations/{foreign.pk}")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert Conversation.objects.filter(pk=foreign.pk).exists()


@pytest.mark.parametrize("method", ["get", "delete"])
def test_missing_conversation_is_404(auth_client, user, method):
    response = getattr(auth_client(user), method)("/chat/conversations/999999")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_huge_id_is_404(auth_client, user):
    response = auth_client(user).get(f"/chat/conversations/{10**30}")

    assert response.status_code == 404


def test_delete_removes_conversation_and_messages(auth_client, user):
    conversation = make_conversation(user, turns=2)
    client = auth_client(user)

    response = client.delete(f"/chat/conversations/{conversation.pk}/")

    assert response.status_code == 204
    assert not Conversation.objects.filter(pk=conversation.pk).exists()
    assert not Message.objects.filter(conversation_id=conversation.pk).exists()
    assert client.get(f"/chat/conversations/{conversation.pk}").status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/chat/conversations"),
        ("get", "/chat/conversations/1"),
        ("delete", "/chat/conversations/1"),
    ],
)
def test_anonymous_is_401(api_client, method, path):
    response = getattr(api_client, method)(path)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_schema_documents_every_status(api_client):
    response = api_client.get("/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    ask = paths["/chat/ask"]["post"]
    assert set(ask["responses"]) == {"200", "400", "401", "404", "429", "503", "504"}
    assert ask["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/AskInputRequest"
    )
    assert set(paths["/chat/conversations/{conversation_id}"]) >= {"get", "delete"}
    assert "/chat/conversations" in paths
