"""Reopening closed tickets and the creator's feedback on them."""

import pytest
from rest_framework.exceptions import ValidationError

from tickets import services
from tickets.models import TicketEvent, TicketEventKind, TicketFeedback, TicketStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_ticket(people):
    ticket = services.ticket_create(
        creator=people["creator"], title="Printer jams", assignee=people["assignee"]
    )
    return close(ticket, people["admin"])


def close(ticket, admin):
    for target in ("in_progress", "closed"):
        services.ticket_transition(actor=admin, ticket_id=ticket.pk, target=target)
    ticket.refresh_from_db()
    return ticket


# Reopen


def test_admin_reopens_with_reason(auth_client, people, closed_ticket):
    response = auth_client(people["admin"]).post(
        f"/tickets/{closed_ticket.pk}/reopen", {"reason": "Jams again"}, format="json"
    )

    assert response.status_code == 200
    assert response.data["status"] == "open"
    assert response.data["closed_at"] is None
    assert response.data["allowed_transitions"] == ["in_progress"]
    assert response["ETag"] != closed_ticket.etag
    event = TicketEvent.objects.filter(ticket=closed_ticket).last()
    assert event.kind == TicketEventKind.STATUS_CHANGED
    assert (event.from_status, event.to_status) == ("closed", "open")
    assert event.note == "Jams again"
    assert event.actor_id == people["admin"].pk


def test_reopened_ticket_closes_again(auth_client, people, closed_ticket):
    first_close = closed_ticket.closed_at
    services.ticket_reopen(actor=people["admin"], ticket_id=closed_ticket.pk, reason="Again")

    ticket = close(closed_ticket, people["admin"])

    assert ticket.status == TicketStatus.CLOSED
    assert ticket.closed_at > first_close


@pytest.mark.parametrize("who, status_code", [("creator", 403), ("assignee", 403), ("other", 404)])
def test_reopen_by_non_admin(auth_client, people, closed_ticket, who, status_code):
    response = auth_client(people[who]).post(
        f"/tickets/{closed_ticket.pk}/reopen", {"reason": "Please"}, format="json"
    )

    assert response.status_code == status_code
    closed_ticket.refresh_from_db()
    assert closed_ticket.status == TicketStatus.CLOSED


@pytest.mark.parametrize("steps, current", [([], "open"), (["in_progress"], "in_progress")])
def test_reopen_not_closed_is_409(auth_client, people, steps, current):
    admin = people["admin"]
    ticket = services.ticket_create(creator=people["creator"], title="Printer jams")
    for target in steps:
        services.ticket_transition(actor=admin, ticket_id=ticket.pk, target=target)

    response = auth_client(admin).post(
        f"/tickets/{ticket.pk}/reopen", {"reason": "Why not"}, format="json"
    )

    assert response.status_code == 409
    assert response.data["code"] == "invalid_transition"
    assert response.data["current_status"] == current


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "reason"),
        ({"reason": ""}, "reason"),
        ({"reason": "   "}, "reason"),
        ({"reason": "r" * 501}, "reason"),
        ({"reason": 5, "status": "open"}, "status"),
    ],
)
def test_reopen_bad_input_is_400(auth_client, people, closed_ticket, body, field):
    response = auth_client(people["admin"]).post(
        f"/tickets/{closed_ticket.pk}/reopen", body, format="json"
    )

    assert response.status_code == 400
    assert field in response.data["fields"]
    closed_ticket.refresh_from_db()
    assert closed_ticket.status == TicketStatus.CLOSED


def test_patch_to_open_points_to_reopen(auth_client, people, closed_ticket):
    response = auth_client(people["admin"]).patch(
        f"/tickets/{closed_ticket.pk}", {"status": "open"}, format="json"
    )

    assert response.status_code == 400
    assert "reopen" in response.data["fields"]["status"][0]
    closed_ticket.refresh_from_db()
    assert closed_ticket.status == TicketStatus.CLOSED


def test_service_reopen_needs_reason(people, closed_ticket):
    with pytest.raises(ValidationError):
        services.ticket_transition(actor=people["admin"], ticket_id=closed_ticket.pk, target="open")

    closed_ticket.refresh_from_db()
    assert closed_ticket.status == TicketStatus.CLOSED


# Feedback


