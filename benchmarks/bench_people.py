"""Time the people reads other apps lean on: training gaps for 300 sites, may_perform, the Staff tab.

Makes a fresh SQLite file (or uses DATABASE_URL with --database ''), bulk-inserts one study with 300 sites
in several time zones, 5 staff per site (an investigator, a sub-investigator, three coordinators) with
GCP, system and protocol v1.0 training (one in five also trained on v2.0), a signed delegation-log line
for each, and an initial disclosure from each PI, then times, in process:

    python benchmarks/bench_people.py --sites 300 --repeat 20

`protocol_training_gaps` is called by the amendment status (issue 7: 300 sites in under 300 ms in all),
so it has the tightest budget; `may_perform` runs on every consent and causality recorded.
Bench data bypasses the services and the audit trail on purpose (it measures reads).
"""

import argparse
import datetime as dt
import sys
import time

from generate import CITIES, configure_django, fresh_sqlite_file
from measure import count_queries, timed

STAFF = (("investigator", "principal_investigator"), ("investigator", "sub_investigator")) + (
    ("coordinator", "study_coordinator"),
) * 3
TARGETS_MS = {"gaps": 100, "may_perform": 5, "tab": 1500, "api": 200}


def fill(site_count: int):
    from django.db import transaction
    from django.utils import timezone

    from trialdesk.core.models import RoleAssignment, User
    from trialdesk.people.models import DelegationEntry, FinancialDisclosure, TrainingRecord
    from trialdesk.sites.models import Institution, StudySite
    from trialdesk.studies.models import ProtocolVersion, Study

    signed_at = timezone.now() - dt.timedelta(days=200)
    with transaction.atomic():
        crm = User.objects.create_user("bench_crm", password="trialdesk-bench")
        study = Study.objects.create(
            code="BENCH-PEOPLE", title="People benchmark", phase="III", therapeutic_area="Oncology",
            sponsor="Bench", planned_enrollment=1000, status="recruiting",
        )  # fmt: skip
        RoleAssignment.objects.create(user=crm, role="crm", study=study)
        v1, v2 = ProtocolVersion.objects.bulk_create(
            ProtocolVersion(study=study, number=n, version_date=d, status=s, approved_on=d)
            for n, d, s in (
                ("1.0", dt.date(2024, 1, 1), "superseded"),
                ("2.0", dt.date(2025, 6, 1), "effective"),
            )
        )
        institutions = Institution.objects.bulk_create(
            Institution(name=f"{city} Hospital {i}", city=city, country=country, time_zone=zone)
            for i, (city, country, zone) in enumerate(CITIES[i % len(CITIES)] for i in range(site_count))
        )
        sites = StudySite.objects.bulk_create(
            StudySite(study=study, institution=inst, site_number=f"{1000 + n}", status="enrolling")
            for n, inst in enumerate(institutions)
        )
        users = User.objects.bulk_create(
            User(username=f"staff_{site.site_number}_{k}") for site in sites for k in range(len(STAFF))
        )
        placed = [
            (site, users[i * len(STAFF) + k], STAFF[k])
            for i, site in enumerate(sites)
            for k in range(len(STAFF))
        ]
        RoleAssignment.objects.bulk_create(
            RoleAssignment(user=user, role=role, study_site=site) for site, user, (role, _) in placed
        )
        records = []
        for n, (site, user, _) in enumerate(placed):
            common = dict(study=study, study_site=site, staff_member=user, completed_on=dt.date(2024, 2, 1))
            records += [
                TrainingRecord(kind="gcp", expires_on=dt.date(2030, 1, 1), **common),
                TrainingRecord(kind="system", **common),
                TrainingRecord(kind="protocol", protocol_version=v1, **common),
            ]
            if n % 5 == 0:
                records.append(TrainingRecord(kind="protocol", protocol_version=v2, **common))
        TrainingRecord.objects.bulk_create(records)
        DelegationEntry.objects.bulk_create(
            DelegationEntry(
                study=study, study_site=site, staff_member=user, study_role=study_role,
                tasks=["consent", "eligibility", "crf_entry"], starts_on=dt.date(2024, 3, 1),
                signed_by=user, signed_at=signed_at, meaning="delegation approved", reauthenticated=True,
            )
            for site, user, (_, study_role) in placed
        )  # fmt: skip
        FinancialDisclosure.objects.bulk_create(
            FinancialDisclosure(
                study=study,
                study_site=site,
                investigator=user,
                occasion="initial",
                disclosed_on=dt.date(2024, 2, 1),
            )
            for site, user, (_, study_role) in placed
            if study_role == "principal_investigator"
        )
    return crm, study, sites, users, v2


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database", default="var/bench-people.sqlite3", help="SQLite file ('' for DATABASE_URL)"
    )
    parser.add_argument("--sites", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    if args.database:
        fresh_sqlite_file(args.database)
    configure_django(args.database or None)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from trialdesk.people import selectors

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    crm, study, sites, users, v2 = fill(args.sites)
    print(
        f"bulk-inserted {args.sites} sites with {len(users):,} staff in {time.perf_counter() - started:.1f} s"
    )

    setup_test_environment()
    client = Client()
    client.force_login(crm)
    site_ids = [site.pk for site in sites]
    gaps = selectors.protocol_training_gaps(site_ids, v2)
    print(f"{sum(len(v) for v in gaps.values()):,} staff on the logs lack training on v2.0")
    checks = (
        (f"protocol_training_gaps({args.sites} sites)", "gaps",
         lambda: selectors.protocol_training_gaps(site_ids, v2)),
        ("may_perform(staff, site, 'consent')", "may_perform",
         lambda: selectors.may_perform(users[2], sites[0], "consent")),
        ("GET study page, Staff tab", "tab", lambda: client.get(f"/studies/{study.pk}/?tab=staff")),
        ("GET /api/v1/study-sites/{id}/delegation-entries", "api",
         lambda: client.get(f"/api/v1/study-sites/{sites[0].pk}/delegation-entries")),
    )  # fmt: skip
    failed = False
    for label, key, call in checks:
        queries = count_queries(connection, call)
        median, p95 = timed(call, args.repeat)
        target = TARGETS_MS[key]
        verdict = "met" if median < target else "MISSED"
        failed |= median >= target
        timing = f"median {median:8.1f} ms  p95 {p95:8.1f} ms"
        print(f"{label:48s} {timing}  {queries:5d} queries  <{target} ms: {verdict}")
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
