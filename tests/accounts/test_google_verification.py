"""allauth's ID token verification, run against the fake Google's keys on 127.0.0.1."""

import time

import jwt
import pytest
from django.test import RequestFactory

from accounts.google import (
    GoogleNotConfigured,
    GoogleUnavailable,
    InvalidGoogleToken,
    google_id_token_verify,
)

CERTS_PATH = "/oauth2/v1/certs"

pytestmark = pytest.mark.django_db


@pytest.fixture
def http_request():
    return RequestFactory().post("/auth/google")


def test_valid_token_verifies(fake_google, http_request):
    login = google_id_token_verify(request=http_request, id_token=fake_google.id_token())

    assert login.account.uid == "110000000000000000001"
    assert login.email_addresses[0].email == "ann@gmail.com"
    assert login.email_addresses[0].verified is True
    assert fake_google.requests_to(CERTS_PATH) == 1


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"aud": "someone-else.apps.googleusercontent.com"}, id="wrong-audience"),
        pytest.param({"iss": "https://accounts.example.com"}, id="wrong-issuer"),
        pytest.param({"exp": int(time.time()) - 60, "iat": int(time.time()) - 3660}, id="expired"),
        pytest.param({"exp": None}, id="no-expiry"),
    ],
)
def test_claim_checks_reject(fake_google, http_request, overrides):
    with pytest.raises(InvalidGoogleToken):
        google_id_token_verify(request=http_request, id_token=fake_google.id_token(**overrides))


def test_token_from_other_key_rejected(fake_google, http_request):
    # Same kid as the published key, different private key: only the signature is wrong.
    token = fake_google.id_token(signed_by=fake_google.rogue_key)

    with pytest.raises(InvalidGoogleToken):
        google_id_token_verify(request=http_request, id_token=token)


def test_unknown_kid_rejected(fake_google, http_request):
    token = fake_google.id_token(header={"kid": "not-published"})

    with pytest.raises(InvalidGoogleToken):
        google_id_token_verify(request=http_request, id_token=token)


@pytest.mark.parametrize(
    "make_token",
    [
        pytest.param(lambda fake: "not-a-jwt", id="garbage"),
        pytest.param(lambda fake: "a.b.c", id="three-garbage-parts"),
        pytest.param(
            lambda fake: jwt.encode(
                fake.claims(),
                "shared-secret-guess-0123456789abcdef",
                algorithm="HS256",
                headers={"kid": "fake-kid-1"},
            ),
            id="hs256",
        ),
        pytest.param(
            lambda fake: jwt.encode(
                fake.claims(), None, algorithm="none", headers={"kid": "fake-kid-1"}
            ),
            id="alg-none",
        ),
        pytest.param(
            lambda fake: jwt.encode(fake.claims(), fake.state.key.private_key, algorithm="RS256"),
            id="no-kid",
        ),
    ],
)
def test_malformed_tokens_rejected(fake_google, http_request, make_token):
    with pytest.raises(InvalidGoogleToken):
        google_id_token_verify(request=http_request, id_token=make_token(fake_google))


def test_certs_fetched_once_then_cached(fake_google, http_request):
    for _ in range(3):
        google_id_token_verify(request=http_request, id_token=fake_google.id_token())

    assert fake_google.requests_to(CERTS_PATH) == 1


def test_certs_outage_is_unavailable(fake_google, http_request):
    fake_google.state.certs_status = 500

    with pytest.raises(GoogleUnavailable):
        google_id_token_verify(request=http_request, id_token=fake_google.id_token())


def test_failed_certs_fetch_not_cached(fake_google, http_request):
    fake_google.state.certs_status = 500
    with pytest.raises(GoogleUnavailable):
        google_id_token_verify(request=http_request, id_token=fake_google.id_token())
    fake_google.state.certs_status = 200

    login = google_id_token_verify(request=http_request, id_token=fake_google.id_token())

    assert login.account.uid == "110000000000000000001"
    assert fake_google.requests_to(CERTS_PATH) == 2


def test_missing_client_id_not_configured(fake_google, http_request, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {"google": {"SCOPE": ["openid", "email", "profile"]}}

    with pytest.raises(GoogleNotConfigured):
        google_id_token_verify(request=http_request, id_token=fake_google.id_token())
    assert fake_google.requests_to(CERTS_PATH) == 0
