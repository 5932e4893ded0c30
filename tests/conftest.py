import os
from contextlib import contextmanager

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.tokens import issue_token_pair
from tests.factories import AdminFactory, UserFactory


def pytest_runtest_setup(item):
    """Skip PostgreSQL-only tests on SQLite, unless REQUIRE_POSTGRES=1 makes that a failure."""
    if item.get_closest_marker("postgres") is None or connection.vendor == "postgresql":
        return
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        pytest.fail("REQUIRE_POSTGRES=1 but the tests run on " + connection.vendor)
    pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://...")


def _clear_own_cache() -> None:
    # django-redis' clear() flushes the whole Redis database, including the keys of another
    # run that shares it; delete_pattern removes only this run's prefixed keys.
    if hasattr(cache, "delete_pattern"):
        cache.delete_pattern("*")
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _clear_cache():
    # Throttle counters and anything else cached must not leak from one test to the next.
    _clear_own_cache()
    yield
    _clear_own_cache()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def other_user(db):
    return UserFactory()


@pytest.fixture
def admin_user(db):
    return AdminFactory()


@pytest.fixture
def auth_client():
    """Build an APIClient that sends `user`'s access token as a bearer header."""

    def build(user) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token_pair(user)['access']}")
        return client

    return build


@pytest.fixture
def assert_queries():
    """Assert the number of SQL queries a block runs, printing them all when it is wrong.

    Savepoint statements are left out: they come from the transaction of a write request
    (config.transactions.WriteTransactionMiddleware) or a service's `transaction.atomic`
    nested in the test's own transaction, not from the endpoint's data access.
    """

    @contextmanager
    def check(expected: int):
        with CaptureQueriesContext(connection) as context:
            yield context
        queries = [
            query["sql"]
            for query in context.captured_queries
            if not query["sql"]
            .upper()
            .startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO"))
        ]
        listing = "\n".join(f"{number}. {sql}" for number, sql in enumerate(queries, 1))
        assert len(queries) == expected, (
            f"expected {expected} queries, ran {len(queries)}:\n{listing}"
        )

    return check
