"""The main job over real HTTP: gunicorn on 127.0.0.1 in front of PostgreSQL."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.core.management import call_command
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server():
    """Start gunicorn on the test database and yield its base URL."""
    db = connection.settings_dict
    port = free_port()
    # The server gets a per-process memory cache instead of any REDIS_URL of the test run,
    # so throttle counters left in Redis by earlier runs cannot refuse this run's sign-up.
    env = {
        **{key: value for key, value in os.environ.items() if key != "REDIS_URL"},
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DEBUG": "1",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            # A cheap endpoint: the first request of each worker also pays for the imports,
            # so it can take seconds on a busy machine.
            try:
                requests.get(f"{base}/auth/me", timeout=10)
                break
            except requests.RequestException:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)
        # Gunicorn's connections are gone before the test database is flushed.


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_main_job_over_http(server):
    call_command("seed_demo", force=True, stdout=open(os.devnull, "w"))  # noqa: SIM115

    signup = requests.post(
        f"{server}/auth/signup",
        json={"email": "Erin@Example.com", "password": "quiet-meadow-58-violin", "name": "Erin"},
        timeout=10,
    )
    assert signup.status_code == 201, signup.text

    login = requests.post(
        f"{server}/auth/login",
        json={"email": "erin@example.com", "password": "quiet-meadow-58-violin"},
        timeout=10,
    )
    assert login.status_code == 200, login.text
    erin = bearer(login.json()["access"])
    erin_id = login.json()["user"]["id"]

    created = requests.post(
        f"{server}/tickets",
        json={"title": "Monitor flickers", "priority": "high"},
        headers=erin,
        timeout=10,
    )
    assert created.status_code == 201, created.text
    ticket_id = created.json()["id"]
    assert created.json()["status"] == "open"

    forbidden = requests.patch(
        f"{server}/tickets/{ticket_id}", json={"status": "in_progress"}, headers=erin, timeout=10
    )
    assert forbidden.status_code == 403

    admin_login = requests.post(
        f"{server}/auth/login",
        json={"email": "admin@example.com", "password": "helpdesk-admin-demo"},
        timeout=10,
    )
    admin = bearer(admin_login.json()["access"])
    for target in ("in_progress", "closed"):
        moved = requests.patch(
            f"{server}/tickets/{ticket_id}", json={"status": target}, headers=admin, timeout=10
        )
        assert moved.status_code == 200, moved.text
        assert moved.json()["status"] == target

    history = requests.get(f"{server}/tickets/{ticket_id}/history", headers=erin, timeout=10)
    steps = [
        (row["kind"], row["from_status"], row["to_status"]) for row in history.json()["results"]
    ]
    # The demo admin has no open work and the demo agent has one ticket in progress, so
    # automatic assignment picks the admin.
    assert steps == [
        ("created", "", "open"),
        ("auto_assignment", "", ""),
        ("status_changed", "open", "in_progress"),
        ("status_changed", "in_progress", "closed"),
    ]
    assert history.json()["results"][1]["to_assignee"]["email"] == "admin@example.com"

    def available_ids():
        rows = requests.get(f"{server}/available/users", headers=erin, timeout=10).json()
        return [row["id"] for row in rows]

    assert erin_id in available_ids()
    off = requests.patch(
        f"{server}/auth/me", json={"is_available": False}, headers=erin, timeout=10
    )
    assert off.status_code == 200
    assert erin_id not in available_ids()
    on = requests.patch(f"{server}/auth/me", json={"is_available": True}, headers=erin, timeout=10)
    assert on.status_code == 200
    assert erin_id in available_ids()


def test_workflow_over_http(server):
    call_command("seed_demo", force=True, stdout=open(os.devnull, "w"))  # noqa: SIM115

    def login(email: str, password: str) -> dict[str, str]:
        response = requests.post(
            f"{server}/auth/login", json={"email": email, "password": password}, timeout=10
        )
        assert response.status_code == 200, response.text
        return bearer(response.json()["access"])

    alice = login("alice@example.com", "helpdesk-alice-demo")
    admin = login("admin@example.com", "helpdesk-admin-demo")

    # A retried create with one Idempotency-Key makes one ticket.
    body = {"title": "Laptop will not boot", "priority": "urgent"}
    retry_headers = {**alice, "Idempotency-Key": "e2e-create-1"}
    first = requests.post(f"{server}/tickets", json=body, headers=retry_headers, timeout=10)
    retry = requests.post(f"{server}/tickets", json=body, headers=retry_headers, timeout=10)
    assert first.status_code == retry.status_code == 201, first.text
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json()["id"] == first.json()["id"]
    assert first.json()["assignment"]["method"] == "automatic"
    ticket_url = f"{server}/tickets/{first.json()['id']}"

    # Edits with a stale ETag are rejected.
    etag = requests.get(ticket_url, headers=alice, timeout=10).headers["ETag"]
    edited = requests.patch(
        ticket_url, json={"title": "Laptop dead"}, headers={**alice, "If-Match": etag}, timeout=10
    )
    assert edited.status_code == 200, edited.text
    stale = requests.patch(
        ticket_url, json={"priority": "low"}, headers={**alice, "If-Match": etag}, timeout=10
    )
    assert stale.status_code == 412
    assert stale.json()["code"] == "precondition_failed"

    # An internal comment stays among administrators.
    public = requests.post(
        f"{ticket_url}/comments", json={"body": "Tried safe mode"}, headers=alice, timeout=10
    )
    internal = requests.post(
        f"{ticket_url}/comments",
        json={"body": "Disk is failing", "internal": True},
        headers=admin,
        timeout=10,
    )
    assert public.status_code == internal.status_code == 201
    seen_by_alice = requests.get(f"{ticket_url}/comments", headers=alice, timeout=10).json()
    assert [row["body"] for row in seen_by_alice["results"]] == ["Tried safe mode"]
    history = requests.get(f"{ticket_url}/history", headers=alice, timeout=10).json()
    assert "Disk is failing" not in str(history)

    # Close, reopen with a reason, close again, then the creator rates it.
    for target in ("in_progress", "closed"):
        moved = requests.patch(ticket_url, json={"status": target}, headers=admin, timeout=10)
        assert moved.status_code == 200, moved.text
    reopened = requests.post(
        f"{ticket_url}/reopen", json={"reason": "Fails again"}, headers=admin, timeout=10
    )
    assert reopened.status_code == 200, reopened.text
    assert reopened.json()["status"] == "open"
    for target in ("in_progress", "closed"):
        requests.patch(ticket_url, json={"status": target}, headers=admin, timeout=10)
    feedback = requests.post(
        f"{ticket_url}/feedback", json={"rating": 5, "comment": "Works"}, headers=alice, timeout=10
    )
    assert feedback.status_code == 201, feedback.text
    again = requests.post(f"{ticket_url}/feedback", json={"rating": 1}, headers=alice, timeout=10)
    assert again.status_code == 409

    summary = requests.get(f"{server}/analytics/summary", headers=admin, timeout=10)
    assert summary.status_code == 200, summary.text
    assert summary.json()["by_status"]["closed"] == 2
    assert summary.json()["time_to_close"]["closed"] == 2
    assert requests.get(f"{server}/analytics/summary", headers=alice, timeout=10).status_code == 403
