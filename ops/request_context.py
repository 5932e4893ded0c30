"""The id of the request being handled, readable by any log record emitted while it runs."""

import contextvars

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)
