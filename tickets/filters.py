from django import forms
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions
from rest_framework.filters import OrderingFilter, SearchFilter

from tickets.models import Ticket, TicketPriority, TicketStatus

MAX_ID = 2**63 - 1
SEARCH_MAX_LENGTH = 200


# drf-spectacular documents a NumberFilter as a `number`, but this one accepts only whole numbers.
@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class StrictBooleanField(forms.Field):
    """A query-string boolean that rejects anything but true/false (or 1/0)."""

    def to_python(self, value):
        if value in (None, ""):
            return None
        if value in ("true", "True", "1"):
            return True
        if value in ("false", "False", "0"):
            return False
        raise forms.ValidationError("Use true or false.", code="invalid")


class StrictBooleanFilter(filters.BooleanFilter):
    # django-filter's BooleanWidget turns an unknown value into "no filter" and the request
    # gets 200; the plain text widget passes the raw value to the field, which rejects it.
    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(*args, **kwargs)


class CachedFormFilterSet(filters.FilterSet):
    """A FilterSet that builds its Django form class once per FilterSet class.

    django-filter builds a new form class, with new form fields, for every request. The
    class depends only on the declared filters, and each form instance deep-copies its
    fields, so one class can serve every request.
    """

    def get_form_class(self):
        # Looked up in this class's own __dict__, so a subclass builds its own form.
        form_class = type(self).__dict__.get("_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            type(self)._form_class = form_class
        return form_class


class QueryParamFilterBackend(filters.DjangoFilterBackend):
    """DjangoFilterBackend that leaves the queryset as it is when no filter is in the query.

    Without any of its parameters in the query, a FilterSet filters nothing and its form
    has no value to reject, so neither is built.
    """

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            params = request.query_params
            if not any(name in params for name in filterset_class.base_filters):
                return queryset
        return super().filter_queryset(request, queryset, view)


class TicketFilter(CachedFormFilterSet):
    status = filters.ChoiceFilter(choices=TicketStatus.choices)
    priority = filters.ChoiceFilter(choices=TicketPriority.choices)
    assignee = IdFilter(field_name="assignee_id", help_text="Assignee's user id.")
    creator = IdFilter(field_name="creator_id", help_text="Creator's user id.")
    unassigned = StrictBooleanFilter(
        field_name="assignee", lookup_expr="isnull", help_text="Only tickets with no assignee."
    )

    class Meta:
        model = Ticket
        fields = ["status", "priority", "assignee", "creator", "unassigned"]


class StrictOrderingFilter(OrderingFilter):
    """Ordering by whitelisted fields only; anything else is a 400 naming `ordering`.

    The primary key is appended as a tie-breaker so that cursor pages never skip or repeat
    tickets created in the same instant.
    """

    def get_ordering(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param)
        if not params:
            return self.get_default_ordering(view)

        terms = [term.strip() for term in params.split(",") if term.strip()]
        allowed = set(view.ordering_fields)
        invalid = [term for term in terms if term.lstrip("-") not in allowed]
        if invalid or len(terms) != 1:
            raise exceptions.ValidationError(
                {
                    self.ordering_param: [
                        "Order by one of: " + ", ".join(sorted(f"{f}, -{f}" for f in allowed)) + "."
                    ]
                }
            )
        term = terms[0]
        return [term, "-id" if term.startswith("-") else "id"]


class StrictSearchFilter(SearchFilter):
    def get_search_terms(self, request):
        raw = request.query_params.get(self.search_param, "")
        if "\x00" in raw:
            raise exceptions.ValidationError(
                {self.search_param: ["Null characters are not allowed."]}
            )
        if len(raw) > SEARCH_MAX_LENGTH:
            raise exceptions.ValidationError(
                {
                    self.search_param: [
                        f"Ensure this value has at most {SEARCH_MAX_LENGTH} characters."
                    ]
                }
            )
        return super().get_search_terms(request)
