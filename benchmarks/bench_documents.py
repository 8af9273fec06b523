"""Time the expected-document list (and its completeness) for a study with 300 sites.

Makes a fresh SQLite file (or uses DATABASE_URL with --database ''), bulk-inserts one study with
3 approved protocol versions and --sites sites in several countries and time zones, an investigator and
a coordinator at each, and about half of the expected documents on file (records only: no files are
written, since the list reads metadata), then times:

    python benchmarks/bench_documents.py --sites 300 --repeat 5

the pure generation (expectations.expected_documents), the selector that loads the facts and matches what is
on file, completeness, the study page's Documents tab and the API's first page. Target (issue 7): the
expected list for 300 sites in under 2 s. Bench data bypasses the services and the audit trail on purpose.
"""

import argparse
import datetime as dt
import statistics
import sys
import time

from generate import CITIES, configure_django, fresh_sqlite_file

TARGET_S = 2.0


def fill(site_count: int):
    from django.db import transaction

    from trialdesk.core.models import RoleAssignment, User
    from trialdesk.documents.models import TmfProfile
    from trialdesk.sites.models import Institution, StudySite
    from trialdesk.studies.models import ProtocolVersion, Study

    with transaction.atomic():
        crm = User.objects.create_user("bench_crm", password="trialdesk-bench")
        study = Study.objects.create(
            code="BENCH-TMF",
            title="Essential documents benchmark",
            phase="III",
            therapeutic_area="Oncology",
            sponsor="Bench",
            planned_enrollment=3000,
            status="recruiting",
        )
        TmfProfile.objects.create(study=study, us_ind=True)
        RoleAssignment.objects.create(user=crm, role="crm", study=study)
        for number, day, amendment in (
            ("1.0", dt.date(2024, 1, 1), None),
            ("2.0", dt.date(2024, 9, 1), 1),
            ("3.0", dt.date(2025, 5, 1), 2),
        ):
            ProtocolVersion.objects.create(
                study=study,
                number=number,
                version_date=day,
                amendment_number=amendment,
                status="effective" if number == "3.0" else "superseded",
                approved_on=day,
                effective_on=day,
            )
        institutions = Institution.objects.bulk_create(
            Institution(name=f"{city} Hospital {i}", city=city, country=country, time_zone=zone)
            for i, (city, country, zone) in enumerate(CITIES[i % len(CITIES)] for i in range(site_count))
        )
        sites = StudySite.objects.bulk_create(
            StudySite(
                study=study,
                institution=inst,
                site_number=f"{1000 + n}",
                status="enrolling",
                activated_on=dt.date(2024, 3, 1) + dt.timedelta(days=n % 600),
            )
            for n, inst in enumerate(institutions)
        )
        staff = User.objects.bulk_create(
            User(username=f"bench_{role}_{n}", first_name=role.title(), last_name=str(n))
            for n in range(site_count)
            for role in ("investigator", "coordinator")
        )
        RoleAssignment.objects.bulk_create(
            RoleAssignment(user=user, role=user.first_name.lower(), study_site=sites[i // 2])
            for i, user in enumerate(staff)
        )
    return crm, study


def file_half(crm, study) -> int:
    """File every second expected document (records only), some expiring."""
    from django.db import transaction

    from trialdesk.documents import selectors
    from trialdesk.documents.models import Document, DocumentVersion
    from trialdesk.studies.models import ProtocolVersion

    versions = dict(ProtocolVersion.objects.filter(study=study).values_list("number", "pk"))
    expected = [row.expected for row in selectors.expected_documents_for(crm, study)][::2]
    with transaction.atomic():
        documents = Document.objects.bulk_create(
            Document(
                study=study,
                level=e.level,
                country=e.country,
                study_site_id=e.study_site_id,
                artifact_number=e.artifact_number,
                title=e.title,
                protocol_version_id=versions.get(e.protocol_version),
                person_id=e.person_id,
            )
            for e in expected
        )
        DocumentVersion.objects.bulk_create(
            DocumentVersion(
                document=d,
                number=1,
                sha256=f"{i:064x}",
                size=1000,
                filename="bench.pdf",
                media_type="application/pdf",
                document_date=dt.date(2025, 1, 1),
                expires_on=dt.date(2025, 1, 1) + dt.timedelta(days=300 + i % 400),
            )
            for i, d in enumerate(documents)
        )
    return len(documents)


def count_queries(connection, call) -> list[str]:
    """The SQL run by `call`, counted by a wrapper (the test client clears connection.queries)."""
    seen: list[str] = []

    def wrapper(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        call()
    return seen


def timed(call, repeat: int) -> tuple[float, float]:
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), max(seconds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database", default="var/bench-documents.sqlite3", help="SQLite file ('' for DATABASE_URL)"
    )
    parser.add_argument("--sites", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    if args.database:
        fresh_sqlite_file(args.database)
    configure_django(args.database or None)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from trialdesk.documents import selectors
    from trialdesk.documents.rules import expectations

    call_command("migrate", verbosity=0)
    crm, study = fill(args.sites)
    on_file = file_half(crm, study)
    facts = selectors.study_facts(study)
    sites = selectors.site_rows(selectors.sites_for(crm, study))
    site_facts = selectors.site_facts(sites)
    expected = expectations.expected_documents(facts, site_facts)
    print(f"{args.sites} sites: {len(expected):,} expected documents, {on_file:,} on file")

    setup_test_environment()
    client = Client()
    client.force_login(crm)
    checks = (
        (
            "expectations.expected_documents (pure)",
            lambda: expectations.expected_documents(facts, site_facts),
        ),
        ("expected_documents_for (load + match)", lambda: selectors.expected_documents_for(crm, study)),
        (
            "  + completeness",
            lambda: selectors.completeness(selectors.expected_documents_for(crm, study)),
        ),
        ("GET study page, Documents tab", lambda: client.get(f"/studies/{study.pk}/?tab=documents")),
        (
            "GET /api/v1/studies/{id}/expected-documents",
            lambda: client.get(f"/api/v1/studies/{study.pk}/expected-documents?limit=50"),
        ),
    )
    failed = False
    for label, call in checks:
        queries = count_queries(connection, call)
        median, worst = timed(call, args.repeat)
        verdict = "met" if median < TARGET_S else "MISSED"
        failed |= median >= TARGET_S
        timing = f"median {median * 1000:8.1f} ms  max {worst * 1000:8.1f} ms"
        print(f"{label:45s} {timing}  {len(queries):4d} queries  <{TARGET_S:.0f} s: {verdict}")
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
