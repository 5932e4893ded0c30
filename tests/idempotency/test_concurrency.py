"""Concurrent requests with one Idempotency-Key over real HTTP against PostgreSQL."""

import pytest

from accounts.tokens import issue_token_pair
from idempotency.models import IdempotencyKey
from tests.factories import UserFactory
from tests.tickets.test_concurrency import send_together
from tickets import services
from tickets.models import Ticket, TicketComment

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_ten_creates_with_one_key_make_one_ticket(live_server):
    user = UserFactory()
    headers = {
        "Authorization": f"Bearer {issue_token_pair(user)['access']}",
        "Idempotency-Key": "parallel-create-1",
    }

    responses = send_together(
        [("POST", f"{live_server.url}/tickets", headers, {"title": "VPN down"})] * 10
    )

    assert [r.status_code for r in responses] == [201] * 10
    assert Ticket.objects.count() == 1
    assert {r.json()["id"] for r in responses} == {Ticket.objects.get().pk}
    replayed = sorted(r.headers["Idempotent-Replayed"] for r in responses)
    assert replayed == ["false"] + ["true"] * 9
    assert IdempotencyKey.objects.count() == 1


def test_ten_comments_with_one_key_make_one_comment(live_server):
    user = UserFactory()
    ticket = services.ticket_create(creator=user, title="VPN down", assignee=None)
    headers = {
        "Authorization": f"Bearer {issue_token_pair(user)['access']}",
        "Idempotency-Key": "parallel-comment-1",
    }
    url = f"{live_server.url}/tickets/{ticket.pk}/comments"

    responses = send_together([("POST", url, headers, {"body": "Any news?"})] * 10)

    assert [r.status_code for r in responses] == [201] * 10
    assert TicketComment.objects.count() == 1
    assert {r.json()["id"] for r in responses} == {TicketComment.objects.get().pk}
