"""Time monitoring at scale: `trialdesk monitoring due` for 2,000 sites and the CRM's oversight page.

Makes a fresh SQLite file (or uses DATABASE_URL with --database ''), bulk-inserts --studies studies of
--sites-per-study enrolling sites (2,000 by default), each study with a monitoring plan, every site set up
for one of 200 CRAs with geo points, 5 participants, an SIV and four interim visits conducted (with their
reports: approved, submitted or draft), one visit planned, two action items (one overdue), three
source-verified participants and, at one site in ten, an open issue; then scores every study's KRIs and
stores the sites' flags for the risk tiers (`trialdesk rbqm tiers`, the nightly job) and times, in
process, `monitoring due`, the oversight page (one study; all studies sorted by site, by tier, by the
visit due; by CRA) and the study's Monitoring tab:

    python benchmarks/bench_monitoring.py --studies 20 --sites-per-study 100 --repeat 5

Targets (issue 14): the CRM's oversight page under 300 ms. Bench data bypasses the services and the audit
trail on purpose (it measures reads).
"""

import argparse
import datetime as dt
import io
import sys
import time

from generate import CITIES, configure_django, fresh_sqlite_file
from measure import count_queries, timed

POINTS = {
    "Boston": (42.36, -71.06),
    "Houston": (29.76, -95.37),
    "Denver": (39.74, -104.99),
    "Los Angeles": (34.05, -118.24),
    "Toronto": (43.65, -79.38),
    "São Paulo": (-23.55, -46.63),
    "London": (51.51, -0.13),
    "Berlin": (52.52, 13.40),
    "Paris": (48.86, 2.35),
    "Madrid": (40.42, -3.70),
    "Milan": (45.46, 9.19),
    "Amsterdam": (52.37, 4.90),
    "Warsaw": (52.23, 21.01),
    "Stockholm": (59.33, 18.07),
    "Tokyo": (35.68, 139.65),
    "Seoul": (37.57, 126.98),
    "Mumbai": (19.08, 72.88),
    "Sydney": (-33.87, 151.21),
}
TARGET_MS = 300
SITES_PER_CRA = 10


