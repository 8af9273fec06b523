"""Time the home page ("My work", issue 16 §2) of a CRM with 200 studies, in process, and count its
queries with 200 studies and with 20 (a page whose queries grow with the studies reads them one by one).

Run generate.py first (its `bench_crm` is CRM on 200 studies). Server time is measured around Django's
test client (middleware, view, every registered "my work" source, template; no network), after one
warm-up request. The peer is the portfolio page for the same person (bench_portfolio.py's target).

    python benchmarks/bench_home.py --database var/bench.sqlite3 --repeat 20
"""

import argparse
import os
import statistics
import sys
import time

from bench_portfolio import TARGET_MEDIAN_MS, database_description, measure
from generate import configure_django

REQUESTS = (
    ("my work", "/my-work/"),
    ("portfolio (peer)", "/"),
)


def per_source(user) -> list[tuple[str, float, int, int]]:
    """(label, median CPU seconds, queries, items) of each "my work" source for `user`, slowest first: CPU
    time (this process's), since the wall time of a machine shared with other work stretches with its load."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from trialdesk.core import extensions

    today = timezone.localdate()
    rows = []
    for source in extensions.my_work:
        times = []
        for _ in range(5):
            with CaptureQueriesContext(connection) as queries:
                began = time.process_time()
                count = len(list(source.items(user, today)))
                times.append(time.process_time() - began)
        rows.append((str(source.label), statistics.median(times), len(queries), count))
    return sorted(rows, key=lambda row: -row[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="SQLite file made by generate.py (default: DATABASE_URL or var/)")
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per URL")
    parser.add_argument("--user", default="bench_crm")
    args = parser.parse_args()

    configure_django(args.database)
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import setup_test_environment

    from trialdesk.core.models import RoleAssignment, User
    from trialdesk.studies.models import Study

    setup_test_environment()
    user = User.objects.filter(username=args.user).first()
    if user is None:
        print(f"No user {args.user!r}: run benchmarks/generate.py first.", file=sys.stderr)
        return 1
    client = Client()
    client.force_login(user)
    visible = Study.objects.visible_to(user).count()
    results = {label: measure(client, url, args.repeat) for label, url in REQUESTS}
    # The same page with the person on 20 of the studies (rolled back): its queries should not change.
    with transaction.atomic():
        kept = list(RoleAssignment.objects.filter(user=user).order_by("pk").values_list("pk", flat=True)[:20])
        RoleAssignment.objects.filter(user=user).exclude(pk__in=kept).delete()
        few = measure(client, REQUESTS[0][1], 3)
        few_studies = Study.objects.visible_to(user).count()
        transaction.set_rollback(True)

    print(f"{args.user} on {visible:,} of {Study.objects.count():,} studies, {args.repeat} requests each")
    for label, url in REQUESTS:
        result = results[label]
        if result["status"] != 200:
            print(f"  {label:18} GET {url}: status {result['status']}")
            return 1
        print(
            f"  {label:18} GET {url:12} median {result['median']:7.1f} ms  p95 {result['p95']:7.1f} ms  "
            f"{result['queries']:3} queries  {result['bytes']:,} bytes"
        )
    mine = results["my work"]
    ratio = mine["median"] / results["portfolio (peer)"]["median"]
    print(
        f"  my work / portfolio: {ratio:.2f}×; target median < {TARGET_MEDIAN_MS} ms: "
        f"{'met' if mine['median'] < TARGET_MEDIAN_MS else 'MISSED'}\n"
        f"  queries on {few_studies} studies: {few.get('queries')}, on {visible}: {mine['queries']}"
        f" ({'constant' if few.get('queries') == mine['queries'] else 'GROWS with the studies'})"
    )
    page_cpu = []
    for _ in range(args.repeat):
        began = time.process_time()
        client.get(REQUESTS[0][1])
        page_cpu.append(time.process_time() - began)
    print(f"  my work, CPU time of this process: median {statistics.median(page_cpu) * 1000:.1f} ms")
    print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print("  each source, median CPU time of 5 calls (the profile of the page):")
    for label, seconds, queries, count in per_source(user):
        print(f"    {label:40} {seconds * 1000:7.1f} ms  {queries:3} queries  {count:5} items")
    print(f"database: {database_description(connection)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
