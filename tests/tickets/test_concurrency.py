"""Concurrent transitions over real HTTP against PostgreSQL, whose row locks decide the race."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from accounts.tokens import issue_token_pair
from tests.factories import AdminFactory, UserFactory
from tickets import services
from tickets.models import Ticket, TicketEvent, TicketEventKind, TicketFeedback, TicketStatus

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


def test_parallel_creates_spread_load_evenly(live_server):
    """100 tickets from 5 clients in 20 threads leave available admin loads within one."""
    admins = [AdminFactory() for _ in range(4)]
    away = AdminFactory(is_available=False)
    # Uneven starting loads: 3, 1, 0 and 0 active tickets, plus closed ones that do not count.
    for admin, count in zip(admins, (3, 1, 0, 0), strict=True):
        for _ in range(count):
            services.ticket_create(creator=away, title="Earlier work", assignee=admin)
    closed = services.ticket_create(creator=away, title="Done", assignee=admins[3])
    services.ticket_transition(actor=away, ticket_id=closed.pk, target="in_progress")
    services.ticket_transition(actor=away, ticket_id=closed.pk, target="closed")

    clients = [
        {"Authorization": f"Bearer {issue_token_pair(UserFactory())['access']}"} for _ in range(5)
    ]
    url = f"{live_server.url}/tickets"
    jobs = [(clients[n % 5], {"title": f"Parallel ticket {n}"}) for n in range(100)]
    threads = 20
    barrier = threading.Barrier(threads)

    def run(worker: int):
        barrier.wait()
        return [
            requests.post(url, headers=headers, json=body, timeout=60)
            for headers, body in jobs[worker::threads]
        ]

    with ThreadPoolExecutor(max_workers=threads) as pool:
        responses = [r for batch in pool.map(run, range(threads)) for r in batch]

    assert sorted({r.status_code for r in responses}) == [201]
    assert all(r.json()["assignment"]["method"] == "automatic" for r in responses)
    loads = {
        admin.pk: Ticket.objects.filter(
            assignee=admin, status__in=[TicketStatus.OPEN, TicketStatus.IN_PROGRESS]
        ).count()
        for admin in admins
    }
    assert sum(loads.values()) == 104
    assert max(loads.values()) - min(loads.values()) <= 1, loads
    assert not Ticket.objects.filter(assignee=away, title__startswith="Parallel").exists()
    auto_events = TicketEvent.objects.filter(
        kind=TicketEventKind.AUTO_ASSIGNMENT, ticket__title__startswith="Parallel"
    )
    assert auto_events.count() == 100


def test_same_if_match_only_one_write_wins(live_server):
    """Ten edits sent at once with one ETag: one wins, the other nine get 412."""
    admin = AdminFactory()
    ticket = services.ticket_create(creator=admin, title="Old title", assignee=None)
    url = f"{live_server.url}/tickets/{ticket.pk}"
    token = issue_token_pair(admin)["access"]
    headers = {"Authorization": f"Bearer {token}", "If-Match": ticket.etag}

    responses = send_together(
        [("PATCH", url, headers, {"title": f"Title from writer {n}"}) for n in range(9)]
        + [("PATCH", url, headers, {"status": "in_progress"})]
    )

    codes = sorted(response.status_code for response in responses)
    assert codes == [200] + [412] * 9
    ticket.refresh_from_db()
    assert ticket.version == 2
    winner = next(r for r in responses if r.status_code == 200).json()
    assert (ticket.title, ticket.status) == (winner["title"], winner["status"])


def test_parallel_feedback_is_recorded_once(live_server):
    admin, creator = AdminFactory(), UserFactory()
    ticket = services.ticket_create(creator=creator, title="Printer jams", assignee=None)
    for target in ("in_progress", "closed"):
        services.ticket_transition(actor=admin, ticket_id=ticket.pk, target=target)
    headers = {"Authorization": f"Bearer {issue_token_pair(creator)['access']}"}
    url = f"{live_server.url}/tickets/{ticket.pk}/feedback"

    responses = send_together([("POST", url, headers, {"rating": n}) for n in range(1, 6)])

    codes = sorted(response.status_code for response in responses)
    assert codes == [201, 409, 409, 409, 409]
    assert TicketFeedback.objects.filter(ticket=ticket).count() == 1
    assert TicketEvent.objects.filter(ticket=ticket, kind=TicketEventKind.FEEDBACK).count() == 1
