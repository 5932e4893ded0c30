"""ETag on reads and If-Match on PATCH /tickets/{id}: stale writes get 412 and change nothing."""

import pytest

from tests.factories import AdminFactory, UserFactory
from tickets import services
from tickets.models import Ticket, TicketEvent, TicketStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def creator(db):
    return UserFactory()


@pytest.fixture
def ticket(creator):
    return services.ticket_create(creator=creator, title="Printer jams", assignee=None)


def test_get_returns_etag(auth_client, creator, ticket):
    response = auth_client(creator).get(f"/tickets/{ticket.pk}")

    assert response.status_code == 200
    assert response["ETag"] == f'"{ticket.pk}-1"'


def test_create_returns_etag(auth_client, creator):
    response = auth_client(creator).post("/tickets", {"title": "New"}, format="json")

    assert response.status_code == 201
    assert response["ETag"] == f'"{response.data["id"]}-1"'


def test_matching_if_match_updates(auth_client, creator, ticket):
    client = auth_client(creator)
    etag = client.get(f"/tickets/{ticket.pk}")["ETag"]

    response = client.patch(
        f"/tickets/{ticket.pk}", {"title": "Printer jams daily"}, format="json", HTTP_IF_MATCH=etag
    )

    assert response.status_code == 200
    assert response.data["title"] == "Printer jams daily"
    assert response["ETag"] != etag
    assert client.get(f"/tickets/{ticket.pk}")["ETag"] == response["ETag"]


def test_stale_if_match_is_412(auth_client, creator, ticket):
    client = auth_client(creator)
    stale = client.get(f"/tickets/{ticket.pk}")["ETag"]
    client.patch(f"/tickets/{ticket.pk}", {"priority": "high"}, format="json")
    events_before = TicketEvent.objects.count()

    response = client.patch(
        f"/tickets/{ticket.pk}",
        {"title": "Overwritten", "assignee": UserFactory().pk},
        format="json",
        HTTP_IF_MATCH=stale,
    )

    assert response.status_code == 412
    assert response.data["code"] == "precondition_failed"
    ticket.refresh_from_db()
    assert ticket.title == "Printer jams"
    assert ticket.assignee is None
    assert ticket.priority == "high"
    assert ticket.version == 2
    assert TicketEvent.objects.count() == events_before


def test_stale_if_match_blocks_transition(auth_client, ticket):
    admin = AdminFactory()
    client = auth_client(admin)
    stale = client.get(f"/tickets/{ticket.pk}")["ETag"]
    client.patch(f"/tickets/{ticket.pk}", {"title": "Edited"}, format="json")

    response = client.patch(
        f"/tickets/{ticket.pk}", {"status": "in_progress"}, format="json", HTTP_IF_MATCH=stale
    )

    assert response.status_code == 412
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN


def test_transition_changes_etag(auth_client, ticket):
    client = auth_client(AdminFactory())
    before = client.get(f"/tickets/{ticket.pk}")["ETag"]

    moved = client.patch(
        f"/tickets/{ticket.pk}", {"status": "in_progress"}, format="json", HTTP_IF_MATCH=before
    )

    assert moved.status_code == 200
    assert moved["ETag"] != before
    again = client.patch(
        f"/tickets/{ticket.pk}", {"status": "closed"}, format="json", HTTP_IF_MATCH=before
    )
    assert again.status_code == 412


def test_unchanged_patch_keeps_etag(auth_client, creator, ticket):
    client = auth_client(creator)
    etag = client.get(f"/tickets/{ticket.pk}")["ETag"]

    response = client.patch(
        f"/tickets/{ticket.pk}", {"title": "Printer jams"}, format="json", HTTP_IF_MATCH=etag
    )

    assert response.status_code == 200
    assert response["ETag"] == etag


@pytest.mark.parametrize(
    "header, status_code",
    [
        ("*", 200),
        ('"999-1", "{etag_value}"', 200),
        ('W/"{etag_value}"', 412),
        ('"{other}"', 412),
    ],
)
def test_if_match_forms(auth_client, creator, ticket, header, status_code):
    value = header.format(etag_value=f"{ticket.pk}-1", other=f"{ticket.pk}-7")

    response = auth_client(creator).patch(
        f"/tickets/{ticket.pk}", {"title": "Edited"}, format="json", HTTP_IF_MATCH=value
    )

    assert response.status_code == status_code
    ticket.refresh_from_db()
    assert ticket.title == ("Edited" if status_code == 200 else "Printer jams")


@pytest.mark.parametrize("header", ["abc", '"unterminated', '"a", b', ""])
def test_malformed_if_match_is_400(auth_client, creator, ticket, header):
    response = auth_client(creator).patch(
        f"/tickets/{ticket.pk}", {"title": "Edited"}, format="json", HTTP_IF_MATCH=header
    )

    assert response.status_code == 400
    assert "If-Match" in response.data["fields"]
    ticket.refresh_from_db()
    assert ticket.title == "Printer jams"


def test_without_if_match_updates(auth_client, creator, ticket):
    client = auth_client(creator)
    client.patch(f"/tickets/{ticket.pk}", {"priority": "low"}, format="json")

    response = client.patch(f"/tickets/{ticket.pk}", {"title": "Edited"}, format="json")

    assert response.status_code == 200
    assert Ticket.objects.get(pk=ticket.pk).title == "Edited"


def test_hidden_ticket_with_if_match_is_404(auth_client, ticket):
    response = auth_client(UserFactory()).patch(
        f"/tickets/{ticket.pk}", {"title": "x"}, format="json", HTTP_IF_MATCH='"0-0"'
    )

    assert response.status_code == 404
