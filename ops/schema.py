"""drf-spectacular hook for the default throttles that the production settings turn on."""

from rest_framework.settings import api_settings

from config.schema import ERROR_DESCRIPTIONS

# Views that set `throttle_classes = []`: the platform's health checks must never get a 429.
UNTHROTTLED_OPERATIONS = {"healthz", "readyz"}
HTTP_METHODS = {"get", "put", "patch", "post", "delete", "head", "options", "trace"}


def add_throttled_responses(result, generator, request, public):
    """Document 429 on every throttled operation when default throttle classes are set.

    Without default throttles (development and tests) the schema is returned unchanged.
    """
    if not api_settings.DEFAULT_THROTTLE_CLASSES:
        return result
    too_many = {
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        "description": ERROR_DESCRIPTIONS[429],
    }
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in HTTP_METHODS:
                continue
            if operation.get("operationId") in UNTHROTTLED_OPERATIONS:
                continue
            operation.setdefault("responses", {}).setdefault("429", too_many)
    return result
