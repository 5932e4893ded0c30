"""PostgreSQL stops and starts while gunicorn runs: 503 during the outage, then recovery."""

import time

import requests

from bench.servers import (
    create_user,
    gunicorn_server,
    login,
    manage,
    private_postgres,
    production_env,
    wait_until,
)

HTTPS = {"X-Forwarded-Proto": "https"}
WORKERS = 2
EMAIL = "database-outage@example.com"
PASSWORD = "correct-horse-battery-9"


def get(server, path: str, **headers) -> requests.Response:
    return requests.get(f"{server.base_url}{path}", headers={**HTTPS, **headers}, timeout=10)


def test_database_restart_gives_503_then_recovers(tmp_path):
    with private_postgres() as postgres:
        env = production_env(postgres.url)
        manage(env, "migrate", "--noinput")
        create_user(env, EMAIL, PASSWORD)
        with gunicorn_server(env, workers=WORKERS, log_dir=tmp_path) as server:
            auth = {"Authorization": f"Bearer {login(server.base_url, EMAIL, PASSWORD)}"}

            def tickets(**headers) -> requests.Response:
                # Authenticating the token loads its user, so this request needs PostgreSQL.
                return get(server, "/tickets", **auth, **headers)

            # Enough requests that every worker opens its persistent connection.
            assert [tickets().status_code for _ in range(6)] == [200] * 6

            postgres.stop()
            outage_started = time.monotonic()

            during = tickets(**{"X-Request-ID": "outage-1"})
            assert during.status_code == 503
            assert during.headers["Retry-After"] == "5"
            assert during.headers["X-Request-ID"] == "outage-1"
            assert during.json() == {
                "code": "database_unavailable",
                "detail": "The database is unavailable. Retry the request in a few seconds.",
                "fields": {},
            }
            statuses = [tickets().status_code for _ in range(6)]
            assert statuses == [503] * 6
            # A read that needs no database runs without a transaction, so it still works.
            assert get(server, "/schema").status_code == 200

            not_ready = get(server, "/readyz")
            assert not_ready.status_code == 503
            assert not_ready.json()["checks"] == {"database": "unavailable", "cache": "ok"}
            assert get(server, "/healthz").status_code == 200

            postgres.start()

            wait_until(
                lambda: tickets().status_code == 200,
                timeout=20,
                what="the API to answer 200 after PostgreSQL started",
            )
            recovered_after = time.monotonic() - outage_started
            assert [tickets().status_code for _ in range(10)] == [200] * 10
            assert get(server, "/readyz").status_code == 200
            # Recovered without a restart: the master process is the one started above.
            assert server.process.poll() is None
            log = server.log_text()

    assert recovered_after < 30
    assert '"request_id": "outage-1"' in log
    assert "Database unavailable, returning 503" in log
    assert "Worker exiting" not in log, log
    assert '"status": 500' not in log, log
