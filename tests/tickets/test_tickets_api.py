import pytest

from tests.factories import AdminFactory, TicketFactory, UserFactory
from tickets import services
from tickets.models import Ticket, TicketEvent, TicketEventKind, TicketStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(people):
    return services.ticket_create(
        creator=people["creator"],
        title="Printer jams",
        description="Floor 3 printer jams on every job.",
        assignee=people["assignee"],
    )


def move(ticket, *targets, actor=None):
    actor = actor or AdminFactory()
    for target in targets:
        services.ticket_transition(actor=actor, ticket_id=ticket.pk, target=target)
    ticket.refresh_from_db()
    return ticket


# Create


def test_create_sets_creator_and_open_status(auth_client, user, other_user):
    response = auth_client(user).post(
        "/tickets",
        {"title": "VPN down", "priority": "high", "assignee": other_user.pk, "status": "closed"},
        format="json",
    )

    assert response.status_code == 201
    assert response.data["status"] == "open"
    assert response.data["creator"]["id"] == user.pk
    assert response.data["assignee"]["id"] == other_user.pk
    assert response.data["priority"] == "high"
    event = TicketEvent.objects.get(ticket_id=response.data["id"])
    assert event.kind == TicketEventKind.CREATED
    assert event.actor_id == user.pk


def test_create_defaults_priority_medium(auth_client, user):
    # No administrator exists, so automatic assignment finds nobody.
    response = auth_client(user).post("/tickets", {"title": "Mouse broken"}, format="json")

    assert response.status_code == 201
    assert response.data["priority"] == "medium"
    assert response.data["assignee"] is None
    assert response.data["assignment"]["method"] == "automatic"


def test_create_with_null_assignee_stays_unassigned(auth_client, user, admin_user):
    response = auth_client(user).post(
        "/tickets", {"title": "Mouse broken", "assignee": None}, format="json"
    )

    assert response.status_code == 201
    assert response.data["assignee"] is None
    assert response.data["assignment"]["method"] == "none"


def test_create_anonymous_is_401(api_client):
    response = api_client.post("/tickets", {"title": "x"}, format="json")

    assert response.status_code == 401
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "title"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "nul\x00byte"}, "title"),
        ({"title": 5.5, "description": {"a": 1}}, "description"),
        ({"title": "ok", "priority": "whenever"}, "priority"),
        ({"title": "ok", "assignee": 999999}, "assignee"),
        ({"title": "ok", "assignee": "abc"}, "assignee"),
        ({"title": "ok", "assignee": 2**70}, "assignee"),
        ({"title": "ok", "creator": 1}, "creator"),
        ({"title": "ok", "id": 7}, "id"),
        ({"title": "ok", "description": "d" * 10_001}, "description"),
    ],
)
def test_create_bad_input_names_field(auth_client, user, body, field):
    response = auth_client(user).post("/tickets", body, format="json")

    assert response.status_code == 400
    assert response.data["code"] == "invalid"
    assert field in response.data["fields"]
    assert not Ticket.objects.exists()


def test_create_rejects_inactive_assignee(auth_client, user):
    inactive = UserFactory(is_active=False)

    response = auth_client(user).post(
        "/tickets", {"title": "ok", "assignee": inactive.pk}, format="json"
    )

    assert response.status_code == 400
    assert "assignee" in response.data["fields"]


def test_create_non_object_body_is_400(auth_client, user):
    response = auth_client(user).post("/tickets", ["title"], format="json")

    assert response.status_code == 400
    assert "non_field_errors" in response.data["fields"]


# Read: the authorization matrix


@pytest.mark.parametrize(
    "who, visible",
    [
        ("creator", True),
        ("assignee", True),
        ("other", False),
        ("admin", True),
    ],
)
def test_detail_visibility(auth_client, people, ticket, who, visible):
    response = auth_client(people[who]).get(f"/tickets/{ticket.pk}")

    if visible:
        assert response.status_code == 200
        assert response.data["id"] == ticket.pk
    else:
        assert response.status_code == 404
        assert response.data["code"] == "not_found"


def test_detail_hidden_and_missing_look_alike(auth_client, people, ticket):
    client = auth_client(people["other"])

    hidden = client.get(f"/tickets/{ticket.pk}")
    missing = client.get("/tickets/987654")

    assert hidden.status_code == missing.status_code == 404
    assert hidden.data == missing.data


def test_detail_anonymous_is_401(api_client, ticket):
    assert api_client.get(f"/tickets/{ticket.pk}").status_code == 401


