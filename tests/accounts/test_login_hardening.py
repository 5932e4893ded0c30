"""Public login endpoints ignore stale credentials; inactive users lose every way in."""

from datetime import timedelta

import pytest
from django.conf import settings
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import User
from accounts.tokens import issue_token_pair
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stale_client(user):
    """A client carrying an expired bearer token, a garbage access cookie and the refresh
    cookie of a deactivated account."""
    expired = AccessToken.for_user(user)
    expired.set_exp(lifetime=-timedelta(minutes=1))
    old_pair = issue_token_pair(user)
    user.is_active = False
    user.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {expired}")
    client.cookies[settings.AUTH_COOKIE_ACCESS] = "garbage.garbage.garbage"
    client.cookies[settings.AUTH_COOKIE_REFRESH] = old_pair["refresh"]
    return client


def test_signup_ignores_stale_credentials(stale_client):
    response = stale_client.post(
        "/auth/signup",
        {"email": "fresh@example.com", "password": "plum-orchard-47-lantern", "name": "F"},
        format="json",
    )

    assert response.status_code == 201


def test_login_ignores_stale_credentials(stale_client):
    UserFactory(email="fresh@example.com")

    response = stale_client.post(
        "/auth/login", {"email": "fresh@example.com", "password": DEFAULT_PASSWORD}, format="json"
    )

    assert response.status_code == 200


def test_google_ignores_stale_credentials(stale_client, fake_google):
    response = stale_client.post(
        "/auth/google", {"id_token": fake_google.id_token()}, format="json"
    )

    assert response.status_code == 200


def test_deactivated_user_cookie_access_stops(user):
    pair = issue_token_pair(user)
    client = APIClient()
    client.cookies[settings.AUTH_COOKIE_ACCESS] = pair["access"]
    assert client.get("/auth/me").status_code == 200

    User.objects.filter(pk=user.pk).update(is_active=False)

    assert client.get("/auth/me").status_code == 401


def test_deactivated_user_refresh_cookie_rejected(user):
    pair = issue_token_pair(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    client = APIClient(enforce_csrf_checks=False)
    client.cookies[settings.AUTH_COOKIE_REFRESH] = pair["refresh"]

    response = client.post("/auth/refresh", {"refresh": pair["refresh"]}, format="json")

    assert response.status_code == 401
    assert "access" not in response.data


def test_failed_login_logged_without_password(api_client, user, caplog):
    api_client.post(
        "/auth/login",
        {"email": user.email, "password": "hunter2-secret"},
        format="json",
        REMOTE_ADDR="198.51.100.31",
    )

    messages = [r.getMessage() for r in caplog.records if r.name.startswith("accounts")]
    assert any("invalid_credentials" in m and "198.51.100.31" in m for m in messages)
    assert not any("hunter2-secret" in m for m in messages)


def test_stale_client_is_rejected_elsewhere(stale_client):
    # The same credentials on an authenticated endpoint fail, so the tests above prove
    # that the public endpoints ignore them rather than accept them.
    assert stale_client.get("/auth/me").status_code == 401
