"""Time the study status report PDF (issue 16 §3; target under 1 s): the report read for the study's CRM
and drawn as PDF with its charts (vl-convert), as `trialdesk report status` and the page's Download PDF do.

A fresh SQLite database gets the test world (tests.factories), study A with 30 more sites (planned and
actual activation dates), 150 participants, an adverse event with overdue obligations and a stored
enrollment forecast. The first PDF of a process also starts vl-convert's JavaScript engine, so it is
printed apart from the median of the next `--repeat`.

    python benchmarks/bench_report.py [--repeat 10] [--database var/bench-report.sqlite3]
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]  # the test factories build the study

from generate import configure_django, fresh_sqlite_file  # noqa: E402

EXTRA_SITES, PARTICIPANTS = 30, 150


def set_up():
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from tests.factories import build_world, make_participant, make_site
    from trialdesk.core import records
    from trialdesk.reporting.tests.factories import world_with_safety
    from trialdesk.statistics import forecasts

    world = build_world()
    world_with_safety(world)
    start = dt.date(2025, 1, 6)
    sites = [world.site_a1, world.site_a2]
    for n in range(EXTRA_SITES):
        site = make_site(world.study_a, str(200 + n), by=world.admin)
        planned = start + dt.timedelta(days=10 * n)
        actual = planned + dt.timedelta(days=n % 7 * 5) if n % 3 else None
        changes = {"planned_activation_on": planned, "activated_on": actual}
        sites.append(records.update_record(site, changes=changes, by=world.admin, reason="bench plan"))
    for n in range(PARTICIPANTS):
        make_participant(sites[n % len(sites)], f"P-{n:04d}", by=world.admin)
    forecasts.refresh_enrollment_forecast(study=world.study_a)
    return world


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--database", default="var/bench-report.sqlite3")
    options = parser.parse_args()
    if options.database:
        fresh_sqlite_file(options.database)
    configure_django(options.database)
    world = set_up()
    from trialdesk.core import charts
    from trialdesk.reporting import pdf, reports

    def once(*, cached: bool) -> tuple[float, int]:
        if not cached:
            charts._jpeg.cache_clear()
        began = time.perf_counter()
        document = pdf.report_pdf(reports.study_status_report(world.crm, world.study_a))
        return time.perf_counter() - began, len(document)

    first, size = once(cached=False)
    drawn = [once(cached=False)[0] for _ in range(options.repeat)]
    kept = [once(cached=True)[0] for _ in range(options.repeat)]
    report = reports.study_status_report(world.crm, world.study_a)
    print(
        f"study status report PDF ({len(report.sections)} sections, {len(report.charts)} charts, "
        f"{size:,} bytes), "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs:\n"
        f"  first in the process {first:.3f} s (imports the URL map, starts vl-convert)\n"
        f"  charts drawn each time: median {statistics.median(drawn):.3f} s, max {max(drawn):.3f} s\n"
        f"  charts kept from the last time (same data): median {statistics.median(kept):.3f} s\n"
        f"  over {options.repeat} runs each; target under 1 s"
    )


if __name__ == "__main__":
    main()
