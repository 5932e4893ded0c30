import pytest
from django.conf import settings
from rest_framework.test import APIClient

from accounts.models import Role, User
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

STRONG_PASSWORD = "plum-orchard-47-lantern"


def signup(client, **overrides):
    body = {"email": "New.Person@Example.com", "password": STRONG_PASSWORD, "name": "New Person"}
    body.update(overrides)
    return client.post("/auth/signup", body, format="json")


def login(client, email, password=DEFAULT_PASSWORD, **extra):
    return client.post(
        "/auth/login", {"email": email, "password": password, **extra}, format="json"
    )


# Sign-up


def test_signup_returns_user_and_working_tokens(api_client):
    response = signup(api_client)

    assert response.status_code == 201
    assert response.data["user"]["email"] == "new.person@example.com"
    assert response.data["user"]["role"] == "user"
    me = APIClient()
    me.credentials(HTTP_AUTHORIZATION=f"Bearer {response.data['access']}")
    assert me.get("/auth/me").data["email"] == "new.person@example.com"


def test_signup_stores_bcrypt_hash(api_client):
    signup(api_client)

    user = User.objects.get(email="new.person@example.com")
    assert user.password.startswith("bcrypt_sha256$")
    assert user.check_password(STRONG_PASSWORD)


@pytest.mark.parametrize(
    "field, value",
    [
        ("role", "admin"),
        ("is_staff", True),
        ("is_superuser", True),
        ("is_active", False),
    ],
)
def test_signup_rejects_privilege_fields(api_client, field, value):
    response = signup(api_client, **{field: value})

    assert response.status_code == 400
    assert field in response.data["fields"]
    assert not User.objects.exists()


def test_signup_duplicate_email_ignores_case(api_client):
    UserFactory(email="new.person@example.com")

    response = signup(api_client, email="NEW.PERSON@example.COM")

    assert response.status_code == 400
    assert "email" in response.data["fields"]
    assert User.objects.count() == 1


@pytest.mark.parametrize("password", ["short", "password123", "12345678901"])
def test_signup_rejects_weak_password(api_client, password):
    response = signup(api_client, password=password)

    assert response.status_code == 400
    assert response.data["code"] == "invalid"
    assert "password" in response.data["fields"]
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"email": "not-an-email", "password": STRONG_PASSWORD, "name": "X"}, "email"),
        ({"email": "a@example.com", "password": STRONG_PASSWORD}, "name"),
        ({"email": "a@example.com", "password": STRONG_PASSWORD, "name": "x" * 151}, "name"),
        ({"email": "a@example.com", "password": STRONG_PASSWORD, "name": "bad\x00name"}, "name"),
        ({"email": "a@example.com", "password": 12, "name": ["list"]}, "name"),
    ],
)
def test_signup_bad_input_names_field(api_client, body, field):
    response = api_client.post("/auth/signup", body, format="json")

    assert response.status_code == 400
    assert field in response.data["fields"]
    assert not User.objects.exists()


