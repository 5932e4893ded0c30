"""Comments on tickets: visibility, internal notes and their rows in the history."""

import pytest

from tickets import services
from tickets.models import TicketComment, TicketEvent, TicketEventKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(people):
    return services.ticket_create(
        creator=people["creator"], title="Printer jams", assignee=people["assignee"]
    )


def comment(ticket, author, body="A note", internal=False):
    return services.comment_create(author=author, ticket_id=ticket.pk, body=body, internal=internal)


@pytest.mark.parametrize(
    "who, status_code",
    [("creator", 201), ("assignee", 201), ("other", 404), ("admin", 201)],
)
def test_post_comment_matrix(auth_client, people, ticket, who, status_code):
    response = auth_client(people[who]).post(
        f"/tickets/{ticket.pk}/comments", {"body": "Any news?"}, format="json"
    )

    assert response.status_code == status_code
    if status_code == 201:
        assert response.data["body"] == "Any news?"
        assert response.data["author"]["id"] == people[who].pk
        assert response.data["internal"] is False
        assert response.data["created_at"]
    else:
        assert response.data["code"] == "not_found"
    assert TicketComment.objects.count() == (1 if status_code == 201 else 0)


@pytest.mark.parametrize(
    "who, status_code",
    [("creator", 200), ("assignee", 200), ("other", 404), ("admin", 200)],
)
def test_list_comments_matrix(auth_client, people, ticket, who, status_code):
    comment(ticket, people["creator"])

    response = auth_client(people[who]).get(f"/tickets/{ticket.pk}/comments")

    assert response.status_code == status_code


def test_missing_ticket_is_404(auth_client, people):
    client = auth_client(people["admin"])

    assert client.get("/tickets/987654/comments").status_code == 404
    assert client.post("/tickets/987654/comments", {"body": "x"}, format="json").status_code == 404


def test_anonymous_is_401(api_client, ticket):
    assert api_client.get(f"/tickets/{ticket.pk}/comments").status_code == 401
    response = api_client.post(f"/tickets/{ticket.pk}/comments", {"body": "x"}, format="json")
    assert response.status_code == 401


def test_comments_oldest_first(auth_client, people, ticket):
    first = comment(ticket, people["creator"], "First")
    second = comment(ticket, people["admin"], "Second")

    response = auth_client(people["creator"]).get(f"/tickets/{ticket.pk}/comments")

    assert [row["id"] for row in response.data["results"]] == [first.pk, second.pk]
    assert response.data["results"][1]["author"]["id"] == people["admin"].pk


def test_comment_pages_cover_all_once(auth_client, people, ticket):
    created = [comment(ticket, people["creator"], f"Comment {n}").pk for n in range(7)]
    client = auth_client(people["creator"])

    seen = []
    url = f"/tickets/{ticket.pk}/comments?page_size=3"
    while url:
        page = client.get(url).data
        seen.extend(row["id"] for row in page["results"])
        url = page["next"]

    assert seen == created


@pytest.mark.parametrize("who", ["creator", "assignee"])
def test_internal_comment_by_user_is_403(auth_client, people, ticket, who):
    response = auth_client(people[who]).post(
        f"/tickets/{ticket.pk}/comments", {"body": "Secret", "internal": True}, format="json"
    )

    assert response.status_code == 403
    assert response.data["code"] == "permission_denied"
    assert "internal" in response.data["fields"]
    assert not TicketComment.objects.exists()
    assert not TicketEvent.objects.filter(kind=TicketEventKind.COMMENTED).exists()


def test_admin_writes_internal_comment(auth_client, people, ticket):
    response = auth_client(people["admin"]).post(
        f"/tickets/{ticket.pk}/comments",
        {"body": "Vendor says Tuesday", "internal": True},
        format="json",
    )

    assert response.status_code == 201
    assert response.data["internal"] is True


@pytest.mark.parametrize(
    "who, expected",
    [
        ("creator", ["Public"]),
        ("assignee", ["Public"]),
        ("admin", ["Public", "Internal"]),
    ],
)
def test_internal_comments_listed_for_admins_only(auth_client, people, ticket, who, expected):
    comment(ticket, people["creator"], "Public")
    comment(ticket, people["admin"], "Internal", internal=True)

    response = auth_client(people[who]).get(f"/tickets/{ticket.pk}/comments")

    assert [row["body"] for row in response.data["results"]] == expected


@pytest.mark.parametrize(
    "who, expected",
    [
        ("creator", ["Public"]),
        ("assignee", ["Public"]),
        ("admin", ["Public", "Internal"]),
    ],
)
def test_history_hides_internal_comments(auth_client, people, ticket, who, expected):
    comment(ticket, people["creator"], "Public")
    comment(ticket, people["admin"], "Internal", internal=True)

    response = auth_client(people[who]).get(f"/tickets/{ticket.pk}/history")

    rows = response.data["results"]
    assert [row["comment"]["body"] for row in rows if row["kind"] == "commented"] == expected
    assert rows[0]["kind"] == "created"
    assert rows[0]["comment"] is None


def test_history_row_links_comment(auth_client, people, ticket):
    created = comment(ticket, people["assignee"], "On it")

    response = auth_client(people["creator"]).get(f"/tickets/{ticket.pk}/history")

    row = response.data["results"][-1]
    assert row["kind"] == "commented"
    assert row["actor"]["id"] == people["assignee"].pk
    assert row["comment"] == {"id": created.pk, "body": "On it", "internal": False}


def test_closed_ticket_accepts_comments(auth_client, people, ticket):
    admin = people["admin"]
    services.ticket_transition(actor=admin, ticket_id=ticket.pk, target="in_progress")
    services.ticket_transition(actor=admin, ticket_id=ticket.pk, target="closed")

    response = auth_client(people["creator"]).post(
        f"/tickets/{ticket.pk}/comments", {"body": "Thanks!"}, format="json"
    )

    assert response.status_code == 201


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "body"),
        ({"body": ""}, "body"),
        ({"body": "   "}, "body"),
        ({"body": "x" * 10_001}, "body"),
        ({"body": "nul\x00byte"}, "body"),
        ({"body": ["a"]}, "body"),
        ({"body": "ok", "internal": "maybe"}, "internal"),
        ({"body": "ok", "author": 1}, "author"),
        ({"body": "ok", "created_at": "2020-01-01T00:00:00Z"}, "created_at"),
    ],
)
def test_bad_comment_input_names_field(auth_client, people, ticket, body, field):
    response = auth_client(people["admin"]).post(
        f"/tickets/{ticket.pk}/comments", body, format="json"
    )

    assert response.status_code == 400
    assert field in response.data["fields"]
    assert not TicketComment.objects.exists()


def test_non_object_comment_body_is_400(auth_client, people, ticket):
    response = auth_client(people["admin"]).post(
        f"/tickets/{ticket.pk}/comments", ["body"], format="json"
    )

    assert response.status_code == 400
    assert "non_field_errors" in response.data["fields"]
