"""Time the study status report PDF (issue 16 §3; target under 1 s): the report read for the study's CRM
and drawn as PDF with its charts (vl-convert), as `trialdesk report status` and the page's Download PDF do.

A fresh SQLite database gets the test world (tests.factories), study A with 30 more sites (planned and
actual activation dates), 150 participants, an adverse event with overdue obligations and a stored
enrollment forecast. The first PDF of a process also starts vl-convert's JavaScript engine, so it is
printed apart from the median of the next `--repeat`.

    python benchmarks/bench_report.py [--repeat 10] [--database var/bench-report.sqlite3]
"""

import argparse
import cProfile
import datetime as dt
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

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


def existing_world() -> SimpleNamespace:
    from trialdesk.core.models import User
    from trialdesk.studies.models import Study

    return SimpleNamespace(crm=User.objects.get(username="crm_anna"), study_a=Study.objects.get(code="ONC-A"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--database", default="var/bench-report.sqlite3")
    parser.add_argument("--profile", action="store_true", help="cProfile one PDF, charts drawn and kept")
    parser.add_argument(
        "--reuse", action="store_true", help="use an earlier run's database (set-up takes minutes)"
    )
    options = parser.parse_args()
    reuse = options.reuse and Path(options.database).exists()
    if options.database and not reuse:
        fresh_sqlite_file(options.database)
    configure_django(options.database)
    world = existing_world() if reuse else set_up()
    from django.conf import settings

    from trialdesk.core import charts
    from trialdesk.reporting import pdf, reports

    settings.DATA_DIR = Path(tempfile.mkdtemp(prefix="bench-report-"))  # the charts' files, apart

    def once(*, kept: str = "") -> tuple[float, float, int]:
        """Wall and CPU seconds (this process's, vl-convert's threads included) of one PDF, its charts
        drawn (kept=""), read from the files another process drew ("files") or kept in memory ("memory")."""
        if kept != "memory":
            charts.forget_pictures()
        if not kept:
            shutil.rmtree(charts.cache_dir(), ignore_errors=True)
        began, cpu = time.perf_counter(), time.process_time()
        document = pdf.report_pdf(reports.study_status_report(world.crm, world.study_a))
        return time.perf_counter() - began, time.process_time() - cpu, len(document)

    first, _, size = once()
    if options.profile:
        for kept in ("", "memory"):
            profiler = cProfile.Profile()
            profiler.runcall(once, kept=kept)
            print(f"charts kept in {kept}" if kept else "charts drawn")
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        return
    runs = {kept: [once(kept=kept)[:2] for _ in range(options.repeat)] for kept in ("", "files", "memory")}
    report = reports.study_status_report(world.crm, world.study_a)
    print(
        f"study status report PDF ({len(report.sections)} sections, {len(report.charts)} charts, "
        f"{size:,} bytes), load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs, "
        f"{options.repeat} runs each (target under 1 s):\n"
        f"  first in the process {first:.3f} s (imports the URL map, starts vl-convert)"
    )
    for kept, label in (
        ("", "charts drawn each time"),
        ("files", "charts read from the files another process drew (same data)"),
        ("memory", "charts kept in this process (same data)"),
    ):
        wall, cpu = zip(*runs[kept], strict=True)
        print(
            f"  {label}: median {statistics.median(wall):.3f} s (max {max(wall):.3f}), "
            f"CPU {statistics.median(cpu):.3f} s"
        )


if __name__ == "__main__":
    main()
