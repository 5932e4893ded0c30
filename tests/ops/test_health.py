import pytest
from django.db import OperationalError

from ops import health


@pytest.mark.django_db
def test_healthz_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_healthz_trailing_slash(client):
    assert client.get("/healthz/").status_code == 200


@pytest.mark.django_db
def test_readyz_ok(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}


@pytest.mark.django_db
def test_readyz_names_failing_database(client, monkeypatch):
    class BrokenConnection:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr(health, "connection", BrokenConnection())

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    body = response.json()
    assert body["code"] == "not_ready"
    assert body["detail"] == "Not ready: unavailable: database."
    assert body["fields"] == {}
    assert body["checks"] == {"database": "unavailable", "cache": "ok"}


@pytest.mark.django_db
def test_readyz_names_unreachable_redis(client, settings):
    # Nothing listens on port 1, so the connection is refused at once.
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5},
        }
    }

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "cache": "unavailable"}


@pytest.mark.django_db
def test_readyz_names_failing_cache(client, monkeypatch, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

    class ForgetfulCache:
        def set(self, *args, **kwargs):
            return None

        def get(self, *args, **kwargs):
            return None

    monkeypatch.setattr(health, "cache", ForgetfulCache())

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "cache": "unavailable"}


def test_healthz_needs_no_database(client):
    # No django_db mark: pytest-django blocks every database access, so a query fails.
    response = client.get("/healthz")

    assert response.status_code == 200
