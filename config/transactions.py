"""One database transaction per write request; reads run in autocommit.

Django's ATOMIC_REQUESTS wraps every view in a transaction, reads included, which costs a
BEGIN and a COMMIT round trip per GET. `WriteTransactionMiddleware` opens the transaction
only for unsafe methods (POST, PUT, PATCH, DELETE). A write that fails half-way leaves
nothing behind, as before: the transaction rolls back when the view raises, when the
response is a 5xx, and when the API exception handler renders an error
(`mark_rollback_on_error`).

Views marked with `transaction.non_atomic_requests` (the assistant, the health checks)
still run without the request transaction. A safe-method view that writes opens its own
transaction, as `GoogleCallbackView` does.
"""

from contextlib import ExitStack

from django.db import DEFAULT_DB_ALIAS, transaction
from django.http import HttpRequest, HttpResponse

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Set on the Django request while its write transaction is open.
_IN_WRITE_TRANSACTION = "_in_write_transaction"


class WriteTransactionMiddleware:
    """Run each unsafe-method view in `transaction.atomic()`, like ATOMIC_REQUESTS.

    Must be last in MIDDLEWARE, so that the transaction covers the view and nothing that
    other middleware does around it, as with ATOMIC_REQUESTS.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in SAFE_METHODS:
            return self.get_response(request)

        with ExitStack() as stack:
            request._write_transaction_stack = stack
            response = self.get_response(request)
            if getattr(request, _IN_WRITE_TRANSACTION, False) and response.status_code >= 500:
                # The view raised and Django turned the exception into this response
                # before it reached here, so the block would otherwise commit.
                transaction.set_rollback(True)
            setattr(request, _IN_WRITE_TRANSACTION, False)
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> None:
        stack = getattr(request, "_write_transaction_stack", None)
        if stack is None:
            return None
        if DEFAULT_DB_ALIAS in getattr(view_func, "_non_atomic_requests", set()):
            return None
        stack.enter_context(transaction.atomic())
        setattr(request, _IN_WRITE_TRANSACTION, True)
        return None


def mark_rollback_on_error(request: HttpRequest | None) -> None:
    """Roll back the request's write transaction when its view returns an error response.

    Replaces DRF's `set_rollback()`, which only acts when ATOMIC_REQUESTS is on. Nothing
    happens for reads and for non-atomic views, which have no request transaction.
    """
    # A DRF Request wraps the Django request that the middleware marked.
    request = getattr(request, "_request", request)
    if request is not None and getattr(request, _IN_WRITE_TRANSACTION, False):
        transaction.set_rollback(True)
