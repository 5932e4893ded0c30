"""The Gemini wrapper, driving the real google-genai client against the fake server."""

import logging
import time

import pytest

from assistant.gemini import (
    AssistantNotConfigured,
    AssistantTimeout,
    AssistantUnavailable,
    GeminiConfig,
    gemini_generate,
)

from .conftest import TEST_GEMINI_KEY
from .fake_gemini import FakeGemini, FakeReply

CONTENTS = [{"role": "user", "parts": [{"text": "How do I log in?"}]}]


def generate(**overrides):
    config = GeminiConfig.from_settings()
    if overrides:
        config = GeminiConfig(**{**config.__dict__, **overrides})
    return gemini_generate(config=config, system_instruction="Rules.", contents=CONTENTS)


def test_answer_returns_text_and_usage(fake_gemini: FakeGemini):
    fake_gemini.replies.append(fake_gemini.text_reply("Use POST /auth/login.", prompt_tokens=42))

    reply = generate()

    assert reply.text == "Use POST /auth/login."
    assert reply.answered
    assert reply.finish_reason == "STOP"
    assert reply.usage.prompt_tokens == 42
    assert reply.usage.output_tokens == 30
    assert reply.usage.total_tokens == 72
    assert reply.model == "gemini-3.8-flash"


def test_request_reaches_fake_with_key_and_model(fake_gemini: FakeGemini):
    generate()

    assert len(fake_gemini.requests) == 1
    request = fake_gemini.requests[0]
    assert request.path == "/v1/models/gemini-3.8-flash:generateContent"
    assert request.headers["x-goog-api-key"] == TEST_GEMINI_KEY
    assert request.system_text == "Rules."
    assert request.roles == ["user"]


def test_missing_key_raises_without_request(settings, fake_gemini: FakeGemini):
    settings.GEMINI_API_KEY = "  "

    with pytest.raises(AssistantNotConfigured) as caught:
        generate()

    assert caught.value.status_code == 503
    assert caught.value.get_codes() == "assistant_not_configured"
    assert fake_gemini.requests == []


def test_slow_answer_times_out(settings, fake_gemini: FakeGemini):
    settings.GEMINI_TIMEOUT_SECONDS = 1.0
    fake_gemini.replies.append(FakeReply(body=fake_gemini.text_reply("late").body, delay_seconds=3))

    started = time.monotonic()
    with pytest.raises(AssistantTimeout) as caught:
        generate()
    elapsed = time.monotonic() - started

    assert caught.value.status_code == 504
    assert caught.value.get_codes() == "assistant_timeout"
    assert 0.9 <= elapsed < 2.5


@pytest.mark.parametrize(
    ("reply", "code", "wait"),
    [
        (FakeGemini.error_reply(429), "assistant_busy", None),
        (FakeGemini.error_reply(429, retry_after="7"), "assistant_busy", 7),
        (FakeGemini.error_reply(429, retry_delay="12.5s"), "assistant_busy", 13),
        (FakeGemini.error_reply(500), "assistant_unavailable", None),
        (FakeGemini.error_reply(503, retry_after="30"), "assistant_unavailable", 30),
        (FakeGemini.error_reply(503, retry_after="86400000"), "assistant_unavailable", 3600),
        (FakeGemini.error_reply(400), "assistant_misconfigured", None),
        (FakeGemini.error_reply(403, retry_after="5"), "assistant_misconfigured", None),
    ],
    ids=[
        "429",
        "429-retry-after-header",
        "429-retry-info",
        "500",
        "503-retry-after",
        "retry-after-capped",
        "400",
        "403",
    ],
)
def test_error_status_maps_to_503(fake_gemini: FakeGemini, reply, code, wait):
    fake_gemini.replies.append(reply)

    with pytest.raises(AssistantUnavailable) as caught:
        generate()

    assert caught.value.status_code == 503
    assert caught.value.get_codes() == code
    assert caught.value.wait == wait
    assert "internal detail" not in str(caught.value.detail)


def test_unreachable_server_maps_to_503(fake_gemini: FakeGemini):
    fake_gemini.stop()

    with pytest.raises(AssistantUnavailable) as caught:
        generate()

    assert caught.value.get_codes() == "assistant_unavailable"
    assert caught.value.outcome == "connection_error"


def test_no_candidates_is_blocked_reply(fake_gemini: FakeGemini):
    fake_gemini.replies.append(fake_gemini.no_candidates_reply("SAFETY"))

    reply = generate()

    assert not reply.answered
    assert reply.blocked_reason == "SAFETY"
    assert reply.text == ""


def test_no_candidates_without_feedback(fake_gemini: FakeGemini):
    fake_gemini.replies.append(fake_gemini.no_candidates_reply(None))

    reply = generate()

    assert reply.blocked_reason == "NO_CANDIDATES"


def test_safety_finish_hides_partial_text(fake_gemini: FakeGemini):
    fake_gemini.replies.append(fake_gemini.safety_finish_reply())

    reply = generate()

    assert reply.blocked_reason == "SAFETY"
    assert reply.text == ""
    assert reply.usage.prompt_tokens == 90


def test_empty_text_is_blocked_reply(fake_gemini: FakeGemini):
    fake_gemini.replies.append(fake_gemini.text_reply("   "))

    reply = generate()

    assert reply.blocked_reason == "EMPTY"


def test_errors_never_log_key(caplog, fake_gemini: FakeGemini):
    fake_gemini.replies.extend([fake_gemini.error_reply(500), fake_gemini.error_reply(429)])
    caplog.set_level(logging.DEBUG)

    for _ in range(2):
        with pytest.raises(AssistantUnavailable):
            generate()

    assert caplog.records
    assert TEST_GEMINI_KEY not in caplog.text
