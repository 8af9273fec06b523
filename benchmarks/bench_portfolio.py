"""Time the portfolio page and the study list API for a CRM with 200 studies, in process.

Run generate.py first. Server time is measured around Django's test client (middleware, view,
queries, template or JSON rendering; no network), after one warm-up request per URL.

    python benchmarks/bench_portfolio.py --database var/bench.sqlite3 --repeat 30
"""

import argparse
import statistics
import sys
import time

from generate import configure_django

TARGET_MEDIAN_MS = 150
REQUESTS = (
    ("portfolio page", "/"),
    ("study list API", "/api/v1/studies?limit=50"),
)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def database_description(connection) -> str:
    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version} ({connection.settings_dict['NAME']})"
    version = connection.pg_version if connection.vendor == "postgresql" else ""
    if version:
        version = f"{version // 10000}.{version % 10000}"
    return f"{connection.vendor} {version}".strip()


def measure(client, url: str, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)  # warm-up: URL resolution, template loading, connection
    if response.status_code != 200:
        return {"status": response.status_code}
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    # Count now: the next request clears the connection's query log that `queries` reads from.
    query_count = len(queries.captured_queries)
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    return {
        "status": 200,
        "median": statistics.median(timings),
        "p95": p95(timings),
        "queries": query_count,
        "bytes": len(response.content),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="SQLite file made by generate.py (default: DATABASE_URL or var/)")
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per URL")
    parser.add_argument("--user", default="bench_crm")
    args = parser.parse_args()

    configure_django(args.database)
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from rich.console import Console
    from rich.table import Table

    from trialdesk.core.models import User
    from trialdesk.studies.models import Study

    setup_test_environment()  # lets the test client's host name through ALLOWED_HOSTS
    user = User.objects.filter(username=args.user).first()
    if user is None:
        print(f"No user {args.user!r}: run benchmarks/generate.py first.", file=sys.stderr)
        return 1
    client = Client()
    client.force_login(user)
    visible = Study.objects.visible_to(user).count()

    table = Table(
        title=f"{args.user} ({visible:,} of {Study.objects.count():,} studies), {args.repeat} requests each"
    )
    for column in ("request", "status", "median ms", "p95 ms", "queries", "target"):
        table.add_column(column, justify="left" if column in ("request", "target") else "right")
    broken = False
    for label, url in REQUESTS:
        result = measure(client, url, args.repeat)
        if result["status"] != 200:
            broken = True
            table.add_row(f"{label}  GET {url}", str(result["status"]), "-", "-", "-", "not available")
            continue
        verdict = "met" if result["median"] < TARGET_MEDIAN_MS else "MISSED"
        table.add_row(
            f"{label}  GET {url}",
            "200",
            f"{result['median']:.1f}",
            f"{result['p95']:.1f}",
            str(result["queries"]),
            f"median < {TARGET_MEDIAN_MS} ms: {verdict}",
        )
    console = Console(width=130)
    console.print(table)
    console.print(f"database: {database_description(connection)}")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
