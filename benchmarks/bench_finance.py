"""Time finance (issue 15): generating payables for 100,000 completed visits (target: under 10 s) and the
finance overview of a study with 300 sites (target: under 300 ms).

Sets up a fresh database with one study, 300 sites (each with a fee schedule in EUR), a 10-visit schedule,
10,000 participants (each site's enrolled every 9 days over 300 days) and their 100,000 visits done, and a
study budget (bulk-inserted, not timed). Then times
finance.services.payables.generate_payables (prices every visit with rules.earnings, inserts the lines in
bulk, one audit event per site with a digest: docs/adr/0005), the same generation again (nothing changes:
nothing added), and the overview: finance.estimates.study_finance (budget, spent, EAC, burn, each site's
totals, from the per-site, per-month sums PayableMonth) and the Finance tab as the browser gets it. Each
figure comes with the CPU time of this process (and, on PostgreSQL, of the server's backend) and the
load average: on a shared machine the wall clock depends on the load.

    python benchmarks/bench_finance.py [--sites 300] [--participants 10000] [--visits 10]
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from generate import configure_django, fresh_sqlite_file  # noqa: E402

GENERATION_TARGET_SECONDS = 10.0
OVERVIEW_TARGET_MS = 300.0
FIRST_VISIT = dt.date(2024, 1, 1)


def set_up(*, sites: int, participants: int, visits: int):
    from django.db import transaction

    from trialdesk.core.models import User
    from trialdesk.finance.models import BudgetVersion, FeeSchedule
    from trialdesk.sites.models import Institution, StudySite
    from trialdesk.studies.models import ProtocolVersion, Study
    from trialdesk.subjects.models import Participant
    from trialdesk.visits.models import ScheduledVisit, VisitDefinition

    with transaction.atomic():
        admin = User.objects.create_superuser("bench_admin", "bench@example.org", "trialdesk-bench")
        study = Study.objects.create(
            code="BENCH-FIN", title="Bench study for finance", phase="III", therapeutic_area="Oncology",
            sponsor="Bench", planned_enrollment=participants * 2,
        )  # fmt: skip
        institution = Institution.objects.create(
            name="Bench Hospital", city="Berlin", country="DE", time_zone="Europe/Berlin"
        )
        site_rows = StudySite.objects.bulk_create(
            StudySite(
                study=study, institution=institution, site_number=str(1001 + i), status="enrolling",
                activated_on=FIRST_VISIT - dt.timedelta(days=30),
            )
            for i in range(sites)
        )  # fmt: skip
        protocol = ProtocolVersion.objects.create(
            study=study, number="1.0", version_date=dt.date(2023, 6, 1), status="effective",
            effective_on=dt.date(2023, 7, 1),
        )  # fmt: skip
        definitions = VisitDefinition.objects.bulk_create(
            VisitDefinition(
                protocol_version=protocol, code=f"V{n:02d}", name=f"Visit {n}", visit_type="treatment",
                anchor="randomization", day_offset=14 * n, modalities=["on_site"], order=n,
            )
            for n in range(visits)
        )  # fmt: skip
        fees = {d.code: str(400 + 50 * i) for i, d in enumerate(definitions)}
        FeeSchedule.objects.bulk_create(
            FeeSchedule(
                study=study, study_site=site, effective_on=dt.date(2023, 1, 1), currency="EUR",
                overhead_percent=Decimal(25), holdback_percent=Decimal(10), payment_terms_days=45,
                startup_fee=Decimal(5000), closeout_fee=Decimal(2000), visit_fees=fees,
            )
            for site in site_rows
        )  # fmt: skip
        BudgetVersion.objects.create(
            study=study, number=1, currency="EUR", amounts={"sites": "80000000", "vendors": "5000000"},
            effective_on=dt.date(2023, 1, 1),
        )  # fmt: skip
        people = Participant.objects.bulk_create(
            (
                Participant(
                    study=study, study_site=site_rows[i % sites],
                    number=f"{1001 + i % sites}-{i // sites + 1:05d}",
                    status="randomized", enrolled_on=FIRST_VISIT + dt.timedelta(days=(i // sites) * 9 % 300),
                )
                for i in range(participants)
            ),
            batch_size=5000,
        )  # fmt: skip
        ScheduledVisit.objects.bulk_create(
            (
                ScheduledVisit(
                    participant=person, definition=definition, status="done", modality="on_site",
                    done_on=person.enrolled_on + dt.timedelta(days=14 * n),
                )
                for person in people
                for n, definition in enumerate(definitions)
            ),
            batch_size=5000,
        )  # fmt: skip
    return admin, study


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def load() -> str:
    """The 1-minute load average: on a shared machine the wall clock says little without it."""
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def server_cpu() -> float:
    """CPU seconds the PostgreSQL backend of this connection has used (0 on SQLite, which runs in this
    process, or when the server's /proc entry cannot be read)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Timer:
    """Wall clock, this process's CPU and the database server's CPU of what runs inside it."""

    def __enter__(self):
        self.server = server_cpu()
        self.cpu, self.wall = time.process_time(), time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu
        self.server = server_cpu() - self.server

    def cpu_text(self, scale: float = 1.0, unit: str = "s", digits: int = 2) -> str:
        text = f"CPU {self.cpu * scale:.{digits}f} {unit}"
        if self.server:
            text += f" + server {self.server * scale:.{digits}f} {unit}"
        return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=300)
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--visits", type=int, default=10)
    parser.add_argument(
        "--database", default="var/bench-finance.sqlite3", help='SQLite file; "" for DATABASE_URL'
    )
    args = parser.parse_args()
    if args.database:
        fresh_sqlite_file(args.database)
    configure_django(args.database or None)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from trialdesk.finance import estimates
    from trialdesk.finance.models import PayableLine
    from trialdesk.finance.services.payables import generate_payables

    settings.ALLOWED_HOSTS = ["*"]
    # As in production: no SQL kept per query (DEBUG=1 is only there to start without a SECRET_KEY).
    settings.DEBUG = False
    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    admin, study = set_up(sites=args.sites, participants=args.participants, visits=args.visits)
    print(
        f"Set up {args.sites} sites, {args.participants:,} participants, {args.participants * args.visits:,} "
        f"visits done in {time.perf_counter() - started:.1f} s ({connection.vendor})."
    )
    with Timer() as timer:
        report = generate_payables(study=study, by=admin, reason="benchmark")
    took = timer.wall
    print(
        f"Generated {report.lines_added:,} payable lines in {took:.2f} s ({timer.cpu_text()}; load "
        f"{load()}) (target {GENERATION_TARGET_SECONDS:.0f} s: {verdict(took < GENERATION_TARGET_SECONDS)})."
    )
    with Timer() as timer:
        again = generate_payables(study=study, by=admin, reason="benchmark rerun")
    print(f"Generating again added {again.lines_added} lines in {timer.wall:.2f} s ({timer.cpu_text()}).")
    assert PayableLine.objects.count() == report.lines_added
    today = timezone.localdate()
    timers = []
    for _ in range(7):
        with Timer() as timer:
            figures = estimates.study_finance(study, today)
        timers.append(timer)
    median = sorted(timers, key=lambda t: t.wall)[len(timers) // 2]
    print(
        f"Finance overview of {len(figures.sites)} sites (study_finance): "
        f"median {median.wall * 1000:.0f} ms ({median.cpu_text(1000, 'ms', 0)}; median CPU "
        f"{statistics.median(t.cpu for t in timers) * 1000:.0f} ms; load {load()}) "
        f"(target {OVERVIEW_TARGET_MS:.0f} ms: {verdict(median.wall * 1000 < OVERVIEW_TARGET_MS)})."
    )
    client = Client()
    client.force_login(admin)
    url = f"/studies/{study.pk}/?tab=finance"
    page_times = []
    for _ in range(5):
        started = time.perf_counter()
        response = client.get(url)
        page_times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    print(f"Finance tab page ({url}): median {statistics.median(page_times):.0f} ms (load {load()}).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
