"""The Django admin: administrators only, status changes only through the state machine."""

import pytest
from django.test import Client

from tests.factories import DEFAULT_PASSWORD, AdminFactory, UserFactory
from tickets import services
from tickets.models import Ticket, TicketEvent, TicketEventKind, TicketStatus

pytestmark = pytest.mark.django_db


def admin_site_client(person) -> Client:
    client = Client()
    assert client.login(email=person.email, password=DEFAULT_PASSWORD)
    return client


def test_admin_role_reaches_ticket_list(admin_user):
    services.ticket_create(creator=admin_user, title="Keyboard missing keys")

    response = admin_site_client(admin_user).get("/admin/tickets/ticket/")

    assert response.status_code == 200
    assert b"Keyboard missing keys" in response.content


def test_user_role_is_sent_to_admin_login(user):
    response = admin_site_client(user).get("/admin/tickets/ticket/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_admin_action_runs_transition_with_history(admin_user):
    ticket = services.ticket_create(creator=UserFactory(), title="Screen flickers")

    response = admin_site_client(admin_user).post(
        "/admin/tickets/ticket/",
        {"action": "move_to_in_progress", "_selected_action": [ticket.pk]},
    )

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS
    event = TicketEvent.objects.get(ticket=ticket, kind=TicketEventKind.STATUS_CHANGED)
    assert event.actor_id == admin_user.pk
    assert (event.from_status, event.to_status) == ("open", "in_progress")


def test_admin_action_refuses_skipped_state(admin_user):
    ticket = services.ticket_create(creator=UserFactory(), title="Screen flickers")

    admin_site_client(admin_user).post(
        "/admin/tickets/ticket/",
        {"action": "move_to_closed", "_selected_action": [ticket.pk]},
    )

    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN
    assert not TicketEvent.objects.filter(kind=TicketEventKind.STATUS_CHANGED).exists()


def test_admin_form_edit_keeps_status_and_logs_assignee(admin_user):
    ticket = services.ticket_create(creator=admin_user, title="Old")
    agent = AdminFactory()

    response = admin_site_client(admin_user).post(
        f"/admin/tickets/ticket/{ticket.pk}/change/",
        {
            "title": "New",
            "description": "",
            "priority": "high",
            "creator": admin_user.pk,
            "assignee": agent.pk,
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "1",
            "events-MIN_NUM_FORMS": "0",
            "events-MAX_NUM_FORMS": "0",
        },
    )

    assert response.status_code == 302
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert (ticket.title, ticket.priority, ticket.assignee_id) == ("New", "high", agent.pk)
    assert ticket.status == TicketStatus.OPEN
    assert TicketEvent.objects.filter(ticket=ticket, kind=TicketEventKind.ASSIGNEE_CHANGED).exists()


def test_admin_closed_ticket_is_read_only(admin_user):
    ticket = services.ticket_create(creator=admin_user, title="Done")
    services.ticket_transition(actor=admin_user, ticket_id=ticket.pk, target="in_progress")
    services.ticket_transition(actor=admin_user, ticket_id=ticket.pk, target="closed")

    client = admin_site_client(admin_user)
    page = client.get(f"/admin/tickets/ticket/{ticket.pk}/change/")
    client.post(f"/admin/tickets/ticket/{ticket.pk}/change/", {"title": "Reopened by form"})

    assert page.status_code == 200
    assert b'name="title"' not in page.content
    ticket.refresh_from_db()
    assert ticket.title == "Done"


def test_admin_add_ticket_writes_created_event(admin_user):
    response = admin_site_client(admin_user).post(
        "/admin/tickets/ticket/add/",
        {
            "title": "Added in admin",
            "description": "",
            "priority": "low",
            "creator": admin_user.pk,
            "assignee": "",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
            "events-MIN_NUM_FORMS": "0",
            "events-MAX_NUM_FORMS": "0",
        },
    )

    assert response.status_code == 302
    ticket = Ticket.objects.get(title="Added in admin")
    assert ticket.status == TicketStatus.OPEN
    assert TicketEvent.objects.filter(ticket=ticket, kind=TicketEventKind.CREATED).count() == 1
