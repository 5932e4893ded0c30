"""A Redis outage while gunicorn runs: requests keep working and the failure is logged once."""

import requests

from tests.ops.processes import (
    gunicorn_server,
    manage,
    private_postgres,
    private_redis,
    production_env,
)

HTTPS = {"X-Forwarded-Proto": "https"}


def test_redis_outage_degrades_to_no_cache(tmp_path):
    with private_postgres() as postgres, private_redis() as redis:
        env = production_env(postgres.url, redis.url, CACHE_DEGRADED_LOG_INTERVAL_SECONDS="3600")
        manage(env, "migrate", "--noinput")
        with gunicorn_server(env, workers=1, log_dir=tmp_path) as server:
            ready = requests.get(f"{server.base_url}/readyz", timeout=5)
            assert ready.status_code == 200
            assert ready.json()["checks"] == {"database": "ok", "cache": "ok"}

            redis.kill()

            not_ready = requests.get(f"{server.base_url}/readyz", timeout=5)
            assert not_ready.status_code == 503
            body = not_ready.json()
            assert body["code"] == "not_ready"
            assert body["checks"] == {"database": "ok", "cache": "unavailable"}
            assert body["fields"] == {}

            # The schema view caches nothing, so the cache is exercised through the
            # readiness-independent cache calls the throttles and the API make; the
            # statuses below are what a client sees while Redis is down.
            statuses = [
                requests.get(f"{server.base_url}/healthz", timeout=5).status_code for _ in range(20)
            ]
            assert statuses == [200] * 20

            log = server.log_text()
    assert log.count("Cache backend failed") == 1, log
