"""Cursor pagination that rejects a bad cursor or page size with a 400 naming the parameter."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.pagination import CursorPagination


class StrictCursorPagination(CursorPagination):
    """Cursor pagination, newest first by default.

    DRF returns 404 for a bad cursor and ignores a bad page size; a client deserves a 400
    that names the parameter. A page size above the maximum is capped, not rejected.
    """

    page_size = 25
    max_page_size = 100
    page_size_query_param = "page_size"
    ordering = ("-created_at", "-id")

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            raise exceptions.ValidationError(
                {self.page_size_query_param: ["A whole number is required."]}
            ) from None
        if size < 1:
            raise exceptions.ValidationError({self.page_size_query_param: ["Must be at least 1."]})
        return min(size, self.max_page_size)

    def decode_cursor(self, request):
        raw = request.query_params.get(self.cursor_query_param)
        if raw is not None and ("\x00" in raw or len(raw) > 1000):
            raise exceptions.ValidationError({self.cursor_query_param: ["Invalid cursor."]})
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound:
            raise exceptions.ValidationError(
                {self.cursor_query_param: ["Invalid cursor."]}
            ) from None

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except (DjangoValidationError, ValueError, OverflowError):
            # A well-formed cursor can carry a position that is not a value of the ordering
            # field ("p=notadate"); Django rejects it only when the page query is built.
            if request.query_params.get(self.cursor_query_param) is None:
                raise
            raise exceptions.ValidationError(
                {self.cursor_query_param: ["Invalid cursor."]}
            ) from None
