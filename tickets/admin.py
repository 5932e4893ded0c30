from django.contrib import admin, messages
from rest_framework.exceptions import APIException

from tickets import services
from tickets.models import Ticket, TicketEvent, TicketStatus


class TicketEventInline(admin.TabularInline):
    model = TicketEvent
    extra = 0
    can_delete = False
    fields = [
        "created_at",
        "kind",
        "actor",
        "from_status",
        "to_status",
        "from_assignee",
        "to_assignee",
        "note",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


def _transition_action(target: str, label: str):
    """Build an admin action that runs each selected ticket through `ticket_transition`."""

    @admin.action(description=label)
    def action(modeladmin, request, queryset):
        moved = 0
        for ticket_id in queryset.values_list("pk", flat=True):
            try:
                services.ticket_transition(actor=request.user, ticket_id=ticket_id, target=target)
                moved += 1
            except APIException as error:
                modeladmin.message_user(
                    request, f"Ticket {ticket_id}: {error.detail}", messages.WARNING
                )
        if moved:
            modeladmin.message_user(
                request, f"{moved} ticket(s) moved to {target}.", messages.SUCCESS
            )

    action.__name__ = f"move_to_{target}"
    return action


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ["id", "title", "status", "priority", "creator", "assignee", "created_at"]
    list_filter = ["status", "priority"]
    search_fields = ["title", "description"]
    list_select_related = ["creator", "assignee"]
    raw_id_fields = ["creator", "assignee"]
    # Status changes only through the actions below, which use the state machine and
    # write history; the form never saves the status column.
    readonly_fields = ["status", "created_at", "updated_at", "started_at", "closed_at"]
    inlines = [TicketEventInline]
    actions = [
        _transition_action(TicketStatus.IN_PROGRESS, "Start work on the selected tickets"),
        _transition_action(TicketStatus.CLOSED, "Close the selected tickets"),
    ]

    def has_change_permission(self, request, obj=None) -> bool:
        # A closed ticket cannot be edited, here as in the API.
        if obj is not None and obj.status == TicketStatus.CLOSED:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            created = services.ticket_create(
                creator=obj.creator,
                title=obj.title,
                description=obj.description,
                priority=obj.priority,
                assignee=obj.assignee,
            )
            obj.pk = created.pk
            obj._state.adding = False
            return
        changes = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in services.EDITABLE_FIELDS
        }
        if changes:
            services.ticket_update(actor=request.user, ticket_id=obj.pk, changes=changes)
