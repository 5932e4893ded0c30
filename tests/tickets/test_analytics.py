"""GET /analytics/summary: counts, load, time to close and targets, over a date range."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from tests.factories import AdminFactory, TicketFactory, UserFactory
from tickets.checks import check_target_hours
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

URL = "/analytics/summary"
BASE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def ticket(*, status="open", priority="medium", assignee=None, created=BASE, hours=None):
    """Write a ticket straight to the table; `hours` is the time from creation to close."""
    row = TicketFactory(priority=priority, assignee=assignee)
    closed_at = created + timedelta(hours=hours) if hours is not None else None
    Ticket.objects.filter(pk=row.pk).update(status=status, created_at=created, closed_at=closed_at)
    return row


@pytest.fixture
def admin_client(auth_client, admin_user):
    return auth_client(admin_user)


def test_user_is_403(auth_client, user):
    response = auth_client(user).get(URL)

    assert response.status_code == 403
    assert response.data["code"] == "permission_denied"


def test_anonymous_is_401(api_client):
    assert api_client.get(URL).status_code == 401


def test_empty_summary(admin_client):
    response = admin_client.get(URL)

    assert response.status_code == 200
    assert response.data["total"] == 0
    assert response.data["by_status"] == {"open": 0, "in_progress": 0, "closed": 0}
    assert response.data["open_load"] == []
    assert response.data["time_to_close"] == {"closed": 0, "median_hours": None, "p90_hours": None}
    assert response.data["share_within_target"] is None
    assert all(row["share_within_target"] is None for row in response.data["targets"])


def test_counts_by_status_and_priority(admin_client):
    ticket(status="open", priority="urgent")
    ticket(status="open", priority="low")
    ticket(status="in_progress", priority="urgent")
    ticket(status="closed", priority="high", hours=5)

    data = admin_client.get(URL).data

    assert data["total"] == 4
    assert data["by_status"] == {"open": 2, "in_progress": 1, "closed": 1}
    assert data["by_priority"] == {"urgent": 2, "high": 1, "medium": 0, "low": 1}
    assert data["unassigned_active"] == 3


def test_open_load_per_assignee(admin_client):
    busy, light = AdminFactory(is_available=False), UserFactory()
    for status in ("open", "open", "in_progress"):
        ticket(status=status, assignee=busy)
    ticket(status="open", assignee=light)
    ticket(status="closed", assignee=light, hours=1)

    load = admin_client.get(URL).data["open_load"]

    assert [row["assignee"]["id"] for row in load] == [busy.pk, light.pk]
    assert (load[0]["open"], load[0]["in_progress"], load[0]["total"]) == (2, 1, 3)
    assert (load[1]["open"], load[1]["in_progress"], load[1]["total"]) == (1, 0, 1)
    assert load[0]["assignee"]["is_available"] is False
    assert load[0]["assignee"]["email"] == busy.email


@pytest.mark.parametrize(
    "hours, median, p90",
    [
        ([5], 5.0, 5.0),
        ([1, 2, 3, 4], 2.5, 3.7),
        ([10, 1, 4, 2, 3], 3.0, 7.6),
        ([0.5, 0.5, 0.5], 0.5, 0.5),
    ],
)
def test_time_to_close_percentiles(admin_client, hours, median, p90):
    for value in hours:
        ticket(status="closed", hours=value)
    ticket(status="open")

    result = admin_client.get(URL).data["time_to_close"]

    assert result["closed"] == len(hours)
    assert result["median_hours"] == pytest.approx(median, abs=0.01)
    assert result["p90_hours"] == pytest.approx(p90, abs=0.01)


def test_share_within_default_targets(admin_client):
    ticket(status="closed", priority="urgent", hours=23)
    ticket(status="closed", priority="urgent", hours=25)
    ticket(status="closed", priority="low", hours=100)
    ticket(status="open", priority="urgent", created=datetime.now(UTC) - timedelta(hours=30))
    ticket(status="open", priority="urgent", created=datetime.now(UTC) - timedelta(hours=2))

    data = admin_client.get(URL).data

    targets = {row["priority"]: row for row in data["targets"]}
    assert [row["priority"] for row in data["targets"]] == ["urgent", "high", "medium", "low"]
    assert {p: row["target_hours"] for p, row in targets.items()} == {
        "urgent": 24.0,
        "high": 48.0,
        "medium": 72.0,
        "low": 168.0,
    }
    assert targets["urgent"]["closed"] == 2
    assert targets["urgent"]["closed_within_target"] == 1
    assert targets["urgent"]["share_within_target"] == 0.5
    assert targets["urgent"]["active_past_target"] == 1
    assert targets["low"]["share_within_target"] == 1.0
    assert targets["high"]["share_within_target"] is None
    assert data["share_within_target"] == pytest.approx(2 / 3, abs=0.0001)


def test_targets_come_from_settings(admin_client, settings):
    settings.TICKET_TARGET_HOURS = {"urgent": "10"}
    ticket(status="closed", priority="urgent", hours=12)

    data = admin_client.get(URL).data

    targets = {row["priority"]: row for row in data["targets"]}
    assert targets["urgent"]["target_hours"] == 10.0
    assert targets["urgent"]["share_within_target"] == 0.0
    assert targets["high"]["target_hours"] == 48.0


def test_date_range_filters_by_creation(admin_client):
    ticket(created=datetime(2026, 2, 28, 23, 59, tzinfo=UTC))
    ticket(created=datetime(2026, 3, 1, 0, 0, tzinfo=UTC))
    ticket(created=datetime(2026, 3, 31, 23, 59, tzinfo=UTC), status="closed", hours=1)
    ticket(created=datetime(2026, 4, 1, 0, 0, tzinfo=UTC))

    month = admin_client.get(f"{URL}?created_from=2026-03-01&created_to=2026-03-31").data
    since = admin_client.get(f"{URL}?created_from=2026-03-01").data
    until = admin_client.get(f"{URL}?created_to=2026-03-31T23:59:00Z").data

    assert month["total"] == 2
    assert month["time_to_close"]["closed"] == 1
    assert since["total"] == 3
    assert until["total"] == 3


def test_range_end_datetime_is_inclusive(admin_client):
    moment = datetime(2026, 3, 5, 12, 30, 15, 123456, tzinfo=UTC)
    ticket(created=moment)

    data = admin_client.get(f"{URL}?created_to=2026-03-05T12:30:15.123456%2B00:00").data

    assert data["total"] == 1


@pytest.mark.parametrize(
    "query, field",
    [
        ("created_from=yesterday", "created_from"),
        ("created_from=2026-02-30", "created_from"),
        ("created_to=2026-13-01T00:00:00Z", "created_to"),
        # The last representable moment has no microsecond after it to end the range on.
        ("created_to=9999-12-31T23:59:59.999999Z", "created_to"),
        ("created_from=%00", "created_from"),
        ("created_from=" + "1" * 65, "created_from"),
        ("created_from=2026-03-02&created_to=2026-03-01", "created_to"),
        ("from=2026-03-01", "from"),
    ],
)
def test_bad_range_is_400(admin_client, query, field):
    response = admin_client.get(f"{URL}?{query}")

    assert response.status_code == 400
    assert field in response.data["fields"]


def test_same_day_range_is_valid(admin_client):
    ticket(created=datetime(2026, 3, 1, 15, 0, tzinfo=UTC))

    response = admin_client.get(f"{URL}?created_from=2026-03-01&created_to=2026-03-01")

    assert response.status_code == 200
    assert response.data["total"] == 1


# One query loads the user; then the counts, the open load and the percentiles. PostgreSQL
# computes both percentiles in one query; SQLite reads each with ORDER BY and OFFSET.
def expected_queries() -> int:
    return 4 if connection.vendor == "postgresql" else 5


@pytest.mark.parametrize("tickets", [3, 40])
def test_summary_query_count(admin_client, assert_queries, tickets):
    people = [UserFactory() for _ in range(3)]
    for n in range(tickets):
        ticket(
            status=["open", "in_progress", "closed"][n % 3],
            priority=["low", "medium", "high", "urgent"][n % 4],
            assignee=people[n % 3],
            hours=n + 1,
        )

    with assert_queries(expected_queries()):
        response = admin_client.get(URL)

    assert response.data["total"] == tickets


@pytest.mark.parametrize(
    "configured, error_ids",
    [
        ({"urgent": "8", "low": "200.5"}, []),
        ({"soon": "8"}, ["tickets.E001"]),
        ({"high": "-1"}, ["tickets.E002"]),
        ({"high": "0"}, ["tickets.E002"]),
        ({"medium": "abc"}, ["tickets.E002"]),
        ({"medium": "nan"}, ["tickets.E002"]),
    ],
)
def test_target_hours_system_check(settings, configured, error_ids):
    settings.TICKET_TARGET_HOURS = configured

    errors = check_target_hours(None)

    assert [error.id for error in errors] == error_ids
