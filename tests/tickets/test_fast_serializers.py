"""The hand-written `to_representation` of the ticket serializers matches DRF's generic one.

The generic output is what `serializers.ModelSerializer.to_representation` builds from the
declared and generated fields, which is also what the schema describes.
"""

import pytest
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from tests.factories import AdminFactory, TicketFactory, UserFactory
from tickets import services
from tickets.models import Ticket
from tickets.serializers import (
    AssignmentMethod,
    TicketDetailSerializer,
    TicketListSerializer,
    TicketWriteSerializer,
    describe_assignment,
)

pytestmark = pytest.mark.django_db


def _generic(serializer: serializers.Serializer, instance) -> dict:
    return serializers.ModelSerializer.to_representation(serializer, instance)


def _request_of(user):
    request = APIRequestFactory().get("/")
    request.user = user
    return request


def _reload(ticket: Ticket) -> Ticket:
    return (
        Ticket.objects.select_related("creator", "assignee", "feedback__author")
        .filter(pk=ticket.pk)
        .get()
    )


def _tickets() -> dict[str, Ticket]:
    admin = AdminFactory()
    creator = UserFactory()
    unassigned = TicketFactory(creator=creator, assignee=None)
    assigned = TicketFactory(creator=creator, assignee=UserFactory(is_available=False))
    closed = services.ticket_create(
        creator=creator, title="Closed one", description="", assignee=admin
    )
    services.ticket_transition(actor=admin, ticket_id=closed.pk, target="in_progress")
    services.ticket_transition(actor=admin, ticket_id=closed.pk, target="closed")
    services.ticket_feedback_create(author=creator, ticket_id=closed.pk, rating=4, comment="Ok")
    # Straight from the service: status and priority are enum members, not loaded strings.
    fresh = services.ticket_create(creator=creator, title="Fresh", assignee=admin)
    return {
        "unassigned": _reload(unassigned),
        "assigned": _reload(assigned),
        "closed": _reload(closed),
        "fresh": fresh,
    }


@pytest.fixture
def tickets():
    return _tickets()


@pytest.mark.parametrize("name", ["unassigned", "assigned", "closed", "fresh"])
def test_list_representation_matches_generic(tickets, name):
    serializer = TicketListSerializer()

    fast = serializer.to_representation(tickets[name])
    generic = _generic(serializer, tickets[name])

    assert fast == generic
    assert list(fast) == list(generic)


@pytest.mark.parametrize("name", ["unassigned", "assigned", "closed", "fresh"])
@pytest.mark.parametrize("viewer", ["admin", "user"])
def test_detail_representation_matches_generic(tickets, name, viewer):
    user = AdminFactory() if viewer == "admin" else tickets[name].creator
    serializer = TicketDetailSerializer(context={"request": _request_of(user)})

    fast = serializer.to_representation(tickets[name])
    generic = _generic(serializer, tickets[name])

    assert fast == generic
    assert list(fast) == list(generic)


def test_detail_representation_has_feedback(tickets):
    serializer = TicketDetailSerializer(context={"request": _request_of(AdminFactory())})

    fast = serializer.to_representation(tickets["closed"])

    assert fast["feedback"]["rating"] == 4
    assert fast["closed_at"] is not None


@pytest.mark.parametrize("name", ["unassigned", "fresh"])
def test_write_representation_matches_generic(tickets, name):
    ticket = tickets[name]
    context = {
        "request": _request_of(AdminFactory()),
        "assignment": describe_assignment(ticket, AssignmentMethod.MANUAL),
    }
    serializer = TicketWriteSerializer(context=context)

    fast = serializer.to_representation(ticket)
    generic = _generic(serializer, ticket)

    assert fast == generic
    assert list(fast) == list(generic)
    assert fast["assignment"]["method"] == "manual"