def test_malformed_json_is_400(api_client):
    response = api_client.post("/auth/signup", "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.data["code"] == "parse_error"


def test_trailing_slash_works_without_redirect(api_client):
    response = api_client.post(
        "/auth/signup/",
        {"email": "slash@example.com", "password": STRONG_PASSWORD, "name": "Slash"},
        format="json",
    )

    assert response.status_code == 201


# Login


def test_login_returns_pair_and_user(api_client, user):
    response = login(api_client, user.email.upper())

    assert response.status_code == 200
    assert set(response.data) == {"access", "refresh", "user"}
    assert response.data["user"]["id"] == user.pk


def test_login_wrong_password_and_unknown_email_look_alike(api_client, user):
    wrong_password = login(api_client, user.email, "not-the-password")
    unknown_email = login(api_client, "nobody@example.com", "not-the-password")

    assert wrong_password.status_code == 401
    assert unknown_email.status_code == 401
    assert wrong_password.data == unknown_email.data
    assert wrong_password.data["code"] == "invalid_credentials"


def test_login_inactive_user_is_401(api_client):
    inactive = UserFactory(is_active=False)

    response = login(api_client, inactive.email)

    assert response.status_code == 401
    assert response.data["code"] == "invalid_credentials"


def test_login_ignores_stale_bearer_header(api_client, user):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer garbage.token.value")

    response = login(api_client, user.email)

    assert response.status_code == 200


def test_login_ignores_stale_access_cookie(api_client, user):
    api_client.cookies[settings.AUTH_COOKIE_ACCESS] = "expired-or-garbage"

    response = login(api_client, user.email)

    assert response.status_code == 200


# Refresh and logout


def test_refresh_rotates_and_rejects_replay(api_client, user):
    pair = login(api_client, user.email).data

    first = api_client.post("/auth/refresh", {"refresh": pair["refresh"]}, format="json")
    replay = api_client.post("/auth/refresh", {"refresh": pair["refresh"]}, format="json")

    assert first.status_code == 200
    assert first.data["refresh"] != pair["refresh"]
    assert replay.status_code == 401
    assert replay.data["code"] == "token_not_valid"


def test_refresh_garbage_token_is_401(api_client):
    response = api_client.post("/auth/refresh", {"refresh": "garbage"}, format="json")

    assert response.status_code == 401


def test_refresh_without_token_is_400(api_client):
    response = api_client.post("/auth/refresh", {}, format="json")

    assert response.status_code == 400
    assert "refresh" in response.data["fields"]


def test_refresh_for_deactivated_user_is_401(api_client, user):
    pair = login(api_client, user.email).data
    User.objects.filter(pk=user.pk).update(is_active=False)

    response = api_client.post("/auth/refresh", {"refresh": pair["refresh"]}, format="json")

    assert response.status_code == 401
    assert response.data["code"] == "no_active_account"


def test_deactivated_user_access_token_stops_working(auth_client, user):
    client = auth_client(user)
    assert client.get("/auth/me").status_code == 200

    User.objects.filter(pk=user.pk).update(is_active=False)

    assert client.get("/auth/me").status_code == 401


def test_logout_blacklists_refresh(api_client, user):
    pair = login(api_client, user.email).data
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")

    logout = api_client.post("/auth/logout", {"refresh": pair["refresh"]}, format="json")
    refresh = api_client.post("/auth/refresh", {"refresh": pair["refresh"]}, format="json")

    assert logout.status_code == 204
    assert refresh.status_code == 401


def test_logout_rejects_another_users_token(api_client, user, other_user):
    theirs = login(APIClient(), other_user.email).data
    mine = login(api_client, user.email).data
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {mine['access']}")

    response = api_client.post("/auth/logout", {"refresh": theirs["refresh"]}, format="json")

    assert response.status_code == 400
    assert "refresh" in response.data["fields"]
    still_valid = APIClient().post("/auth/refresh", {"refresh": theirs["refresh"]}, format="json")
    assert still_valid.status_code == 200


def test_logout_needs_authentication(api_client):
    response = api_client.post("/auth/logout", {"refresh": "x"}, format="json")

    assert response.status_code == 401
    assert response.data["code"] == "not_authenticated"


# Me


def test_me_requires_authentication(api_client):
    response = api_client.get("/auth/me")

    assert response.status_code == 401
    assert set(response.data) == {"code", "detail", "fields"}


def test_me_patch_changes_name_and_availability(auth_client, user):
    response = auth_client(user).patch(
        "/auth/me", {"name": "Renamed", "is_available": False}, format="json"
    )

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.name == "Renamed"
    assert user.is_available is False


@pytest.mark.parametrize(
    "body, field",
    [
        ({"role": "admin"}, "role"),
        ({"email": "x@example.com"}, "email"),
        ({"is_available": "sometimes"}, "is_available"),
        ({"name": ""}, "name"),
    ],
)
def test_me_patch_rejects_bad_fields(auth_client, user, body, field):
    response = auth_client(user).patch("/auth/me", body, format="json")

    assert response.status_code == 400
    assert field in response.data["fields"]
    user.refresh_from_db()
    assert user.role == Role.USER


# Cookie mode


def cookie_login(user) -> APIClient:
    client = APIClient(enforce_csrf_checks=True)
    response = login(client, user.email, use_cookies=True)
    assert response.status_code == 200
    return client


def test_cookie_login_sets_http_only_cookies(api_client, user):
    response = login(api_client, user.email, use_cookies=True)

    access = response.cookies[settings.AUTH_COOKIE_ACCESS]
    refresh = response.cookies[settings.AUTH_COOKIE_REFRESH]
    assert "access" not in response.data
    assert "refresh" not in response.data
    for cookie in (access, refresh):
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Lax"
        assert cookie["secure"] is True
    assert refresh["path"] == "/auth/"
    assert "csrftoken" in response.cookies


def test_cookie_safe_request_needs_no_csrf(user):
    client = cookie_login(user)

    response = client.get("/auth/me")

    assert response.status_code == 200
    assert response.data["id"] == user.pk


def test_cookie_unsafe_request_without_csrf_is_403(user):
    client = cookie_login(user)

    response = client.patch("/auth/me", {"name": "Changed"}, format="json")

    assert response.status_code == 403
    user.refresh_from_db()
    assert user.name != "Changed"


def test_cookie_unsafe_request_with_csrf_succeeds(user):
    client = cookie_login(user)
    csrf = client.cookies["csrftoken"].value

    response = client.patch("/auth/me", {"name": "Changed"}, format="json", HTTP_X_CSRFTOKEN=csrf)

    assert response.status_code == 200
    assert response.data["name"] == "Changed"


def test_bearer_unsafe_request_needs_no_csrf(user):
    client = APIClient(enforce_csrf_checks=True)
    access = login(client, user.email).data["access"]
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")

    response = client.patch("/auth/me", {"name": "Changed"}, format="json")

    assert response.status_code == 200


def test_cookie_refresh_needs_csrf_and_rotates(user):
    client = cookie_login(user)
    old_refresh = client.cookies[settings.AUTH_COOKIE_REFRESH].value

    without_csrf = client.post("/auth/refresh", {}, format="json")
    with_csrf = client.post(
        "/auth/refresh", {}, format="json", HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value
    )

    assert without_csrf.status_code == 403
    assert with_csrf.status_code == 200
    assert with_csrf.cookies[settings.AUTH_COOKIE_REFRESH].value != old_refresh


def test_cookie_logout_clears_cookies_and_revokes(user):
    client = cookie_login(user)
    old_refresh = client.cookies[settings.AUTH_COOKIE_REFRESH].value

    response = client.post(
        "/auth/logout", {}, format="json", HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value
    )

    assert response.status_code == 204
    assert response.cookies[settings.AUTH_COOKIE_ACCESS].value == ""
    assert response.cookies[settings.AUTH_COOKIE_REFRESH].value == ""
    replay = APIClient().post("/auth/refresh", {"refresh": old_refresh}, format="json")
    assert replay.status_code == 401
