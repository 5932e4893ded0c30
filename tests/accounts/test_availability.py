import pytest

from accounts.models import Role
from accounts.selectors import available_people
from accounts.serializers import AvailablePersonSerializer
from tests.factories import AdminFactory, TicketFactory, UserFactory
from tickets import services

pytestmark = pytest.mark.django_db


def ids(response):
    return [row["id"] for row in response.data]


def test_lists_split_by_role(auth_client, user):
    admin = AdminFactory()

    client = auth_client(user)
    users = client.get("/available/users")
    admins = client.get("/available/admins")

    assert users.status_code == 200
    assert ids(users) == [user.pk]
    assert ids(admins) == [admin.pk]


def test_lists_need_authentication(api_client):
    assert api_client.get("/available/users").status_code == 401
    assert api_client.get("/available/admins").status_code == 401


def test_lists_skip_unavailable_and_inactive(auth_client, user):
    UserFactory(is_available=False)
    UserFactory(is_active=False)

    response = auth_client(user).get("/available/users")

    assert ids(response) == [user.pk]


def test_counts_open_and_in_progress_tickets(auth_client, user):
    admin = AdminFactory()
    for _ in range(2):
        TicketFactory(assignee=admin)
    started = TicketFactory(assignee=admin)
    services.ticket_transition(actor=admin, ticket_id=started.pk, target="in_progress")
    closed = TicketFactory(assignee=admin)
    services.ticket_transition(actor=admin, ticket_id=closed.pk, target="in_progress")
    services.ticket_transition(actor=admin, ticket_id=closed.pk, target="closed")

    row = auth_client(user).get("/available/admins").data[0]

    assert row["id"] == admin.pk
    assert row["open_tickets"] == 2
    assert row["in_progress_tickets"] == 1


def test_least_loaded_first(auth_client, user):
    busy = AdminFactory(name="Busy")
    idle = AdminFactory(name="Idle")
    TicketFactory(assignee=busy)

    response = auth_client(user).get("/available/admins")

    assert ids(response) == [idle.pk, busy.pk]


def test_toggle_shows_on_next_request(auth_client, user):
    client = auth_client(user)
    assert ids(client.get("/available/users")) == [user.pk]

    client.patch("/auth/me", {"is_available": False}, format="json")
    assert ids(client.get("/available/users")) == []

    client.patch("/auth/me", {"is_available": True}, format="json")
    assert ids(client.get("/available/users")) == [user.pk]


@pytest.mark.parametrize("people", [1, 15])
def test_one_query_whatever_the_length(auth_client, assert_queries, people):
    admins = AdminFactory.create_batch(people)
    for admin in admins:
        TicketFactory(assignee=admin)
    client = auth_client(admins[0])

    # One query loads the caller for authentication, one loads the whole list.
    with assert_queries(2):
        response = client.get("/available/admins")

    assert len(response.data) == people


def test_rows_match_serializer_output(auth_client, user):
    busy = AdminFactory(name="Busy")
    AdminFactory(name="Idle")
    TicketFactory(assignee=busy)
    started = TicketFactory(assignee=busy)
    services.ticket_transition(actor=busy, ticket_id=started.pk, target="in_progress")

    response = auth_client(user).get("/available/admins")
    expected = AvailablePersonSerializer(available_people(role=Role.ADMIN), many=True).data

    assert response.data == expected
    assert [list(row) for row in response.data] == [list(row) for row in expected]
    assert response.data[-1]["in_progress_tickets"] == 1