def fill(studies: int, sites_per_study: int, today: dt.date):
    from django.db import transaction
    from django.utils import timezone

    from trialdesk.core.models import RoleAssignment, User
    from trialdesk.monitoring.models import (
        ActionItem,
        Issue,
        MonitoringPlan,
        MonitoringVisit,
        SiteMonitoring,
        SourceReview,
        TierRule,
        VisitReport,
    )
    from trialdesk.sites.models import Institution, StudySite
    from trialdesk.studies.models import Study
    from trialdesk.subjects.models import Participant

    day = dt.timedelta(days=1)
    with transaction.atomic():
        crm = User.objects.create_user("bench_crm", password="trialdesk-bench")
        made = Study.objects.bulk_create(
            Study(
                code=f"MON-{n:03d}",
                title=f"Monitoring bench {n}",
                phase="III",
                therapeutic_area="Oncology",
                sponsor="Bench",
                planned_enrollment=1000,
                status="recruiting",
            )
            for n in range(studies)
        )
        RoleAssignment.objects.bulk_create(RoleAssignment(user=crm, role="crm", study=s) for s in made)
        plans = MonitoringPlan.objects.bulk_create(
            MonitoringPlan(study=s, number=1, effective_on=today - 500 * day, created_by=crm) for s in made
        )
        TierRule.objects.bulk_create(
            TierRule(
                plan=p,
                tier=tier,
                interval_days=days,
                modality=mode,
                remote_allowed=tier != "high",
                sdv_percent=sdv,
                sdr_percent=100,
                critical_sdv_percent=100,
            )
            for p in plans
            for tier, days, mode, sdv in (
                ("low", 84, "remote", 20),
                ("medium", 56, "alternating", 50),
                ("high", 28, "on_site", 100),
            )
        )
        total = studies * sites_per_study
        places = [CITIES[i % len(CITIES)] for i in range(total)]
        institutions = Institution.objects.bulk_create(
            Institution(name=f"{city} Hospital {i}", city=city, country=country, time_zone=zone)
            for i, (city, country, zone) in enumerate(places)
        )
        sites = StudySite.objects.bulk_create(
            StudySite(
                study=made[i // sites_per_study],
                institution=institutions[i],
                site_number=f"{1000 + i % sites_per_study}",
                status="enrolling",
                activated_on=today - 400 * day,
            )
            for i in range(total)
        )
        cras = User.objects.bulk_create(User(username=f"cra_{n:03d}") for n in range(total // SITES_PER_CRA))
        RoleAssignment.objects.bulk_create(
            RoleAssignment(user=cras[i // SITES_PER_CRA], role="monitor", study_site=site)
            for i, site in enumerate(sites)
        )
        SiteMonitoring.objects.bulk_create(
            SiteMonitoring(
                study_id=site.study_id,
                study_site=site,
                cra=cras[i // SITES_PER_CRA],
                site_latitude=POINTS[places[i][0]][0],
                site_longitude=POINTS[places[i][0]][1],
                cra_base="Frankfurt",
                cra_base_latitude=50.11,
                cra_base_longitude=8.68,
            )
            for i, site in enumerate(sites)
        )
        participants = Participant.objects.bulk_create(
            Participant(
                study_id=site.study_id,
                study_site=site,
                number=f"{site.site_number}-{site.study_id}-{k}",
                status="enrolled",
                enrolled_on=today - (360 - k * 20) * day,
            )
            for site in sites
            for k in range(5)
        )
        visits = []
        for i, site in enumerate(sites):
            cra = cras[i // SITES_PER_CRA]
            common = dict(study_id=site.study_id, study_site=site, cra=cra, status="conducted")
            visits.append(
                MonitoringVisit(
                    visit_type="siv",
                    planned_on=today - 407 * day,
                    conducted_on=today - 407 * day,
                    travel_km=900,
                    kg_co2e=150,
                    travel_days=1,
                    **common,
                )
            )
            for k in range(4):
                on = today - (300 - k * 70) * day
                modality = "on_site" if k % 2 == 0 else "remote"
                visits.append(
                    MonitoringVisit(
                        visit_type="imv",
                        modality=modality,
                        planned_on=on,
                        conducted_on=on,
                        travel_km=900 if k % 2 == 0 else 0,
                        kg_co2e=150 if k % 2 == 0 else 0,
                        travel_days=1 if k % 2 == 0 else 0,
                        **common,
                    )
                )
            visits.append(
                MonitoringVisit(
                    study_id=site.study_id,
                    study_site=site,
                    cra=cra,
                    visit_type="imv",
                    planned_on=today + 10 * day,
                )
            )
        visits = MonitoringVisit.objects.bulk_create(visits)
        now = timezone.now()
        reports = VisitReport.objects.bulk_create(
            VisitReport(
                visit=v,
                study_id=v.study_id,
                study_site=v.study_site,
                due_on=v.conducted_on + 14 * day,
                status="approved"
                if v.conducted_on < today - 60 * day
                else ("submitted" if n % 2 else "draft"),
                submitted_at=now - (today - v.conducted_on - 7 * day)
                if v.conducted_on < today - 30 * day
                else None,
                approved_at=now - (today - v.conducted_on - 12 * day)
                if v.conducted_on < today - 60 * day
                else None,
            )
            for n, v in enumerate(visits)
            if v.status == "conducted"
        )
        by_site = {r.study_site_id: r for r in reports}
        ActionItem.objects.bulk_create(
            ActionItem(
                study_id=site.study_id,
                study_site=site,
                number=i * 2 + k + 1,
                report=by_site[site.pk],
                description="Re-consent",
                owner=cras[i // SITES_PER_CRA],
                raised_on=today - (40 - k * 30) * day,
                due_on=today + (k * 30 - 10) * day,
            )
            for i, site in enumerate(sites)
            for k in range(2)
        )
        SourceReview.objects.bulk_create(
            SourceReview(
                report=by_site[p.study_site_id],
                study_id=p.study_id,
                study_site_id=p.study_site_id,
                participant=p,
                kind="sdv",
                critical_data=True,
            )
            for n, p in enumerate(participants)
            if n % 5 < 3
        )
        Issue.objects.bulk_create(
            Issue(
                study_id=site.study_id,
                study_site=site,
                number=i + 1,
                title="Late SAE report",
                category="safety",
                severity="major",
                owner=crm,
                due_on=today + 30 * day,
            )
            for i, site in enumerate(sites)
            if i % 10 == 0
        )
    return crm, made, len(sites), len(visits)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database", default="var/bench-monitoring.sqlite3", help="SQLite file ('' for DATABASE_URL)"
    )
    parser.add_argument("--studies", type=int, default=20)
    parser.add_argument("--sites-per-study", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    if args.database:
        fresh_sqlite_file(args.database)
    configure_django(args.database or None)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    crm, studies, site_count, visit_count = fill(args.studies, args.sites_per_study, timezone.localdate())
    print(
        f"bulk-inserted {site_count:,} sites and {visit_count:,} visits "
        f"in {time.perf_counter() - started:.1f} s"
    )

    setup_test_environment()
    client = Client()
    client.force_login(crm)
    started = time.perf_counter()
    call_command("rbqm", "tiers", stdout=io.StringIO(), stderr=io.StringIO())
    print(
        f"trialdesk rbqm tiers (KRIs of {len(studies)} studies scored, flags stored): "
        f"{(time.perf_counter() - started) * 1000:.0f} ms"
    )

    def due():
        call_command("monitoring", "due", "--json", stdout=io.StringIO())

    checks = (
        (f"trialdesk monitoring due --json ({site_count:,} sites)", due, None),
        (
            f"oversight page, one study ({args.sites_per_study} sites)",
            lambda: client.get(f"/monitoring/oversight/?study={studies[0].pk}"),
            TARGET_MS,
        ),
        *(
            (
                f"oversight page, all studies ({site_count:,} sites), {what}",
                lambda query=query: client.get(f"/monitoring/oversight/?study=all{query}"),
                TARGET_MS,
            )
            for what, query in (
                ("sorted by site (the default)", ""),
                ("sorted by tier", "&sort=tier"),
                ("sorted by next visit due", "&sort=next_due"),
                ("by CRA", "&by=cra"),
            )
        ),
        (
            f"study page, Monitoring tab ({args.sites_per_study} sites)",
            lambda: client.get(f"/studies/{studies[0].pk}/?tab=monitoring"),
            None,
        ),
    )
    print(
        "database:",
        connection.vendor,
        connection.Database.sqlite_version if connection.vendor == "sqlite" else "",
    )
    failed = False
    for label, call, target in checks:
        queries = count_queries(connection, call)
        median, p95 = timed(call, args.repeat)
        verdict = "" if target is None else (" ok" if median < target else f" OVER the {target} ms target")
        failed |= target is not None and median >= target
        print(f"{label}: median {median:.0f} ms, p95 {p95:.0f} ms, {queries} queries{verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
