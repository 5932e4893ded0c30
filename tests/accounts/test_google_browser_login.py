"""The browser flow: /auth/google/login, the fake Google's consent and token endpoints over
real HTTP on 127.0.0.1, and allauth's callback, which ends in our JWT cookies."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FRONT_END = "http://localhost:3000/signed-in"


def start(client: Client, **params):
    return client.get("/auth/google/login", params)


def consent_at_google(authorize_url: str) -> str:
    """Open the fake's consent page as the browser would; return the callback URL."""
    response = requests.get(authorize_url, allow_redirects=False, timeout=5)
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def callback_path(callback_url: str) -> str:
    parts = urlsplit(callback_url)
    assert parts.netloc == "testserver"
    return f"{parts.path}?{parts.query}"


def run_flow(client: Client, **params):
    started = start(client, **params)
    assert started.status_code == 302
    return client.get(callback_path(consent_at_google(started["Location"])))


def test_start_redirects_to_google(fake_google):
    response = start(Client())

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    query = parse_qs(location.query)
    assert f"{location.scheme}://{location.netloc}" == settings.FAKE_GOOGLE_URL
    assert location.path == "/o/oauth2/v2/auth"
    assert query["client_id"] == [settings.GOOGLE_CLIENT_ID]
    assert query["redirect_uri"] == ["http://testserver/auth/google/callback"]
    assert query["code_challenge_method"] == ["S256"]
    assert set(query["scope"][0].split()) == {"openid", "email", "profile"}
    assert query["state"][0]


def test_full_flow_sets_cookies_and_redirects(fake_google):
    fake_google.set_next_identity()
    client = Client()

    response = run_flow(client)

    assert response.status_code == 302
    assert response["Location"] == FRONT_END
    access = response.cookies[settings.AUTH_COOKIE_ACCESS]
    refresh = response.cookies[settings.AUTH_COOKIE_REFRESH]
    assert access["httponly"] and refresh["httponly"]
    assert access["secure"] and refresh["secure"]
    assert access["samesite"] == "Lax"
    assert access.value not in response["Location"]
    assert response.cookies[settings.CSRF_COOKIE_NAME].value
    user = User.objects.get()
    assert user.email == "ann@gmail.com"
    assert not user.has_usable_password()
    assert SocialAccount.objects.get().user == user
    # The token exchange really happened, with the PKCE verifier the fake checked.
    assert fake_google.requests_to("/token") == 1

    api = APIClient()
    api.cookies[settings.AUTH_COOKIE_ACCESS] = access.value
    assert api.get("/auth/me").data["email"] == "ann@gmail.com"


def test_flow_opens_no_django_session_login(fake_google):
    fake_google.set_next_identity()
    client = Client()

    run_flow(client)

    # allauth's session login is bypassed; only the JWT cookies authenticate.
    assert "_auth_user_id" not in client.session


def test_allowed_next_is_honoured(fake_google):
    fake_google.set_next_identity()

    response = run_flow(Client(), next="http://127.0.0.1:5173/tickets?view=mine")

    assert response.status_code == 302
    assert response["Location"] == "http://127.0.0.1:5173/tickets?view=mine"


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/steal",
        "//evil.example/steal",
        "/relative/path",
        "javascript:alert(1)",
        "http://localhost:3000\\@evil.example/",
        "http://localhost:3001/",
        "https://localhost:3000/",
    ],
)
def test_disallowed_next_is_400(fake_google, next_url):
    response = start(Client(), next=next_url)

    assert response.status_code == 400
    assert "next" in response.json()["fields"]
    assert fake_google.requests_to("/o/oauth2/v2/auth") == 0


def test_wrong_state_redirects_with_error(fake_google):
    fake_google.set_next_identity()
    client = Client()
    started = start(client)
    callback = consent_at_google(started["Location"])
    code = parse_qs(urlsplit(callback).query)["code"][0]

    response = client.get("/auth/google/callback", {"code": code, "state": "forged-state"})

    assert response.status_code == 302
    assert response["Location"] == f"{FRONT_END}?error=google_login_failed"
    assert settings.AUTH_COOKIE_ACCESS not in response.cookies
    assert not User.objects.exists()
    assert fake_google.requests_to("/token") == 0


