"""Print Markdown tables from the JSON files that `bench.run` writes.

    python -m bench.report /tmp/bench-results

One table per data set and client count, then the 1,000,000 / 10,000 ratio of each
scenario's p50 with one client when both data sets are there.
"""

import json
import sys
from pathlib import Path


def load_reports(directory: Path) -> dict[tuple[str, int], dict]:
    reports = {}
    for path in sorted(directory.glob("*-c*.json")):
        report = json.loads(path.read_text())
        reports[(report["label"], report["clients"])] = report
    return reports


def print_table(report: dict) -> None:
    load_before = ", ".join(f"{value:.1f}" for value in report["load_average_before"])
    print(
        f"### {report['label']}, {report['clients']} client(s), "
        f"{report['workers']} gunicorn workers (load average before: {load_before})\n"
    )
    print(
        "| scenario | requests | errors | req/s | p50 ms | p95 ms | p99 ms | p50 / bare | queries |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in report["results"]:
        print(
            f"| {row['scenario']} | {row['requests']} | {row['errors']} | "
            f"{row['throughput_rps']:.0f} | {row['p50_ms']:.1f} | {row['p95_ms']:.1f} | "
            f"{row['p99_ms']:.1f} | {row.get('p50_vs_bare', float('nan')):.1f} | "
            f"{row['queries_per_request']} |"
        )
    print()


def print_growth(small: dict, large: dict) -> None:
    print(f"### p50 at {large['label']} / p50 at {small['label']}, one client\n")
    print("| scenario | p50 small ms | p50 large ms | ratio |")
    print("|---|---:|---:|---:|")
    small_rows = {row["scenario"]: row for row in small["results"]}
    for row in large["results"]:
        before = small_rows.get(row["scenario"])
        if before:
            ratio = row["p50_ms"] / before["p50_ms"]
            print(
                f"| {row['scenario']} | {before['p50_ms']:.1f} | {row['p50_ms']:.1f} | "
                f"{ratio:.2f} |"
            )
    print()


def main() -> None:
    directory = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    reports = load_reports(directory)
    for key in sorted(reports, key=lambda key: (key[0], key[1])):
        print_table(reports[key])
    if ("10k", 1) in reports and ("1m", 1) in reports:
        print_growth(reports[("10k", 1)], reports[("1m", 1)])


if __name__ == "__main__":
    main()
