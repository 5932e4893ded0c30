"""Rate limits of the login endpoints, counted in the configured cache (Redis when
REDIS_URL is set, as in CI; local memory otherwise). tests/conftest.py clears it per test."""

import os
from urllib.parse import urlsplit

import pytest
import requests
from django.conf import settings as django_settings
from django.core.cache import caches
from django.test import Client
from rest_framework.test import APIClient

from accounts.tokens import issue_token_pair
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

GENEROUS = "1000/minute"
WRONG_PASSWORD = "wrong-password-123"


@pytest.fixture
def rates(settings):
    """Set every budget generous; a test then lowers the ones it exercises."""
    settings.AUTH_THROTTLE_RATES = dict.fromkeys(django_settings.AUTH_THROTTLE_RATES, GENEROUS)
    return settings.AUTH_THROTTLE_RATES


def login(client, email, password=WRONG_PASSWORD, **headers):
    return client.post(
        "/auth/login", {"email": email, "password": password}, format="json", **headers
    )


def assert_throttled(response):
    assert response.status_code == 429
    assert response.data["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_redis_cache_when_redis_url_set():
    if not os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL is not set; the counters use the local-memory cache")
    assert django_settings.CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache"


def test_login_per_ip_budget(api_client, rates):
    rates["login_ip"] = "3/minute"

    statuses = [login(api_client, f"guess{n}@example.com").status_code for n in range(3)]
    blocked = login(api_client, "another@example.com")

    assert statuses == [401, 401, 401]
    assert_throttled(blocked)


def test_other_ip_has_own_budget(api_client, rates):
    rates["login_ip"] = "2/minute"
    for n in range(2):
        login(api_client, f"guess{n}@example.com", REMOTE_ADDR="198.51.100.1")

    assert_throttled(login(api_client, "x@example.com", REMOTE_ADDR="198.51.100.1"))
    assert login(api_client, "x@example.com", REMOTE_ADDR="198.51.100.2").status_code == 401


def test_login_per_account_budget_across_ips(api_client, rates):
    rates["login_account"] = "2/hour"
    UserFactory(email="target@example.com")

    login(api_client, "target@example.com", REMOTE_ADDR="198.51.100.1")
    login(api_client, "TARGET@example.com", REMOTE_ADDR="198.51.100.2")
    blocked = login(
        api_client, " target@Example.com", password=DEFAULT_PASSWORD, REMOTE_ADDR="198.51.100.3"
    )

    # Even the right password waits: the budget of the account is spent.
    assert_throttled(blocked)
    assert login(api_client, "other@example.com", REMOTE_ADDR="198.51.100.3").status_code == 401


def test_spoofed_forwarded_for_keeps_count(api_client, rates, settings):
    rates["login_ip"] = "2/minute"
    settings.TRUSTED_PROXY_COUNT = 1

    # The client controls everything left of the entry our proxy appended.
    for spoof in ("1.1.1.1", "2.2.2.2"):
        login(api_client, "a@example.com", HTTP_X_FORWARDED_FOR=f"{spoof}, 203.0.113.5")
    blocked = login(api_client, "b@example.com", HTTP_X_FORWARDED_FOR="3.3.3.3, 203.0.113.5")

    assert_throttled(blocked)


def test_forwarded_for_ignored_without_proxies(api_client, rates, settings):
    rates["login_ip"] = "2/minute"
    settings.TRUSTED_PROXY_COUNT = 0

    for spoof in ("1.1.1.1", "2.2.2.2"):
        login(api_client, "a@example.com", HTTP_X_FORWARDED_FOR=spoof)

    assert_throttled(login(api_client, "a@example.com", HTTP_X_FORWARDED_FOR="3.3.3.3"))


def test_throttled_request_is_logged(api_client, rates, caplog):
    rates["login_ip"] = "1/minute"
    login(api_client, "a@example.com", password="hunter2-secret", REMOTE_ADDR="198.51.100.77")

    login(api_client, "a@example.com", password="hunter2-secret", REMOTE_ADDR="198.51.100.77")

    messages = [r.getMessage() for r in caplog.records if r.name.startswith("accounts")]
    assert any("Throttled" in m and "198.51.100.77" in m for m in messages)
    assert any("Failed login" in m and "198.51.100.77" in m for m in messages)
    assert not any("hunter2-secret" in m for m in messages)


def test_signup_per_ip_budget(api_client, rates):
    rates["signup_ip"] = "2/hour"
    body = {"password": "plum-orchard-47-lantern", "name": "N"}

    for n in range(2):
        response = api_client.post(
            "/auth/signup", {**body, "email": f"new{n}@example.com"}, format="json"
        )
        assert response.status_code == 201
    blocked = api_client.post("/auth/signup", {**body, "email": "new9@example.com"}, format="json")

    assert_throttled(blocked)


def test_signup_per_account_budget(api_client, rates):
    rates["signup_account"] = "1/hour"
    body = {"email": "dup@example.com", "password": "plum-orchard-47-lantern", "name": "N"}
    api_client.post("/auth/signup", body, format="json", REMOTE_ADDR="198.51.100.1")

    blocked = api_client.post("/auth/signup", body, format="json", REMOTE_ADDR="198.51.100.2")

    assert_throttled(blocked)


def test_refresh_per_account_budget(api_client, rates, user):
    rates["refresh_account"] = "2/minute"
    refresh = issue_token_pair(user)["refresh"]

    for _ in range(2):
        response = api_client.post("/auth/refresh", {"refresh": refresh}, format="json")
        assert response.status_code == 200
        refresh = response.data["refresh"]
    blocked = api_client.post("/auth/refresh", {"refresh": refresh}, format="json")

    assert_throttled(blocked)


def test_forged_refresh_spends_no_account_budget(api_client, rates, user):
    rates["refresh_account"] = "1/minute"
    pair = issue_token_pair(user)
    header, payload, _ = pair["refresh"].split(".")
    forged = f"{header}.{payload}.AAAA"

    for _ in range(3):
        response = api_client.post("/auth/refresh", {"refresh": forged}, format="json")
        assert response.status_code == 401

    response = api_client.post("/auth/refresh", {"refresh": pair["refresh"]}, format="json")
    assert response.status_code == 200


def test_refresh_per_ip_budget(api_client, rates):
    rates["refresh_ip"] = "2/minute"
    for _ in range(2):
        api_client.post("/auth/refresh", {"refresh": "garbage"}, format="json")

    assert_throttled(api_client.post("/auth/refresh", {"refresh": "garbage"}, format="json"))


def test_google_token_per_ip_budget(api_client, rates, fake_google):
    rates["google_ip"] = "2/minute"
    for _ in range(2):
        api_client.post("/auth/google", {"id_token": "garbage"}, format="json")

    blocked = api_client.post("/auth/google", {"id_token": fake_google.id_token()}, format="json")

    assert_throttled(blocked)


def test_google_token_per_account_budget(api_client, rates, fake_google):
    rates["google_account"] = "2/hour"
    for n in range(2):
        response = api_client.post(
            "/auth/google",
            {"id_token": fake_google.id_token()},
            format="json",
            REMOTE_ADDR=f"198.51.100.{n + 1}",
        )
        assert response.status_code == 200

    blocked = api_client.post(
        "/auth/google",
        {"id_token": fake_google.id_token()},
        format="json",
        REMOTE_ADDR="198.51.100.9",
    )
    other = api_client.post(
        "/auth/google",
        {"id_token": fake_google.id_token(sub="999", email="zed@gmail.com")},
        format="json",
        REMOTE_ADDR="198.51.100.9",
    )

    assert_throttled(blocked)
    assert other.status_code == 200


def test_google_browser_start_per_ip_budget(rates, fake_google):
    rates["google_ip"] = "1/minute"
    client = APIClient()
    assert client.get("/auth/google/login").status_code == 302

    assert_throttled(client.get("/auth/google/login"))


def test_counter_lives_in_shared_cache(api_client, rates):
    rates["login_ip"] = "5/minute"
    login(api_client, "a@example.com", REMOTE_ADDR="198.51.100.50")

    # Another worker opens its own connection to the same cache and reads the same counter.
    other_worker_cache = caches.create_connection("default")
    history = other_worker_cache.get("throttle_login_ip_198.51.100.50")

    assert isinstance(history, list)
    assert len(history) == 1


def test_google_browser_callback_per_account_budget(rates, fake_google):
    rates["google_account"] = "1/hour"
    fake_google.set_next_identity()

    def run_flow():
        client = Client()
        started = client.get("/auth/google/login")
        callback = requests.get(started["Location"], allow_redirects=False, timeout=5)
        parts = urlsplit(callback.headers["Location"])
        return client.get(f"{parts.path}?{parts.query}")

    assert run_flow().status_code == 302
    blocked = run_flow()

    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) > 0
    assert django_settings.AUTH_COOKIE_ACCESS not in blocked.cookies
