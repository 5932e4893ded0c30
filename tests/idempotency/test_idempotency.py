"""Idempotency-Key on POST /tickets and POST /tickets/{id}/comments."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from idempotency.models import IdempotencyKey
from tests.factories import UserFactory
from tickets import services
from tickets.models import Ticket, TicketComment

pytestmark = pytest.mark.django_db

KEY = "9b2f6c1e-3a4d-4c5e-8f70-1a2b3c4d5e6f"


def post_ticket(client, body, key=KEY, path="/tickets"):
    return client.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_first_request_is_not_replay(auth_client, user):
    response = post_ticket(auth_client(user), {"title": "VPN down"})

    assert response.status_code == 201
    assert response["Idempotent-Replayed"] == "false"
    assert IdempotencyKey.objects.get(user=user, key=KEY).response_status == 201


def test_same_key_same_body_replays(auth_client, user):
    client = auth_client(user)
    first = post_ticket(client, {"title": "VPN down", "priority": "high"})

    second = post_ticket(client, {"priority": "high", "title": "VPN down"})

    assert second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert second["ETag"] == first["ETag"]
    assert Ticket.objects.count() == 1


def test_replay_returns_original_even_after_edit(auth_client, user):
    client = auth_client(user)
    first = post_ticket(client, {"title": "VPN down"})
    client.patch(f"/tickets/{first.data['id']}", {"title": "VPN flaky"}, format="json")

    second = post_ticket(client, {"title": "VPN down"})

    assert second.json()["title"] == "VPN down"
    assert second.json()["id"] == first.data["id"]


def test_trailing_slash_is_same_request(auth_client, user):
    client = auth_client(user)
    post_ticket(client, {"title": "VPN down"})

    second = post_ticket(client, {"title": "VPN down"}, path="/tickets/")

    assert second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert Ticket.objects.count() == 1


def test_same_key_other_body_is_422(auth_client, user):
    client = auth_client(user)
    post_ticket(client, {"title": "VPN down"})

    response = post_ticket(client, {"title": "Printer jams"})

    assert response.status_code == 422
    assert response.data["code"] == "idempotency_key_reused"
    assert "Idempotency-Key" in response.data["fields"]
    assert list(Ticket.objects.values_list("title", flat=True)) == ["VPN down"]


def test_same_key_other_endpoint_is_422(auth_client, user):
    client = auth_client(user)
    created = post_ticket(client, {"title": "VPN down"})

    response = client.post(
        f"/tickets/{created.data['id']}/comments",
        {"title": "VPN down"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=KEY,
    )

    assert response.status_code == 422
    assert not TicketComment.objects.exists()


def test_keys_are_per_user(auth_client, user, other_user):
    post_ticket(auth_client(user), {"title": "VPN down"})

    response = post_ticket(auth_client(other_user), {"title": "VPN down"})

    assert response.status_code == 201
    assert response["Idempotent-Replayed"] == "false"
    assert Ticket.objects.count() == 2


@pytest.mark.parametrize(
    "age, replayed",
    [(timedelta(hours=23, minutes=59), True), (timedelta(hours=24, seconds=1), False)],
)
def test_key_expires_after_24_hours(auth_client, user, age, replayed):
    client = auth_client(user)
    post_ticket(client, {"title": "VPN down"})
    IdempotencyKey.objects.update(created_at=timezone.now() - age)

    second = post_ticket(client, {"title": "VPN down"})

    assert second.status_code == 201
    assert second["Idempotent-Replayed"] == ("true" if replayed else "false")
    assert Ticket.objects.count() == (1 if replayed else 2)
    assert IdempotencyKey.objects.count() == 1


def test_expired_key_accepts_other_body(auth_client, user):
    client = auth_client(user)
    post_ticket(client, {"title": "VPN down"})
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))

    response = post_ticket(client, {"title": "Printer jams"})

    assert response.status_code == 201
    assert Ticket.objects.count() == 2


def test_failed_request_does_not_use_key(auth_client, user):
    client = auth_client(user)
    failed = post_ticket(client, {"title": ""})

    fixed = post_ticket(client, {"title": "VPN down"})

    assert failed.status_code == 400
    assert fixed.status_code == 201
    assert fixed["Idempotent-Replayed"] == "false"
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize(
    "key",
    ["", "has space", "x" * 256, "caf\u00e9", "tab\there"],
)
def test_invalid_key_is_400(auth_client, user, key):
    client = auth_client(user)

    response = client.post(
        "/tickets", {"title": "VPN down"}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )

    assert response.status_code == 400
    assert "Idempotency-Key" in response.data["fields"]
    assert not Ticket.objects.exists()
    assert not IdempotencyKey.objects.exists()


def test_longest_valid_key_accepted(auth_client, user):
    response = post_ticket(auth_client(user), {"title": "VPN down"}, key="k" * 255)

    assert response.status_code == 201


def test_without_key_creates_each_time(auth_client, user):
    client = auth_client(user)

    for _ in range(2):
        response = client.post("/tickets", {"title": "VPN down"}, format="json")
        assert response.status_code == 201
        assert "Idempotent-Replayed" not in response

    assert Ticket.objects.count() == 2
    assert not IdempotencyKey.objects.exists()


def test_comment_replay(auth_client, user):
    ticket = services.ticket_create(creator=user, title="VPN down", assignee=None)
    client = auth_client(user)
    url = f"/tickets/{ticket.pk}/comments"

    first = client.post(url, {"body": "Any news?"}, format="json", HTTP_IDEMPOTENCY_KEY=KEY)
    second = client.post(url, {"body": "Any news?"}, format="json", HTTP_IDEMPOTENCY_KEY=KEY)
    other = client.post(url, {"body": "Hello?"}, format="json", HTTP_IDEMPOTENCY_KEY=KEY)

    assert first.status_code == second.status_code == 201
    assert first["Idempotent-Replayed"] == "false"
    assert second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert other.status_code == 422
    assert TicketComment.objects.count() == 1


def test_purge_command_deletes_expired_only(user):
    other = UserFactory()
    IdempotencyKey.objects.create(user=user, key="old", fingerprint="0" * 64)
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    IdempotencyKey.objects.create(user=other, key="new", fingerprint="0" * 64)
    output = StringIO()

    call_command("purge_idempotency_keys", stdout=output)

    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]
    assert "Deleted 1 expired" in output.getvalue()
