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
    env = {
        **os.environ,
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
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"{base}/schema", timeout=2)
                break
            except requests.ConnectionError:
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

    refused = requests.patch(
        f"{server}/tickets/{ticket_id}", json={"status": "in_progress"}, headers=erin, timeout=10
    )
    assert refused.status_code == 403

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
    steps = [(row["from_status"], row["to_status"]) for row in history.json()["results"]]
    assert steps == [("", "open"), ("open", "in_progress"), ("in_progress", "closed")]

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