@pytest.mark.parametrize(
    "who, expected",
    [
        ("creator", []),
        ("assignee", []),
        ("admin", ["in_progress"]),
    ],
)
def test_detail_lists_callers_transitions(auth_client, people, ticket, who, expected):
    response = auth_client(people[who]).get(f"/tickets/{ticket.pk}")

    assert response.data["allowed_transitions"] == expected


@pytest.mark.parametrize(
    "who, expected_count",
    [
        ("creator", 1),
        ("assignee", 1),
        ("other", 0),
        ("admin", 2),
    ],
)
def test_list_visibility(auth_client, people, ticket, who, expected_count):
    TicketFactory(creator=UserFactory())  # neither created by nor assigned to anyone in `people`

    response = auth_client(people[who]).get("/tickets")

    assert response.status_code == 200
    assert len(response.data["results"]) == expected_count


def test_list_anonymous_is_401(api_client):
    assert api_client.get("/tickets").status_code == 401


def test_list_filters(auth_client, admin_user):
    alice = UserFactory()
    urgent = TicketFactory(priority="urgent", assignee=alice, title="Server room flooded")
    TicketFactory(priority="low", title="Change desk plant")
    client = auth_client(admin_user)

    assert [t["id"] for t in client.get("/tickets?priority=urgent").data["results"]] == [urgent.pk]
    assert [t["id"] for t in client.get(f"/tickets?assignee={alice.pk}").data["results"]] == [
        urgent.pk
    ]
    by_creator = client.get(f"/tickets?creator={urgent.creator_id}").data["results"]
    assert [t["id"] for t in by_creator] == [urgent.pk]
    assert [t["id"] for t in client.get("/tickets?search=flooded").data["results"]] == [urgent.pk]
    assert len(client.get("/tickets?status=open").data["results"]) == 2
    assert client.get("/tickets?status=closed").data["results"] == []
    assert len(client.get("/tickets?unassigned=true").data["results"]) == 1


@pytest.mark.parametrize(
    "query, field",
    [
        ("status=finished", "status"),
        ("priority=%00", "priority"),
        ("assignee=abc", "assignee"),
        ("assignee=1.5", "assignee"),
        ("assignee=-3", "assignee"),
        ("creator=99999999999999999999999", "creator"),
        ("ordering=title", "ordering"),
        ("ordering=-password", "ordering"),
        ("page_size=abc", "page_size"),
        ("page_size=0", "page_size"),
        ("cursor=not-a-cursor", "cursor"),
        ("cursor=%00", "cursor"),
        # Well-formed cursors whose position is not a timestamp: p=notadate, p=2026, p=NUL.
        ("cursor=cD1ub3RhZGF0ZQ%3D%3D", "cursor"),
        ("cursor=cD0yMDI2", "cursor"),
        ("cursor=cj0xJnA9JTAw", "cursor"),
        ("ordering=updated_at&cursor=cD1ub3RhZGF0ZQ%3D%3D", "cursor"),
        ("unassigned=maybe", "unassigned"),
        ("search=%00", "search"),
        ("search=" + "x" * 201, "search"),
    ],
)
def test_list_bad_query_is_400(auth_client, admin_user, query, field):
    TicketFactory()

    response = auth_client(admin_user).get(f"/tickets?{query}")

    assert response.status_code == 400
    assert field in response.data["fields"]


@pytest.mark.parametrize("path", ["history", "comments"])
def test_sub_list_bad_cursor_is_400(auth_client, admin_user, path):
    ticket = TicketFactory()

    response = auth_client(admin_user).get(
        f"/tickets/{ticket.pk}/{path}?cursor=cD1ub3RhZGF0ZQ%3D%3D"
    )

    assert response.status_code == 400
    assert "cursor" in response.data["fields"]


def test_format_query_parameter_is_ignored(auth_client, admin_user):
    response = auth_client(admin_user).get("/tickets?format=xml")

    assert response.status_code == 200


def test_list_cursor_pages_cover_all_once(auth_client, admin_user):
    created = {TicketFactory().pk for _ in range(7)}
    client = auth_client(admin_user)

    seen = []
    url = "/tickets?page_size=3"
    while url:
        page = client.get(url).data
        seen.extend(t["id"] for t in page["results"])
        url = page["next"]

    assert sorted(seen) == sorted(created)
    assert len(seen) == len(set(seen))


