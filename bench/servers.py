"""Real servers for end-to-end tests and the benchmark: PostgreSQL, Redis and gunicorn.

Every server listens on 127.0.0.1 on a free port and is stopped when its context exits,
so the tests never touch the shared PostgreSQL cluster or Redis on the default ports.
"""
# Every command below is a fixed list built here, never from outside input.
# ruff: noqa: S603, S607

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import requests

REPO_ROOT = Path(__file__).resolve().parents[1]
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout: float, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise TimeoutError(f"Timed out after {timeout}s waiting for {what}.")


def _as_postgres_user(command: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@dataclass
class PrivatePostgres:
    """A PostgreSQL cluster of this test run only, in a temporary directory."""

    port: int
    data_dir: Path
    log_file: Path

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/helpdesk"

    def _pg_ctl(self, *args: str) -> None:
        command = [str(PG_BIN / "pg_ctl"), "-D", str(self.data_dir), "-l", str(self.log_file)]
        subprocess.run(_as_postgres_user([*command, *args]), check=True, capture_output=True)

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.data_dir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._pg_ctl("-w", "-t", "30", "-o", options, "start")

    def stop(self) -> None:
        # "fast" disconnects the clients, as a restart of a managed database does.
        self._pg_ctl("-w", "-t", "30", "-m", "fast", "stop")


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    base = Path(tempfile.mkdtemp(prefix="ops-pg-"))
    base.chmod(0o755)
    data_dir = base / "data"
    data_dir.mkdir()
    log_file = base / "postgres.log"
    log_file.touch()
    if os.geteuid() == 0:
        postgres = pwd.getpwnam("postgres")
        for path in (data_dir, log_file):
            os.chown(path, postgres.pw_uid, postgres.pw_gid)

    server = PrivatePostgres(port=free_port(), data_dir=data_dir, log_file=log_file)
    subprocess.run(
        _as_postgres_user(
            [str(PG_BIN / "initdb"), "-D", str(data_dir), "-U", "postgres", "-A", "trust"]
        ),
        check=True,
        capture_output=True,
    )
    server.start()
    try:
        subprocess.run(
            [
                str(PG_BIN / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(server.port),
                "-U",
                "postgres",
                "helpdesk",
            ],
            check=True,
            capture_output=True,
        )
        yield server
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            server.stop()
        shutil.rmtree(base, ignore_errors=True)


@dataclass
class PrivateRedis:
    port: int
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@contextlib.contextmanager
def private_redis() -> Iterator[PrivateRedis]:
    port = free_port()
    process = subprocess.Popen(
        [
            "redis-server",
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = PrivateRedis(port=port, process=process)
    try:
        wait_until(lambda: _accepts_connections(port), timeout=10, what="redis-server")
        yield server
    finally:
        server.kill()


def _accepts_connections(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def production_env(database_url: str, redis_url: str = "", **extra: str) -> dict[str, str]:
    """Build the environment of a server run with config.settings.production on 127.0.0.1."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "DEBUG"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": "end-to-end-test-key-" + "x" * 40,
            "DATABASE_URL": database_url,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "PYTHONUNBUFFERED": "1",
        }
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=REPO_ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return result.stdout


def create_user(env: dict[str, str], email: str, password: str, role: str = "user") -> None:
    """Create a user in the server's database with `manage.py shell`."""
    # `shell -c` takes no arguments, so the values travel in the environment.
    manage(
        {**env, "E2E_EMAIL": email, "E2E_PASSWORD": password, "E2E_ROLE": role},
        "shell",
        "-c",
        "import os; from accounts.models import User; User.objects.create_user("
        "os.environ['E2E_EMAIL'], os.environ['E2E_PASSWORD'], name='E2E', "
        "role=os.environ['E2E_ROLE'])",
    )


def login(base_url: str, email: str, password: str) -> str:
    """Log in through the API and return the access token."""
    response = requests.post(
        f"{base_url}/auth/login",
        json={"email": email, "password": password},
        headers={"X-Forwarded-Proto": "https"},
        timeout=10,
    )
    response.raise_for_status()
    return response.json()["access"]


@dataclass
class Gunicorn:
    process: subprocess.Popen
    base_url: str
    log_file: Path

    def log_text(self) -> str:
        return self.log_file.read_text(errors="replace")


@contextlib.contextmanager
def gunicorn_server(
    env: dict[str, str],
    workers: int = 1,
    log_dir: Path | None = None,
    settings_module: str | None = None,
) -> Iterator[Gunicorn]:
    port = free_port()
    env = dict(env)
    env.update({"GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers)})
    if settings_module:
        env["DJANGO_SETTINGS_MODULE"] = settings_module
    log_dir = log_dir or Path(tempfile.mkdtemp(prefix="ops-gunicorn-"))
    log_file = log_dir / f"gunicorn-{port}.log"
    with log_file.open("wb") as log:
        process = subprocess.Popen(
            [GUNICORN, "-c", "gunicorn.conf.py", "config.wsgi"],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Gunicorn(process=process, base_url=f"http://127.0.0.1:{port}", log_file=log_file)
    try:
        wait_until(lambda: _healthy(server), timeout=30, what=f"gunicorn on port {port}")
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def _healthy(server: Gunicorn) -> bool:
    if server.process.poll() is not None:
        raise RuntimeError(f"gunicorn exited early:\n{server.log_text()}")
    try:
        return requests.get(f"{server.base_url}/healthz", timeout=2).status_code == 200
    except requests.ConnectionError:
        return False