def test_callback_replay_is_rejected(fake_google):
    fake_google.set_next_identity()
    client = Client()
    started = start(client)
    path = callback_path(consent_at_google(started["Location"]))
    assert client.get(path).status_code == 302

    replay = client.get(path)

    assert replay["Location"] == f"{FRONT_END}?error=google_login_failed"
    assert settings.AUTH_COOKIE_ACCESS not in replay.cookies


def test_failed_code_exchange_redirects_with_error(fake_google, settings):
    fake_google.set_next_identity()
    client = Client()
    started = start(client)
    callback = consent_at_google(started["Location"])
    google = settings.SOCIALACCOUNT_PROVIDERS["google"]
    settings.SOCIALACCOUNT_PROVIDERS = {
        "google": {**google, "APP": {**google["APP"], "secret": "wrong-secret"}}
    }

    response = client.get(callback_path(callback))

    assert response["Location"] == f"{FRONT_END}?error=google_login_failed"
    assert fake_google.requests_to("/token") == 1
    assert settings.AUTH_COOKIE_ACCESS not in response.cookies
    assert not User.objects.exists()


def test_cancelled_consent_redirects_with_error(fake_google):
    client = Client()
    started = start(client)
    state = parse_qs(urlsplit(started["Location"]).query)["state"][0]

    response = client.get("/auth/google/callback", {"error": "access_denied", "state": state})

    assert response["Location"] == f"{FRONT_END}?error=google_login_cancelled"
    assert settings.AUTH_COOKIE_ACCESS not in response.cookies


def test_error_keeps_allowed_next(fake_google):
    fake_google.set_next_identity(email_verified=False)

    response = run_flow(Client(), next="http://127.0.0.1:5173/start?x=1")

    assert response["Location"] == "http://127.0.0.1:5173/start?x=1&error=google_email_not_verified"


def test_unverified_email_creates_nobody(fake_google):
    fake_google.set_next_identity(email_verified=False)

    response = run_flow(Client())

    assert response["Location"] == f"{FRONT_END}?error=google_email_not_verified"
    assert settings.AUTH_COOKIE_ACCESS not in response.cookies
    assert not User.objects.exists()


def test_wrong_audience_in_exchange_rejected(fake_google):
    fake_google.set_next_identity(aud="another-app.apps.googleusercontent.com")

    response = run_flow(Client())

    assert response["Location"] == f"{FRONT_END}?error=google_login_failed"
    assert not User.objects.exists()


def test_inactive_user_gets_no_cookies(fake_google):
    UserFactory(email="ann@gmail.com", is_active=False)
    fake_google.set_next_identity()

    response = run_flow(Client())

    assert response["Location"] == f"{FRONT_END}?error=account_inactive"
    assert settings.AUTH_COOKIE_ACCESS not in response.cookies


def test_conflicting_account_not_linked(fake_google):
    UserFactory(email="bo@corp.example.com")
    fake_google.set_next_identity(sub="2002", email="bo@corp.example.com")

    response = run_flow(Client())

    assert response["Location"] == f"{FRONT_END}?error=google_account_conflict"
    assert not SocialAccount.objects.exists()


@pytest.mark.parametrize("path", ["/auth/google/login", "/auth/google/callback?code=x&state=y"])
def test_unconfigured_browser_flow_is_503(fake_google, settings, path):
    settings.SOCIALACCOUNT_PROVIDERS = {"google": {"SCOPE": ["openid", "email", "profile"]}}

    response = Client().get(path)

    assert response.status_code == 503
    assert response.json()["code"] == "google_not_configured"


def test_missing_front_end_url_is_503(fake_google, settings):
    settings.GOOGLE_LOGIN_REDIRECT_URL = ""

    response = start(Client())

    assert response.status_code == 503
    assert "GOOGLE_LOGIN_REDIRECT_URL" in response.json()["detail"]


def test_stale_cookies_do_not_block_start(fake_google):
    client = Client()
    client.cookies[settings.AUTH_COOKIE_ACCESS] = "garbage"

    response = client.get("/auth/google/login", HTTP_AUTHORIZATION="Bearer garbage")

    assert response.status_code == 302
