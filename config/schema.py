"""drf-spectacular hooks and helpers shared by every app's views."""

from drf_spectacular.utils import OpenApiResponse

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
