"""The assistant over real HTTP: a live Django server on 127.0.0.1, the google-genai client
in it, and the fake Gemini server, driven by `requests` as a client application would."""

import time

import pytest
import requests

from tests.factories import DEFAULT_PASSWORD, TicketFactory

from .fake_gemini import FakeGemini, FakeReply

pytestmark = pytest.mark.django_db(transaction=True)


def login(base_url: str, email: str) -> requests.Session:
    session = requests.Session()
    response = session.post(
        f"{base_url}/auth/login", json={"email": email, "password": DEFAULT_PASSWORD}, timeout=10
    )
    assert response.status_code == 200, response.text
    session.headers["Authorization"] = f"Bearer {response.json()['access']}"
    return session


def test_ask_draft_and_submit_over_http(live_server, user, fake_gemini: FakeGemini):
    TicketFactory(creator=user, title="Printer jams marker-own")
    session = login(live_server.url, user.email)
    draft = {"title": "Monitor flickers", "description": "Since Monday.", "priority": "low"}
    fake_gemini.replies.append(
        fake_gemini.json_reply({"answer": "Submit this draft.", "draft_ticket": draft})
    )

    asked = session.post(
        f"{live_server.url}/chat/ask",
        json={"question": "Please file a ticket: my monitor flickers"},
        timeout=10,
    )

    assert asked.status_code == 200, asked.text
    body = asked.json()
    assert body["draft_ticket"] == draft
    assert "marker-own" in fake_gemini.requests[0].prompt_text

    created = session.post(f"{live_server.url}/tickets", json=body["draft_ticket"], timeout=10)
    assert created.status_code == 201, created.text

    listed = session.get(f"{live_server.url}/chat/conversations", timeout=10)
    assert [item["id"] for item in listed.json()["results"]] == [body["conversation_id"]]


def test_timeout_over_http_is_504(settings, live_server, user, fake_gemini: FakeGemini):
    settings.GEMINI_TIMEOUT_SECONDS = 1.0
    fake_gemini.replies.append(FakeReply(body=fake_gemini.text_reply("late").body, delay_seconds=3))
    session = login(live_server.url, user.email)

    started = time.monotonic()
    response = session.post(
        f"{live_server.url}/chat/ask", json={"question": "How do I log in?"}, timeout=10
    )
    elapsed = time.monotonic() - started

    assert response.status_code == 504
    assert response.json()["code"] == "assistant_timeout"
    assert elapsed < 2.5


def test_gemini_429_over_http_keeps_retry_after(live_server, user, fake_gemini: FakeGemini):
    fake_gemini.replies.append(fake_gemini.error_reply(429, retry_delay="21s"))
    session = login(live_server.url, user.email)

    response = session.post(
        f"{live_server.url}/chat/ask", json={"question": "How do I log in?"}, timeout=10
    )

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "21"
    assert response.json()["code"] == "assistant_busy"


def test_rate_limit_over_http(settings, live_server, user, fake_gemini: FakeGemini):
    settings.ASSISTANT_ASK_RATE = "1/minute"
    session = login(live_server.url, user.email)
    url = f"{live_server.url}/chat/ask"

    first = session.post(url, json={"question": "How do I log in?"}, timeout=10)
    second = session.post(url, json={"question": "How do I log in?"}, timeout=10)

    assert first.status_code == 200
    assert second.status_code == 429
    assert second.json()["code"] == "throttled"
    assert int(second.headers["Retry-After"]) >= 1
    assert len(fake_gemini.requests) == 1