def test_creator_gives_feedback(auth_client, people, closed_ticket):
    client = auth_client(people["creator"])

    response = client.post(
        f"/tickets/{closed_ticket.pk}/feedback",
        {"rating": 4, "comment": "Fixed, thanks"},
        format="json",
    )

    assert response.status_code == 201
    assert response.data["rating"] == 4
    assert response.data["comment"] == "Fixed, thanks"
    assert response.data["author"]["id"] == people["creator"].pk
    detail = client.get(f"/tickets/{closed_ticket.pk}")
    assert detail.data["feedback"]["rating"] == 4
    assert detail["ETag"] != closed_ticket.etag
    event = TicketEvent.objects.filter(ticket=closed_ticket).last()
    assert event.kind == TicketEventKind.FEEDBACK
    assert event.note == "Confirmed resolved; rated 4/5."


def test_feedback_comment_is_optional(auth_client, people, closed_ticket):
    response = auth_client(people["creator"]).post(
        f"/tickets/{closed_ticket.pk}/feedback", {"rating": 5}, format="json"
    )

    assert response.status_code == 201
    assert response.data["comment"] == ""


def test_detail_feedback_null_until_given(auth_client, people, closed_ticket):
    response = auth_client(people["creator"]).get(f"/tickets/{closed_ticket.pk}")

    assert response.data["feedback"] is None


def test_feedback_only_once(auth_client, people, closed_ticket):
    client = auth_client(people["creator"])
    url = f"/tickets/{closed_ticket.pk}/feedback"
    client.post(url, {"rating": 4}, format="json")

    again = client.post(url, {"rating": 1}, format="json")

    assert again.status_code == 409
    assert again.data["code"] == "feedback_exists"
    assert TicketFeedback.objects.get().rating == 4


def test_feedback_once_even_after_reopen(auth_client, people, closed_ticket):
    client = auth_client(people["creator"])
    url = f"/tickets/{closed_ticket.pk}/feedback"
    client.post(url, {"rating": 4}, format="json")
    services.ticket_reopen(actor=people["admin"], ticket_id=closed_ticket.pk, reason="Again")
    close(closed_ticket, people["admin"])

    response = client.post(url, {"rating": 2}, format="json")

    assert response.status_code == 409
    assert TicketFeedback.objects.count() == 1


@pytest.mark.parametrize("steps", [[], ["in_progress"]])
def test_feedback_on_unclosed_ticket_is_409(auth_client, people, steps):
    ticket = services.ticket_create(creator=people["creator"], title="Printer jams")
    for target in steps:
        services.ticket_transition(actor=people["admin"], ticket_id=ticket.pk, target=target)

    response = auth_client(people["creator"]).post(
        f"/tickets/{ticket.pk}/feedback", {"rating": 5}, format="json"
    )

    assert response.status_code == 409
    assert response.data["code"] == "ticket_not_closed"
    assert not TicketFeedback.objects.exists()


@pytest.mark.parametrize("who, status_code", [("assignee", 403), ("admin", 403), ("other", 404)])
def test_feedback_by_non_creator(auth_client, people, closed_ticket, who, status_code):
    response = auth_client(people[who]).post(
        f"/tickets/{closed_ticket.pk}/feedback", {"rating": 5}, format="json"
    )

    assert response.status_code == status_code
    assert not TicketFeedback.objects.exists()


def test_feedback_anonymous_is_401(api_client, closed_ticket):
    response = api_client.post(
        f"/tickets/{closed_ticket.pk}/feedback", {"rating": 5}, format="json"
    )

    assert response.status_code == 401


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "rating"),
        ({"rating": 0}, "rating"),
        ({"rating": 6}, "rating"),
        ({"rating": 4.5}, "rating"),
        ({"rating": "five"}, "rating"),
        ({"rating": None}, "rating"),
        ({"rating": 2**70}, "rating"),
        ({"rating": 3, "comment": "c" * 2001}, "comment"),
        ({"rating": 3, "comment": "nul\x00"}, "comment"),
        ({"rating": 3, "resolved": False}, "resolved"),
    ],
)
def test_feedback_bad_input_is_400(auth_client, people, closed_ticket, body, field):
    response = auth_client(people["creator"]).post(
        f"/tickets/{closed_ticket.pk}/feedback", body, format="json"
    )

    assert response.status_code == 400
    assert field in response.data["fields"]
    assert not TicketFeedback.objects.exists()
