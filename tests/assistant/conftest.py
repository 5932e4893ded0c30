from collections.abc import Iterator

import pytest

from .fake_gemini import FakeGemini

TEST_GEMINI_KEY = "test-gemini-key-5f2c9a"


@pytest.fixture
def fake_gemini() -> Iterator[FakeGemini]:
    server = FakeGemini().start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def gemini_settings(settings, fake_gemini: FakeGemini):
    """Point the real google-genai client at the fake server for every assistant test."""
    settings.GEMINI_API_KEY = TEST_GEMINI_KEY
    settings.GEMINI_BASE_URL = fake_gemini.base_url
    settings.GEMINI_MODEL = "gemini-3.8-flash"
    settings.GEMINI_TIMEOUT_SECONDS = 5.0
    # High enough that only the rate-limit test, which lowers it, is ever throttled.
    settings.ASSISTANT_ASK_RATE = "1000/minute"
    return settings
