"""The list and detail endpoints run a fixed number of queries whatever the page holds."""

import pytest

from tests.factories import AdminFactory, TicketFactory, UserFactory
from tickets import services

pytestmark = pytest.mark.django_db

# Queries per request: one loads the authenticated user; the rest are the endpoint's own.
LIST_QUERIES = 2  # user + one page of tickets joined with creator and assignee
DETAIL_QUERIES = 2  # user + the ticket joined with creator and assignee
HISTORY_QUERIES = 3  # user + the ticket + one page of history rows with their people


@pytest.mark.parametrize("tickets", [1, 25])
@pytest.mark.parametrize("role", ["admin", "user"])
def test_list_query_count(auth_client, assert_queries, tickets, role):
    caller = AdminFactory() if role == "admin" else UserFactory()
    for _ in range(tickets):
        TicketFactory(creator=caller, assignee=UserFactory())
    client = auth_client(caller)

    with assert_queries(LIST_QUERIES):
        response = client.get("/tickets?page_size=25")

    assert len(response.data["results"]) == tickets


def test_detail_query_count(auth_client, assert_queries, admin_user):
    ticket = TicketFactory(assignee=UserFactory())
    client = auth_client(admin_user)

    with assert_queries(DETAIL_QUERIES):
        response = client.get(f"/tickets/{ticket.pk}")

    assert response.status_code == 200


@pytest.mark.parametrize("reassignments", [1, 10])
def test_history_query_count(auth_client, assert_queries, admin_user, reassignments):
    ticket = services.ticket_create(creator=admin_user, title="Laptop")
    for _ in range(reassignments):
        services.ticket_update(
            actor=admin_user, ticket_id=ticket.pk, changes={"assignee": UserFactory()}
        )
    client = auth_client(admin_user)

    with assert_queries(HISTORY_QUERIES):
        response = client.get(f"/tickets/{ticket.pk}/history")

    assert len(response.data["results"]) == reassignments + 1
