"""Automatic assignment of new tickets, and the `assignment` part of create and edit responses."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import AdminFactory, TicketFactory, UserFactory
from tickets import services
from tickets.models import Ticket, TicketEvent, TicketEventKind, TicketStatus

pytestmark = pytest.mark.django_db


def give_tickets(person, count, status=TicketStatus.OPEN):
    """Assign `count` tickets in `status` to `person`, written straight to the table."""
    for _ in range(count):
        ticket = TicketFactory(assignee=person)
        if status != TicketStatus.OPEN:
            Ticket.objects.filter(pk=ticket.pk).update(status=status)


def test_create_picks_least_loaded_admin(auth_client, user):
    busy, idle = AdminFactory(), AdminFactory()
    give_tickets(busy, 2)
    give_tickets(idle, 1, TicketStatus.IN_PROGRESS)

    response = auth_client(user).post("/tickets", {"title": "Disk full"}, format="json")

    assert response.status_code == 201
    assert response.data["assignee"]["id"] == idle.pk
    assert response.data["assignee"]["is_available"] is True
    assert response.data["assignment"]["method"] == "automatic"
    assert response.data["assignment"]["assignee_available"] is True


def test_closed_tickets_do_not_count_as_load(auth_client, user):
    many_closed, one_open = AdminFactory(), AdminFactory()
    give_tickets(many_closed, 5, TicketStatus.CLOSED)
    give_tickets(one_open, 1)

    response = auth_client(user).post("/tickets", {"title": "Disk full"}, format="json")

    assert response.data["assignee"]["id"] == many_closed.pk


@pytest.mark.parametrize(
    "excluded",
    [
        {"role": "admin", "is_available": False},
        {"role": "admin", "is_active": False},
        {"role": "user"},
    ],
)
def test_auto_assignment_skips_ineligible(auth_client, user, excluded):
    UserFactory(**excluded)  # no load at all, but not an available active administrator
    eligible = AdminFactory()
    give_tickets(eligible, 3)

    response = auth_client(user).post("/tickets", {"title": "Disk full"}, format="json")

    assert response.data["assignee"]["id"] == eligible.pk


def test_tie_goes_to_never_assigned_admin(auth_client, user):
    recent, never = AdminFactory(), AdminFactory()
    earlier = services.ticket_create(creator=user, title="Earlier", assignee=recent)
    Ticket.objects.filter(pk=earlier.pk).update(status=TicketStatus.CLOSED)

    response = auth_client(user).post("/tickets", {"title": "Disk full"}, format="json")

    assert response.data["assignee"]["id"] == never.pk


def test_tie_goes_to_least_recently_assigned(auth_client, user):
    first, second = AdminFactory(), AdminFactory()
    for admin, hours_ago in ((second, 5), (first, 1)):
        ticket = services.ticket_create(creator=user, title="Earlier", assignee=admin)
        Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.CLOSED)
        TicketEvent.objects.filter(ticket=ticket).update(
            created_at=timezone.now() - timedelta(hours=hours_ago)
        )

    response = auth_client(user).post("/tickets", {"title": "Disk full"}, format="json")

    assert response.data["assignee"]["id"] == second.pk


def test_successive_creates_rotate_between_admins(auth_client, user):
    admins = {AdminFactory().pk, AdminFactory().pk, AdminFactory().pk}
    client = auth_client(user)

    chosen = [
        client.post("/tickets", {"title": f"Ticket {n}"}, format="json").data["assignee"]["id"]
        for n in range(6)
    ]

    assert set(chosen[:3]) == admins
    assert set(chosen[3:]) == admins


def test_auto_assignment_recorded_in_history(auth_client, user):
    admin = AdminFactory()
    give_tickets(AdminFactory(), 1)

    response = auth_client(user).post("/tickets", {"title": "Disk full"}, format="json")

    events = list(TicketEvent.objects.filter(ticket_id=response.data["id"]))
    assert [event.kind for event in events] == [
        TicketEventKind.CREATED,
        TicketEventKind.AUTO_ASSIGNMENT,
    ]
    assert events[0].to_assignee_id is None
    assert events[1].to_assignee_id == admin.pk
    assert events[1].actor_id == user.pk
    assert "fewest open and in-progress tickets (0)" in events[1].note
    assert "among 2 available administrator(s)" in events[1].note


def test_tie_reason_in_history(auth_client, user):
    AdminFactory(), AdminFactory()

    response = auth_client(user).post("/tickets", {"title": "Disk full"}, format="json")

    event = TicketEvent.objects.get(
        ticket_id=response.data["id"], kind=TicketEventKind.AUTO_ASSIGNMENT
    )
    assert "2 were tied" in event.note
    assert "least recently" in event.note


def test_nobody_available_leaves_unassigned(auth_client, user):
    AdminFactory(is_available=False)

    response = auth_client(user).post("/tickets", {"title": "Disk full"}, format="json")

    assert response.status_code == 201
    assert response.data["assignee"] is None
    assignment = response.data["assignment"]
    assert assignment["method"] == "automatic"
    assert assignment["assignee_available"] is None
    assert "No administrator is available" in assignment["detail"]
    event = TicketEvent.objects.get(
        ticket_id=response.data["id"], kind=TicketEventKind.AUTO_ASSIGNMENT
    )
    assert event.to_assignee_id is None
    assert "no administrator is available" in event.note


def test_explicit_null_opts_out(auth_client, user):
    AdminFactory()

    response = auth_client(user).post(
        "/tickets", {"title": "Disk full", "assignee": None}, format="json"
    )

    assert response.status_code == 201
    assert response.data["assignee"] is None
    assert response.data["assignment"]["method"] == "none"
    kinds = list(
        TicketEvent.objects.filter(ticket_id=response.data["id"]).values_list("kind", flat=True)
    )
    assert kinds == [TicketEventKind.CREATED]


def test_manual_unavailable_assignee_on_create(auth_client, user):
    AdminFactory()
    away = AdminFactory(is_available=False)

    response = auth_client(user).post(
        "/tickets", {"title": "Disk full", "assignee": away.pk}, format="json"
    )

    assert response.status_code == 201
    assert response.data["assignee"]["id"] == away.pk
    assert response.data["assignee"]["is_available"] is False
    assignment = response.data["assignment"]
    assert assignment["method"] == "manual"
    assert assignment["assignee_available"] is False
    assert "not available" in assignment["detail"]


def test_manual_unavailable_assignee_on_patch(auth_client, user):
    ticket = services.ticket_create(creator=user, title="Disk full")
    away = UserFactory(is_available=False)

    response = auth_client(user).patch(
        f"/tickets/{ticket.pk}", {"assignee": away.pk}, format="json"
    )

    assert response.status_code == 200
    assert response.data["assignee"]["id"] == away.pk
    assert response.data["assignment"]["assignee_available"] is False
    assert "not available" in response.data["assignment"]["detail"]


def test_patch_without_assignee_has_no_assignment(auth_client, user):
    ticket = services.ticket_create(creator=user, title="Disk full")

    response = auth_client(user).patch(
        f"/tickets/{ticket.pk}", {"title": "Disk 99%"}, format="json"
    )

    assert response.status_code == 200
    assert response.data["assignment"] is None


def test_service_rejects_assignee_with_auto_assign(user):
    with pytest.raises(ValueError, match="either an assignee or auto_assign"):
        services.ticket_create(creator=user, title="x", assignee=user, auto_assign=True)
