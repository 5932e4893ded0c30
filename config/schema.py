"""drf-spectacular hooks and helpers shared by every app's views."""

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from config.errors import ErrorSerializer

ERROR_DESCRIPTIONS = {
    400: "Invalid input: `fields` names each rejected field and the reason.",
    401: "Missing, invalid or expired credentials.",
    403: "Authenticated, but not allowed to do this.",
    404: "Not found, or not visible to the caller.",
    409: "Conflicts with the ticket's current state.",
    412: "The If-Match precondition failed.",
    422: "The request was understood but cannot be processed.",
    429: "Too many requests; see the Retry-After header.",
    503: "A service this endpoint needs is unavailable.",
    504: "An upstream service timed out.",
}


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """Build the `responses` entries for the given error statuses, all in the one error shape."""
    return {
        status: OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[status])
        for status in statuses
    }


def drop_trailing_slash_duplicates(endpoints, **kwargs):
    """Keep one schema entry per route: each path is also routed with a trailing slash."""
    return [
        endpoint for endpoint in endpoints if endpoint[0] == "/" or not endpoint[0].endswith("/")
    ]


class StrictInputSerializerExtension(OpenApiSerializerExtension):
    """Mark the request body of every StrictInputSerializer `additionalProperties: false`.

    Those serializers reject an unknown key with 400, so the schema must not allow one.
    drf-spectacular finds this extension because every view module imports this module.
    """

    target_class = "config.serializers.StrictInputSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        if direction == "request":
            schema["additionalProperties"] = False
        return schema


def page_size_parameter(description: str) -> OpenApiParameter:
    """Build the `page_size` query parameter of a StrictCursorPagination list."""
    # StrictCursorPagination rejects a size below 1 and caps one above max_page_size.
    return OpenApiParameter("page_size", {"type": "integer", "minimum": 1}, description=description)
