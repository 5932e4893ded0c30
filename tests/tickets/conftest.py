import pytest

from tests.factories import AdminFactory, UserFactory


@pytest.fixture
def people(db):
    """The people of the authorization matrix around one ticket; anonymous is a plain client."""
    return {
        "creator": UserFactory(),
        "assignee": UserFactory(),
        "other": UserFactory(),
        "admin": AdminFactory(),
    }
