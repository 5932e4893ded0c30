"""A short run of the whole benchmark: generator, gunicorn, every scenario, the report.

It checks that the benchmark works, not how fast the API is: timings on a shared CI
machine would make any latency assertion flaky.
"""

import json
import os
import subprocess
import sys

from bench.scenarios import SCENARIOS
from bench.servers import REPO_ROOT, manage, private_postgres, production_env


def test_benchmark_smoke_run(tmp_path):
    with private_postgres() as postgres:
        env = production_env(postgres.url)
        manage(env, "migrate", "--noinput")
        generated = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.generate",
                "--tickets",
                "2000",
                "--users",
                "50",
                "--no-progress",
            ],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert generated.returncode == 0, generated.stderr
        assert "Loaded 2,000 tickets" in generated.stdout

        subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.run",
                "--database-url",
                postgres.url,
                "--label",
                "smoke",
                "--clients",
                "1,2",
                "--workers",
                "2",
                "--duration",
                "0.5",
                "--requests",
                "10",
                "--warmup",
                "2",
                "--output-dir",
                str(tmp_path),
            ],
            cwd=REPO_ROOT,
            env={**os.environ},
            check=True,
            timeout=300,
        )

    for clients in (1, 2):
        report = json.loads((tmp_path / f"smoke-c{clients}.json").read_text())
        assert report["clients"] == clients
        rows = {row["scenario"]: row for row in report["results"]}
        assert set(rows) == set(SCENARIOS)
        for name, row in rows.items():
            assert row["requests"] > 0, name
            assert row["errors"] == 0, (name, row["statuses"])
            assert 0 < row["p50_ms"] <= row["p95_ms"] <= row["p99_ms"], name
            assert row["throughput_rps"] > 0, name
            assert row["p50_vs_bare"] > 0, name
        # The floor does no database work, and every API read is the token's user plus
        # one query for the data.
        assert rows["bare"]["queries_per_request"] == 0
        assert rows["bare_auth"]["queries_per_request"] == 1
        for name in (
            "get_ticket",
            "list_first_page",
            "list_deep_page",
            "list_by_status",
            "list_by_assignee",
            "search",
            "available_users",
            "available_admins",
        ):
            assert rows[name]["queries_per_request"] == 2, name
