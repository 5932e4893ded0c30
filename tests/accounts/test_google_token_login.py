"""POST /auth/google: ID tokens signed by the fake Google's key, verified by allauth."""

import time

import pytest
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from rest_framework.test import APIClient

from accounts.models import Role, User
from tests.factories import DEFAULT_PASSWORD, AdminFactory, UserFactory

pytestmark = pytest.mark.django_db

ANN_SUB = "110000000000000000001"


def google_login(client, token, **extra):
    return client.post("/auth/google", {"id_token": token, **extra}, format="json")


def password_login(client, email, password=DEFAULT_PASSWORD):
    return client.post("/auth/login", {"email": email, "password": password}, format="json")


def me(access: str):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client.get("/auth/me")


# First login and repeat logins


def test_first_login_creates_user(api_client, fake_google):
    response = google_login(api_client, fake_google.id_token())

    assert response.status_code == 200
    user = User.objects.get()
    assert user.email == "ann@gmail.com"
    assert user.name == "Ann Example"
    assert user.role == Role.USER
    assert not user.has_usable_password()
    assert SocialAccount.objects.get(provider="google").user == user
    assert response.data["user"]["id"] == user.pk
    assert me(response.data["access"]).data["email"] == "ann@gmail.com"


def test_refresh_token_from_google_login_rotates(api_client, fake_google):
    refresh = google_login(api_client, fake_google.id_token()).data["refresh"]

    response = api_client.post("/auth/refresh", {"refresh": refresh}, format="json")

    assert response.status_code == 200
    assert response.data["user"]["email"] == "ann@gmail.com"


def test_repeat_login_reuses_user(api_client, fake_google):
    first = google_login(api_client, fake_google.id_token())
    second = google_login(api_client, fake_google.id_token(name="Ann Renamed"))

    assert second.status_code == 200
    assert second.data["user"]["id"] == first.data["user"]["id"]
    assert User.objects.count() == 1
    assert SocialAccount.objects.count() == 1


def test_email_stored_lower_case(api_client, fake_google):
    response = google_login(api_client, fake_google.id_token(email="Ann.Example@GMail.com"))

    assert response.status_code == 200
    assert User.objects.get().email == "ann.example@gmail.com"


def test_login_follows_sub_not_email(api_client, fake_google):
    google_login(api_client, fake_google.id_token())
    other = UserFactory(email="new-address@gmail.com")

    # Ann changed her Google address to one that another local account uses.
    response = google_login(api_client, fake_google.id_token(email="new-address@gmail.com"))

    assert response.status_code == 200
    assert response.data["user"]["email"] == "ann@gmail.com"
    assert response.data["user"]["id"] != other.pk


def test_use_cookies_sets_http_only_cookies(api_client, fake_google):
    response = google_login(api_client, fake_google.id_token(), use_cookies=True)

    assert response.status_code == 200
    assert "access" not in response.data
    access = response.cookies[settings.AUTH_COOKIE_ACCESS]
    assert access["httponly"]
    assert access["secure"]
    assert access["samesite"] == "Lax"
    assert response.cookies[settings.AUTH_COOKIE_REFRESH]["httponly"]


# Rejected tokens, which create no user


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"aud": "another-app.apps.googleusercontent.com"}, id="wrong-audience"),
        pytest.param({"iss": "https://issuer.example.com"}, id="wrong-issuer"),
        pytest.param({"exp": int(time.time()) - 30, "iat": int(time.time()) - 3630}, id="expired"),
    ],
)
def test_invalid_claims_are_401(api_client, fake_google, overrides):
    response = google_login(api_client, fake_google.id_token(**overrides))

    assert response.status_code == 401
    assert response.data["code"] == "invalid_google_token"
    assert not User.objects.exists()


def test_other_key_signature_is_401(api_client, fake_google):
    response = google_login(api_client, fake_google.id_token(signed_by=fake_google.rogue_key))

    assert response.status_code == 401
    assert response.data["code"] == "invalid_google_token"
    assert not User.objects.exists()


@pytest.mark.parametrize("flag", [False, "false"])
def test_unverified_email_is_403(api_client, fake_google, flag):
    response = google_login(api_client, fake_google.id_token(email_verified=flag))

    assert response.status_code == 403
    assert response.data["code"] == "google_email_not_verified"
    assert not User.objects.exists()
    assert not SocialAccount.objects.exists()


def test_unverified_email_never_links(api_client, fake_google):
    existing = UserFactory(email="ann@gmail.com")

    response = google_login(api_client, fake_google.id_token(email_verified=False))

    assert response.status_code == 403
    assert not SocialAccount.objects.exists()
    existing.refresh_from_db()
    assert existing.check_password(DEFAULT_PASSWORD)


def test_token_without_email_is_403(api_client, fake_google):
    response = google_login(api_client, fake_google.id_token(email=None, email_verified=None))

    assert response.status_code == 403
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "id_token"),
        ({"id_token": ""}, "id_token"),
        ({"id_token": ["a", "b"]}, "id_token"),
        ({"id_token": "x" * 9000}, "id_token"),
        ({"id_token": "abc", "role": "admin"}, "role"),
        ({"id_token": "abc", "use_cookies": "maybe"}, "use_cookies"),
    ],
)
def test_bad_input_is_400(api_client, fake_google, body, field):
    response = api_client.post("/auth/google", body, format="json")

    assert response.status_code == 400
    assert field in response.data["fields"]
    assert fake_google.requests_to("/oauth2/v1/certs") == 0


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "eyJhbGciOiJub25lIn0.e30."])
def test_garbage_token_is_401(api_client, fake_google, token):
    response = google_login(api_client, token)

    assert response.status_code == 401
    assert response.data["code"] == "invalid_google_token"


