"""Concurrent transitions over real HTTP against PostgreSQL, whose row locks decide the race."""

import threading

import pytest
import requests

from accounts.tokens import issue_token_pair
from tests.factories import AdminFactory
from tickets import services
from tickets.models import TicketEvent, TicketEventKind, TicketStatus

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def send_together(requests_to_send):
    """Send each (method, url, headers, body) from its own thread, released at one barrier."""
    barrier = threading.Barrier(len(requests_to_send))
    results = [None] * len(requests_to_send)

    def send(index, method, url, headers, body):
        barrier.wait()
        results[index] = requests.request(method, url, headers=headers, json=body, timeout=20)

    threads = [
        threading.Thread(target=send, args=(index, *spec))
        for index, spec in enumerate(requests_to_send)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_admins_close_at_once(live_server):
    first_admin, second_admin = AdminFactory(), AdminFactory()
    ticket = services.ticket_create(creator=first_admin, title="Server down")
    services.ticket_transition(actor=first_admin, ticket_id=ticket.pk, target="in_progress")
    url = f"{live_server.url}/tickets/{ticket.pk}"

    responses = send_together(
        [
            (
                "PATCH",
                url,
                {"Authorization": f"Bearer {issue_token_pair(admin)['access']}"},
                {"status": "closed"},
            )
            for admin in (first_admin, second_admin)
        ]
    )

    codes = sorted(response.status_code for response in responses)
    assert codes == [200, 409]
    conflict = next(r for r in responses if r.status_code == 409).json()
    assert conflict["current_status"] == "closed"
    closes = TicketEvent.objects.filter(
        ticket=ticket, kind=TicketEventKind.STATUS_CHANGED, to_status=TicketStatus.CLOSED
    )
    assert closes.count() == 1


def test_edit_and_transition_do_not_undo_each_other(live_server):
    admin = AdminFactory()
    ticket = services.ticket_create(creator=admin, title="Old title")
    url = f"{live_server.url}/tickets/{ticket.pk}"
    headers = {"Authorization": f"Bearer {issue_token_pair(admin)['access']}"}

    responses = send_together(
        [
            ("PATCH", url, headers, {"title": "New title"}),
            ("PATCH", url, headers, {"status": "in_progress"}),
        ]
    )

    assert [r.status_code for r in responses] == [200, 200]
    ticket.refresh_from_db()
    assert ticket.title == "New title"
    assert ticket.status == TicketStatus.IN_PROGRESS
