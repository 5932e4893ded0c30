"""The If-Match request header and the ETag response header, with their schema entries."""

from django.utils.http import ETAG_MATCH
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions
from rest_framework.request import Request

IF_MATCH_PARAMETER = OpenApiParameter(
    "If-Match",
    str,
    location=OpenApiParameter.HEADER,
    description=(
        'The ETag from your last read of the resource, e.g. `"12-3"`, or `*`. The write '
        "runs only if the resource still has that ETag, and gets 412 otherwise. Weak tags "
        '(`W/"..."`) never match. Leave the header out to write unconditionally.'
    ),
)


def etag_header(*statuses: int) -> OpenApiParameter:
    """Document the ETag response header on the given response statuses."""
    return OpenApiParameter(
        "ETag",
        str,
        location=OpenApiParameter.HEADER,
        response=list(statuses),
        description="The current version of the resource; send it back in If-Match.",
    )


def read_if_match(request: Request) -> list[str] | None:
    """Parse the If-Match header into its entity tags; None when the header is absent.

    A malformed header is a 400 naming `If-Match`, because ignoring it would turn a
    conditional write into an unconditional one.
    """
    raw = request.headers.get("If-Match")
    if raw is None:
        return None
    if raw.strip() == "*":
        return ["*"]

    tags = [part.strip() for part in raw.split(",")]
    if not tags or not all(ETAG_MATCH.match(tag) for tag in tags):
        raise exceptions.ValidationError(
            {
                "If-Match": [
                    'Invalid If-Match header: send `*` or quoted ETags such as "12-3", '
                    "separated by commas."
                ]
            }
        )
    return tags
