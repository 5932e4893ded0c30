"""Writes run in one request transaction that rolls back on errors; reads run in autocommit.

The view is made to fail after `services.ticket_update` has released its own savepoint, so
only the request transaction (config/transactions.py) can undo the edit.
"""

import pytest
from django.db import connection

from config.errors import ApplicationError
from tests.factories import AdminFactory, TicketFactory
from tickets import selectors, services
from tickets.serializers import TicketWriteSerializer

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket():
    return TicketFactory(title="Printer jams")


def _fail_after_update(monkeypatch, error: Exception) -> None:
    def fail(self, instance):
        raise error

    monkeypatch.setattr(TicketWriteSerializer, "to_representation", fail)


def test_patch_api_error_rolls_back_edit(auth_client, monkeypatch, ticket):
    _fail_after_update(monkeypatch, ApplicationError("Rendering failed.", code="invalid"))

    response = auth_client(AdminFactory()).patch(
        f"/tickets/{ticket.pk}", {"title": "New title"}, format="json"
    )

    assert response.status_code == 400
    assert response.data["code"] == "invalid"
    ticket.refresh_from_db()
    assert ticket.title == "Printer jams"
    assert ticket.version == 1


def test_patch_server_error_rolls_back_edit(auth_client, monkeypatch, ticket):
    _fail_after_update(monkeypatch, RuntimeError("bug in the view"))
    client = auth_client(AdminFactory())
    client.raise_request_exception = False

    response = client.patch(f"/tickets/{ticket.pk}", {"title": "New title"}, format="json")

    assert response.status_code == 500
    ticket.refresh_from_db()
    assert ticket.title == "Printer jams"
    assert ticket.version == 1


def test_successful_patch_commits(auth_client, ticket):
    response = auth_client(AdminFactory()).patch(
        f"/tickets/{ticket.pk}", {"title": "New title"}, format="json"
    )

    assert response.status_code == 200
    ticket.refresh_from_db()
    assert ticket.title == "New title"


def _record_atomic_depth(monkeypatch, module, name: str) -> list[int]:
    depths: list[int] = []
    original = getattr(module, name)

    def wrapper(*args, **kwargs):
        depths.append(len(connection.atomic_blocks))
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return depths


def test_get_runs_without_request_transaction(auth_client, monkeypatch, ticket):
    client = auth_client(AdminFactory())
    outside = len(connection.atomic_blocks)
    depths = _record_atomic_depth(monkeypatch, selectors, "ticket_get_visible")

    response = client.get(f"/tickets/{ticket.pk}")

    assert response.status_code == 200
    assert depths == [outside]


def test_patch_runs_in_request_transaction(auth_client, monkeypatch, ticket):
    client = auth_client(AdminFactory())
    outside = len(connection.atomic_blocks)
    depths = _record_atomic_depth(monkeypatch, services, "ticket_update")

    response = client.patch(f"/tickets/{ticket.pk}", {"priority": "high"}, format="json")

    assert response.status_code == 200
    assert depths == [outside + 1]
