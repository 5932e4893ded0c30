import pytest
from django.conf import settings

from tests.accounts.fake_google import FakeGoogle


@pytest.fixture(scope="session")
def _fake_google_server():
    server = FakeGoogle(
        base_url=settings.FAKE_GOOGLE_URL,
        client_id=settings.GOOGLE_CLIENT_ID,
        client_secret=settings.GOOGLE_CLIENT_SECRET,
    )
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fake_google(_fake_google_server) -> FakeGoogle:
    """The fake Google on 127.0.0.1, with no identity, codes or request log from other tests."""
    _fake_google_server.reset()
    return _fake_google_server
