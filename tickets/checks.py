"""System checks for the ticket settings, run by `manage.py check`, `migrate` and `runserver`."""

import math

from django.conf import settings
from django.core.checks import Error, register

from tickets.models import TicketPriority


@register()
def check_target_hours(app_configs, **kwargs) -> list[Error]:
    configured = getattr(settings, "TICKET_TARGET_HOURS", {})
    errors = []
    for priority, raw in configured.items():
        if priority not in TicketPriority.values:
            errors.append(
                Error(
                    f"TICKET_TARGET_HOURS names an unknown priority {priority!r}.",
                    hint="Use urgent, high, medium or low, e.g. TICKET_TARGET_HOURS=urgent=8.",
                    id="tickets.E001",
                )
            )
            continue
        try:
            hours = float(raw)
        except (TypeError, ValueError):
            hours = math.nan
        if not (math.isfinite(hours) and hours > 0):
            errors.append(
                Error(
                    f"TICKET_TARGET_HOURS[{priority!r}] must be a positive number, not {raw!r}.",
                    hint="Give each target in hours, e.g. TICKET_TARGET_HOURS=urgent=8,high=24.",
                    id="tickets.E002",
                )
            )
    return errors