def test_list_page_size_is_capped(auth_client, admin_user):
    TicketFactory.create_batch(105)

    response = auth_client(admin_user).get("/tickets?page_size=500")

    assert len(response.data["results"]) == 100


def test_list_ordering_oldest_first(auth_client, admin_user):
    first, second = TicketFactory(), TicketFactory()

    response = auth_client(admin_user).get("/tickets?ordering=created_at")

    assert [t["id"] for t in response.data["results"]] == [first.pk, second.pk]


# Edit


@pytest.mark.parametrize(
    "who, status_code",
    [
        ("creator", 200),
        ("assignee", 403),
        ("other", 404),
        ("admin", 200),
    ],
)
def test_patch_fields_matrix(auth_client, people, ticket, who, status_code):
    response = auth_client(people[who]).patch(
        f"/tickets/{ticket.pk}", {"title": "Printer jams daily"}, format="json"
    )

    assert response.status_code == status_code
    ticket.refresh_from_db()
    expected_title = "Printer jams daily" if status_code == 200 else "Printer jams"
    assert ticket.title == expected_title


def test_patch_keeps_fields_not_sent(auth_client, people, ticket):
    response = auth_client(people["creator"]).patch(
        f"/tickets/{ticket.pk}", {"priority": "urgent"}, format="json"
    )

    assert response.status_code == 200
    assert response.data["priority"] == "urgent"
    assert response.data["title"] == "Printer jams"
    assert response.data["description"] == "Floor 3 printer jams on every job."
    assert response.data["assignee"]["id"] == people["assignee"].pk


@pytest.mark.parametrize(
    "body, field",
    [
        ({"id": 5}, "id"),
        ({"creator": 1}, "creator"),
        ({"created_at": "2020-01-01T00:00:00Z"}, "created_at"),
        ({"closed_at": "2020-01-01T00:00:00Z"}, "closed_at"),
        ({"title": ""}, "title"),
        ({"priority": 3}, "priority"),
    ],
)
def test_patch_rejects_read_only_and_bad_fields(auth_client, people, ticket, body, field):
    response = auth_client(people["admin"]).patch(f"/tickets/{ticket.pk}", body, format="json")

    assert response.status_code == 400
    assert field in response.data["fields"]
    ticket.refresh_from_db()
    assert ticket.title == "Printer jams"


def test_patch_assignee_writes_history(auth_client, people, ticket):
    new_assignee = UserFactory()

    response = auth_client(people["creator"]).patch(
        f"/tickets/{ticket.pk}", {"assignee": new_assignee.pk}, format="json"
    )

    assert response.status_code == 200
    event = TicketEvent.objects.get(ticket=ticket, kind=TicketEventKind.ASSIGNEE_CHANGED)
    assert event.from_assignee_id == people["assignee"].pk
    assert event.to_assignee_id == new_assignee.pk
    assert event.actor_id == people["creator"].pk


def test_patch_unassign(auth_client, people, ticket):
    response = auth_client(people["creator"]).patch(
        f"/tickets/{ticket.pk}", {"assignee": None}, format="json"
    )

    assert response.status_code == 200
    assert response.data["assignee"] is None


def test_patch_closed_ticket_is_409(auth_client, people, ticket):
    move(ticket, "in_progress", "closed")

    response = auth_client(people["admin"]).patch(
        f"/tickets/{ticket.pk}", {"title": "Late edit"}, format="json"
    )

    assert response.status_code == 409
    assert response.data["code"] == "ticket_closed"
    ticket.refresh_from_db()
    assert ticket.title == "Printer jams"


# Status transitions


@pytest.mark.parametrize("who", ["creator", "assignee"])
def test_status_change_by_non_admin_is_403(auth_client, people, ticket, who):
    response = auth_client(people[who]).patch(
        f"/tickets/{ticket.pk}", {"status": "in_progress"}, format="json"
    )

    assert response.status_code == 403
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN
    assert not TicketEvent.objects.filter(kind=TicketEventKind.STATUS_CHANGED).exists()


def test_status_change_by_stranger_is_404(auth_client, people, ticket):
    response = auth_client(people["other"]).patch(
        f"/tickets/{ticket.pk}", {"status": "in_progress"}, format="json"
    )

    assert response.status_code == 404