def test_invalid_token_is_logged_without_token(api_client, fake_google, caplog):
    token = fake_google.id_token(aud="another-app.apps.googleusercontent.com")

    api_client.post("/auth/google", {"id_token": token}, format="json", REMOTE_ADDR="198.51.100.23")

    messages = [
        record.getMessage() for record in caplog.records if record.name.startswith("accounts")
    ]
    assert any("invalid ID token" in message and "198.51.100.23" in message for message in messages)
    assert not any(token in message for message in messages)


# Configuration and Google outages


def test_missing_client_id_is_503(api_client, fake_google, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {"google": {"SCOPE": ["openid", "email", "profile"]}}

    response = google_login(api_client, fake_google.id_token())

    assert response.status_code == 503
    assert response.data["code"] == "google_not_configured"
    assert "GOOGLE_CLIENT_ID" in response.data["detail"]


def test_certs_outage_is_503(api_client, fake_google):
    fake_google.state.certs_status = 503

    response = google_login(api_client, fake_google.id_token())

    assert response.status_code == 503
    assert response.data["code"] == "google_unavailable"
    assert not User.objects.exists()


def test_certs_cached_across_requests(api_client, fake_google):
    for _ in range(3):
        assert google_login(api_client, fake_google.id_token()).status_code == 200

    assert fake_google.requests_to("/oauth2/v1/certs") == 1


def test_stale_credentials_do_not_block(fake_google):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer not.a.token")
    client.cookies[settings.AUTH_COOKIE_ACCESS] = "expired-or-garbage"
    client.cookies[settings.AUTH_COOKIE_REFRESH] = "garbage"

    response = google_login(client, fake_google.id_token())

    assert response.status_code == 200


# Linking to existing accounts


def test_gmail_address_links_existing_account(api_client, fake_google):
    existing = UserFactory(email="ann@gmail.com")
    old_refresh = password_login(api_client, "ann@gmail.com").data["refresh"]

    response = google_login(api_client, fake_google.id_token(email="Ann@GMAIL.com"))

    assert response.status_code == 200
    assert response.data["user"]["id"] == existing.pk
    assert User.objects.count() == 1
    assert SocialAccount.objects.get(provider="google", uid=ANN_SUB).user == existing
    existing.refresh_from_db()
    assert not existing.has_usable_password()
    # The password registered for the address no longer signs in.
    assert password_login(api_client, "ann@gmail.com").status_code == 401
    replay = api_client.post("/auth/refresh", {"refresh": old_refresh}, format="json")
    assert replay.status_code == 401


def test_workspace_address_with_hd_links(api_client, fake_google):
    existing = UserFactory(email="bo@corp.example.com")

    response = google_login(
        api_client,
        fake_google.id_token(sub="2002", email="bo@corp.example.com", hd="corp.example.com"),
    )

    assert response.status_code == 200
    assert response.data["user"]["id"] == existing.pk


def test_admin_keeps_role_when_linked(api_client, fake_google):
    admin = AdminFactory(email="boss@gmail.com")

    response = google_login(api_client, fake_google.id_token(sub="3003", email="boss@gmail.com"))

    assert response.status_code == 200
    assert response.data["user"]["id"] == admin.pk
    assert response.data["user"]["role"] == "admin"


@pytest.mark.parametrize(
    "claims",
    [
        pytest.param({"email": "bo@corp.example.com"}, id="no-hd"),
        pytest.param({"email": "bo@corp.example.com", "hd": "other.example.com"}, id="other-hd"),
    ],
)
def test_non_authoritative_address_is_409(api_client, fake_google, claims):
    existing = UserFactory(email="bo@corp.example.com")

    response = google_login(api_client, fake_google.id_token(sub="2002", **claims))

    assert response.status_code == 409
    assert response.data["code"] == "google_account_conflict"
    assert User.objects.count() == 1
    assert not SocialAccount.objects.exists()
    existing.refresh_from_db()
    assert existing.check_password(DEFAULT_PASSWORD)


def test_account_linked_to_other_google_is_409(api_client, fake_google):
    google_login(api_client, fake_google.id_token(sub="1111", email="ann@gmail.com"))

    # A different Google account (new `sub`) now presents the same address.
    response = google_login(api_client, fake_google.id_token(sub="2222", email="ann@gmail.com"))

    assert response.status_code == 409
    assert response.data["code"] == "google_account_conflict"
    assert User.objects.count() == 1
    assert list(SocialAccount.objects.values_list("uid", flat=True)) == ["1111"]


# Inactive accounts and password login of Google-only accounts


def test_inactive_unlinked_account_is_403(api_client, fake_google):
    UserFactory(email="ann@gmail.com", is_active=False)

    response = google_login(api_client, fake_google.id_token())

    assert response.status_code == 403
    assert response.data["code"] == "account_inactive"
    assert "access" not in response.data
    assert not SocialAccount.objects.exists()


def test_inactive_linked_account_is_403(api_client, fake_google):
    google_login(api_client, fake_google.id_token())
    User.objects.update(is_active=False)

    response = google_login(api_client, fake_google.id_token())

    assert response.status_code == 403
    assert response.data["code"] == "account_inactive"
    assert "access" not in response.data


def test_google_only_password_login_is_plain_401(api_client, fake_google):
    google_login(api_client, fake_google.id_token())
    UserFactory(email="someone@example.com")

    google_only = password_login(api_client, "ann@gmail.com", password="anything-at-all")
    wrong = password_login(api_client, "someone@example.com", password="anything-at-all")

    assert google_only.status_code == 401
    assert google_only.data == wrong.data
