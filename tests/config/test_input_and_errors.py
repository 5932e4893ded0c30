"""Input strictness and the error shape, across apps."""

import pytest
from django.test import Client

from tests.factories import AdminFactory, TicketFactory, UserFactory
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "body, field",
    [
        ({"title": 123}, "title"),
        ({"title": "ok", "assignee": 2.9}, "assignee"),
        ({"title": "ok", "assignee": "2"}, "assignee"),
        ({"title": "ok", "assignee": True}, "assignee"),
        ({"title": "ok", "priority": ["high"]}, "priority"),
        ({"title": "ok", "description": {"text": "x"}}, "description"),
    ],
)
def test_ticket_create_rejects_wrong_json_types(auth_client, body, field):
    UserFactory.create_batch(2)
    client = auth_client(UserFactory())

    response = client.post("/tickets", body, format="json")

    assert response.status_code == 400
    assert field in response.data["fields"]
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"is_available": "true"}, "is_available"),
        ({"is_available": 1}, "is_available"),
        ({"name": 42}, "name"),
    ],
)
def test_me_patch_rejects_wrong_json_types(auth_client, user, body, field):
    response = auth_client(user).patch("/auth/me", body, format="json")

    assert response.status_code == 400
    assert field in response.data["fields"]


def test_feedback_rating_must_be_a_number(auth_client, user):
    admin = AdminFactory()
    ticket = services.ticket_create(creator=user, title="Closed one")
    services.ticket_transition(actor=admin, ticket_id=ticket.pk, target="in_progress")
    services.ticket_transition(actor=admin, ticket_id=ticket.pk, target="closed")

    response = auth_client(user).post(
        f"/tickets/{ticket.pk}/feedback", {"rating": "5"}, format="json"
    )

    assert response.status_code == 400
    assert "rating" in response.data["fields"]


def test_comment_internal_must_be_boolean(auth_client):
    admin = AdminFactory()
    ticket = TicketFactory()

    response = auth_client(admin).post(
        f"/tickets/{ticket.pk}/comments", {"body": "note", "internal": "yes"}, format="json"
    )

    assert response.status_code == 400
    assert "internal" in response.data["fields"]


def test_login_use_cookies_must_be_boolean(api_client, user):
    response = api_client.post(
        "/auth/login",
        {"email": user.email, "password": "x", "use_cookies": "yes"},
        format="json",
    )

    assert response.status_code == 400
    assert "use_cookies" in response.data["fields"]


@pytest.mark.parametrize("header", ["Bearer abc", "Bearer", "Bearer a b"])
def test_bad_bearer_header_has_plain_detail(api_client, header):
    response = api_client.get("/auth/me", HTTP_AUTHORIZATION=header)

    assert response.status_code == 401
    assert response.data["code"] in {"token_not_valid", "bad_authorization_header"}
    assert "ErrorDetail" not in response.data["detail"]
    assert not response.data["detail"].endswith(response.data["code"])


@pytest.mark.parametrize("path", ["/nope", "/tickets/abc", "/tickets/-1", "/admin"])
def test_unknown_paths_get_json_404_with_debug_on(client, settings, path):
    settings.DEBUG = True

    response = client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("path", ["/schema", "/schema/", "/docs", "/docs/", "/redoc/"])
def test_docs_answer_with_and_without_slash(client, path):
    response = client.get(path)

    assert response.status_code == 200


@pytest.mark.parametrize(
    "query, status_code",
    [
        ("created_from=0001-01-01T00:00:00%2B01:00", 400),
        ("created_to=9999-12-31", 200),
        ("created_to=9999-12-31T23:59:59.999999Z", 400),
        ("created_from=0001-01-01", 200),
        ("created_from=2026-02-30", 400),
    ],
)
def test_analytics_range_edges(auth_client, query, status_code):
    response = auth_client(AdminFactory()).get(f"/analytics/summary?{query}")

    assert response.status_code == status_code
    if status_code == 400:
        assert set(response.data["fields"]) & {"created_from", "created_to"}


def test_unknown_path_post_with_cookies_is_json_404():
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = "x" * 32

    response = client.post("/tickets/null,null/comments", {}, content_type="application/json")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