def test_admin_moves_ticket_through_states(auth_client, people, ticket):
    client = auth_client(people["admin"])

    started = client.patch(f"/tickets/{ticket.pk}", {"status": "in_progress"}, format="json")
    closed = client.patch(f"/tickets/{ticket.pk}", {"status": "closed"}, format="json")

    assert started.status_code == 200
    assert started.data["status"] == "in_progress"
    assert started.data["started_at"] is not None
    assert closed.status_code == 200
    assert closed.data["status"] == "closed"
    assert closed.data["closed_at"] is not None
    # Reopening is the one move out of `closed`, through POST /tickets/{id}/reopen.
    assert closed.data["allowed_transitions"] == ["open"]
    steps = list(
        TicketEvent.objects.filter(ticket=ticket, kind=TicketEventKind.STATUS_CHANGED).values_list(
            "from_status", "to_status", "actor_id"
        )
    )
    assert steps == [
        ("open", "in_progress", people["admin"].pk),
        ("in_progress", "closed", people["admin"].pk),
    ]


def test_skipping_a_state_is_409_with_allowed_targets(auth_client, people, ticket):
    response = auth_client(people["admin"]).patch(
        f"/tickets/{ticket.pk}", {"status": "closed"}, format="json"
    )

    assert response.status_code == 409
    assert response.data["code"] == "invalid_transition"
    assert response.data["current_status"] == "open"
    assert response.data["allowed_transitions"] == ["in_progress"]
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN


def test_same_status_is_409(auth_client, people, ticket):
    response = auth_client(people["admin"]).patch(
        f"/tickets/{ticket.pk}", {"status": "open"}, format="json"
    )

    assert response.status_code == 409


def test_unknown_status_is_400(auth_client, people, ticket):
    response = auth_client(people["admin"]).patch(
        f"/tickets/{ticket.pk}", {"status": "resolved"}, format="json"
    )

    assert response.status_code == 400
    assert "status" in response.data["fields"]


def test_closed_ticket_cannot_transition(auth_client, people, ticket):
    move(ticket, "in_progress", "closed")

    response = auth_client(people["admin"]).patch(
        f"/tickets/{ticket.pk}", {"status": "in_progress"}, format="json"
    )

    assert response.status_code == 409
    assert response.data["current_status"] == "closed"
    assert response.data["allowed_transitions"] == ["open"]


def test_edit_and_transition_fail_together(auth_client, people, ticket):
    response = auth_client(people["admin"]).patch(
        f"/tickets/{ticket.pk}", {"title": "New title", "status": "closed"}, format="json"
    )

    assert response.status_code == 409
    ticket.refresh_from_db()
    assert ticket.title == "Printer jams"


def test_status_cannot_be_assigned_directly(ticket):
    with pytest.raises(AttributeError):
        ticket.status = TicketStatus.CLOSED


# History


@pytest.mark.parametrize(
    "who, status_code",
    [
        ("creator", 200),
        ("assignee", 200),
        ("other", 404),
        ("admin", 200),
    ],
)
def test_history_visibility(auth_client, people, ticket, who, status_code):
    response = auth_client(people[who]).get(f"/tickets/{ticket.pk}/history")

    assert response.status_code == status_code


def test_history_oldest_first(auth_client, people, ticket):
    move(ticket, "in_progress", "closed", actor=people["admin"])

    response = auth_client(people["creator"]).get(f"/tickets/{ticket.pk}/history")

    kinds = [
        (row["kind"], row["from_status"], row["to_status"]) for row in response.data["results"]
    ]
    assert kinds == [
        ("created", "", "open"),
        ("status_changed", "open", "in_progress"),
        ("status_changed", "in_progress", "closed"),
    ]
    assert response.data["results"][1]["actor"]["id"] == people["admin"].pk


def test_unknown_route_is_json_404(api_client):
    response = api_client.get("/no/such/thing")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_method_not_allowed_uses_error_shape(auth_client, user):
    response = auth_client(user).delete("/tickets")

    assert response.status_code == 405
    assert response.data["code"] == "method_not_allowed"


def test_deeply_nested_json_is_400(auth_client, user):
    response = auth_client(user).generic(
        "POST", "/tickets", "[" * 100_000, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.data["code"] == "parse_error"


def test_oversized_body_is_413(auth_client, user):
    body = '{"title": "' + "x" * 3_000_000 + '"}'

    response = auth_client(user).generic("POST", "/tickets", body, content_type="application/json")

    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    assert not Ticket.objects.exists()


def test_form_encoded_body_is_415(auth_client, user):
    response = auth_client(user).post("/tickets", {"title": "x"})

    assert response.status_code == 415
    assert response.data["code"] == "unsupported_media_type"
