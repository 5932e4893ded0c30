"""Input and output shapes of GET /analytics/summary."""

import re
from datetime import UTC, date, datetime, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework import serializers

from config.serializers import StrictInputSerializer
from tickets.models import TicketPriority, TicketStatus
from tickets.serializers import AssigneeSerializer

_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
BOUND_FORMAT_HELP = "a date (`2026-03-01`) or a date-time with offset (`2026-03-01T09:00:00Z`)"


def _parse_bound(raw: str, *, end: bool) -> datetime:
    """Parse a range bound; a date means its whole day in UTC, so an end date includes it."""
    raw = raw.strip()
    try:
        moment = _parse_moment(raw, end=end)
        # Both databases compare in UTC, and a moment such as 0001-01-01T00:00+01:00 has no
        # UTC value within years 1 to 9999; converting here turns that into a 400.
        return moment.astimezone(UTC)
    except ValueError:
        raise serializers.ValidationError(
            f"Invalid value {raw!r}: use {BOUND_FORMAT_HELP}."
        ) from None
    except OverflowError:
        raise serializers.ValidationError(
            f"Invalid value {raw!r}: out of range; use a moment from year 1 to 9999 in UTC."
        ) from None


def _parse_moment(raw: str, *, end: bool) -> datetime:
    if _DATE_ONLY.fullmatch(raw):
        day = date.fromisoformat(raw)
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        if not end:
            return start
        # The last representable day has no next midnight, so it ends at the maximum.
        if day == date.max:
            return datetime.max.replace(tzinfo=UTC)
        return start + timedelta(days=1)

    moment = parse_datetime(raw)
    if moment is None:
        raise ValueError(raw)
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)
    # The range is half-open, so an end date-time is included by moving it 1 µs on;
    # both databases store microseconds.
    return moment + timedelta(microseconds=1) if end else moment


class AnalyticsQuerySerializer(StrictInputSerializer):
    created_from = serializers.CharField(
        required=False,
        max_length=64,
        help_text=f"Only tickets created at or after this moment: {BOUND_FORMAT_HELP}. UTC.",
    )
    created_to = serializers.CharField(
        required=False,
        max_length=64,
        help_text=(
            f"Only tickets created at or before this moment: {BOUND_FORMAT_HELP}. A date "
            "includes its whole day (UTC)."
        ),
    )

    def validate_created_from(self, value: str) -> datetime:
        return _parse_bound(value, end=False)

    def validate_created_to(self, value: str) -> datetime:
        return _parse_bound(value, end=True)

    def validate(self, attrs):
        start, end = attrs.get("created_from"), attrs.get("created_to")
        if start is not None and end is not None and end <= start:
            raise serializers.ValidationError(
                {"created_to": ["Must not be earlier than created_from."]}
            )
        return attrs


def _counts_by(choices) -> serializers.Serializer:
    fields = {value: serializers.IntegerField() for value in choices.values}
    return type(f"{choices.__name__}Counts", (serializers.Serializer,), fields)()


class OpenLoadSerializer(serializers.Serializer):
    assignee = AssigneeSerializer()
    open = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    total = serializers.IntegerField()


class TimeToCloseSerializer(serializers.Serializer):
    closed = serializers.IntegerField(help_text="Closed tickets in the range.")
    median_hours = serializers.FloatField(
        allow_null=True, help_text="Median hours from creation to close; null if none closed."
    )
    p90_hours = serializers.FloatField(
        allow_null=True, help_text="90th percentile of hours from creation to close."
    )


class TargetSerializer(serializers.Serializer):
    priority = serializers.ChoiceField(choices=TicketPriority.choices)
    target_hours = serializers.FloatField(help_text="Resolution target for this priority.")
    closed = serializers.IntegerField()
    closed_within_target = serializers.IntegerField()
    share_within_target = serializers.FloatField(
        allow_null=True,
        help_text="closed_within_target / closed, from 0 to 1; null when none are closed.",
    )
    active_past_target = serializers.IntegerField(
        help_text="Open or in-progress tickets already older than the target."
    )


class AnalyticsSummarySerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="Tickets created in the range.")
    by_status = _counts_by(TicketStatus)
    by_priority = _counts_by(TicketPriority)
    open_load = OpenLoadSerializer(
        many=True, help_text="Open and in-progress tickets per assignee, busiest first."
    )
    unassigned_active = serializers.IntegerField(
        help_text="Open and in-progress tickets with no assignee."
    )
    time_to_close = TimeToCloseSerializer()
    targets = TargetSerializer(many=True)
    share_within_target = serializers.FloatField(
        allow_null=True, help_text="Share of all closed tickets closed within their target."
    )
