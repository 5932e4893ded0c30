"""The ticket list's filter backend: skipped without filter parameters, one cached form."""

import pytest

from tests.factories import AdminFactory, TicketFactory
from tickets import services
from tickets.filters import TicketFilter
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_no_filter_parameter_builds_no_filterset(auth_client, monkeypatch):
    TicketFactory()
    built = []
    original_init = TicketFilter.__init__

    def spy(self, *args, **kwargs):
        built.append(kwargs.get("data"))
        original_init(self, *args, **kwargs)

    monkeypatch.setattr(TicketFilter, "__init__", spy)
    client = auth_client(AdminFactory())

    unfiltered = client.get("/tickets?page_size=10")
    filtered = client.get("/tickets?status=open")

    assert unfiltered.status_code == 200
    assert len(unfiltered.data["results"]) == 1
    assert filtered.status_code == 200
    assert len(built) == 1


def test_form_class_built_once():
    first = TicketFilter(data={}, queryset=Ticket.objects.all()).get_form_class()
    second = TicketFilter(data={}, queryset=Ticket.objects.all()).get_form_class()

    assert first is second


def test_invalid_filter_rejected_every_time(auth_client):
    client = auth_client(AdminFactory())

    for _ in range(2):
        response = client.get("/tickets?status=bogus")
        assert response.status_code == 400
        assert "status" in response.data["fields"]


def test_status_filter_after_cached_form(auth_client):
    admin = AdminFactory()
    open_ticket = TicketFactory()
    started = TicketFactory()
    services.ticket_transition(actor=admin, ticket_id=started.pk, target="in_progress")
    client = auth_client(admin)

    open_ids = [row["id"] for row in client.get("/tickets?status=open").data["results"]]
    started_ids = [row["id"] for row in client.get("/tickets?status=in_progress").data["results"]]

    assert open_ids == [open_ticket.pk]
    assert started_ids == [started.pk]
