"""Redis dies while gunicorn runs: the API keeps serving and logs the failure once."""

import requests

from bench.servers import (
    create_user,
    gunicorn_server,
    login,
    manage,
    private_postgres,
    private_redis,
    production_env,
)

HTTPS = {"X-Forwarded-Proto": "https"}
EMAIL = "redis-outage@example.com"
PASSWORD = "correct-horse-battery-9"


def test_redis_outage_degrades_to_no_cache(tmp_path):
    with private_postgres() as postgres, private_redis() as redis:
        env = production_env(postgres.url, redis.url, CACHE_DEGRADED_LOG_INTERVAL_SECONDS="3600")
        manage(env, "migrate", "--noinput")
        create_user(env, EMAIL, PASSWORD)
        with gunicorn_server(env, workers=1, log_dir=tmp_path) as server:
            token = login(server.base_url, EMAIL, PASSWORD)
            headers = {**HTTPS, "Authorization": f"Bearer {token}"}

            def list_tickets() -> requests.Response:
                return requests.get(f"{server.base_url}/tickets", headers=headers, timeout=10)

            # The user throttle reads and writes its counter in Redis on every API request.
            assert list_tickets().status_code == 200

            # A request line over gunicorn's default limit of 4094 bytes still reaches the
            # API, which rejects the too long search in its own error shape.
            long_search = requests.get(
                f"{server.base_url}/tickets",
                params={"search": "x" * 5000},
                headers=headers,
                timeout=10,
            )
            assert long_search.status_code == 400
            assert long_search.headers["Content-Type"] == "application/json"
            assert list(long_search.json()["fields"]) == ["search"]
            assert redis_keys(redis.port) > 0
            ready = requests.get(f"{server.base_url}/readyz", timeout=5)
            assert ready.status_code == 200
            assert ready.json()["checks"] == {"database": "ok", "cache": "ok"}

            redis.kill()

            responses = [list_tickets() for _ in range(20)]
            assert [response.status_code for response in responses] == [200] * 20
            assert all(response.elapsed.total_seconds() < 2 for response in responses)
            not_ready = requests.get(f"{server.base_url}/readyz", timeout=5)
            assert not_ready.status_code == 503
            body = not_ready.json()
            assert body["code"] == "not_ready"
            assert body["checks"] == {"database": "ok", "cache": "unavailable"}
            assert body["fields"] == {}

            log = server.log_text()

    # 20 requests with two cache calls each, and one warning for all of them.
    assert log.count("Cache backend failed") == 1, log
    assert "similar failures" in log
    assert '"status": 500' not in log, log


def redis_keys(port: int) -> int:
    import redis as redis_client

    return redis_client.Redis(host="127.0.0.1", port=port).dbsize()
