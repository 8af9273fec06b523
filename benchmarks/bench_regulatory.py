"""Time the amendment status for a study with 300 sites and 10,000 participants (issue 7: under 300 ms).

Makes a fresh SQLite file (or uses DATABASE_URL with --database ''), bulk-inserts one study with 300 sites
in the benchmark cities, 10,000 enrolled participants consented on v1.0, protocol v2.0 being implemented
with its consent v2.0: a third of the sites have the amendment's ethics approval and the new consent
approved there, and a quarter of their participants re-consented; another third have submitted. Then it
times, in process, the selector, the `trialdesk regulatory amendment-status --json` report, the API and
the Amendments tab:

    python benchmarks/bench_regulatory.py --sites 300 --participants 10000 --repeat 10

Bench data bypasses the services and the audit trail on purpose (it measures reads). The people and
documents apps' contract reads (training gaps, outstanding documents) are timed as they are installed.
"""

import argparse
import datetime as dt
import sys
import time

from generate import CITIES, configure_django, fresh_sqlite_file
from measure import count_queries, timed

TARGET_MS = 300


def fill(site_count: int, participants: int):
    from django.db import transaction

    from trialdesk.core.models import RoleAssignment, User
    from trialdesk.regulatory.models import AmendmentImplementation, EthicsCommittee, Submission
    from trialdesk.sites.models import Institution, StudySite
    from trialdesk.studies.models import ProtocolVersion, Study
    from trialdesk.subjects.models import Consent, ConsentApproval, ConsentVersion, Participant

    with transaction.atomic():
        crm = User.objects.create_user("bench_crm", password="trialdesk-bench")
        study = Study.objects.create(
            code="BENCH-AMEND",
            title="Amendment benchmark",
            phase="III",
            therapeutic_area="Oncology",
            sponsor="Bench",
            planned_enrollment=participants,
            status="recruiting",
        )
        RoleAssignment.objects.create(user=crm, role="crm", study=study)
        v1_protocol = ProtocolVersion.objects.create(
            study=study, number="1.0", version_date=dt.date(2025, 1, 1), status="effective"
        )
        v2_protocol = ProtocolVersion.objects.create(
            study=study, number="2.0", version_date=dt.date(2025, 6, 1), status="approved", amendment_number=1
        )
        institutions = Institution.objects.bulk_create(
            Institution(name=f"{city} Hospital {i}", city=city, country=country, time_zone=zone)
            for i, (city, country, zone) in ((i, CITIES[i % len(CITIES)]) for i in range(site_count))
        )
        sites = StudySite.objects.bulk_create(
            StudySite(study=study, institution=inst, site_number=f"{1000 + n}", status="enrolling")
            for n, inst in enumerate(institutions)
        )
        committees = EthicsCommittee.objects.bulk_create(
            EthicsCommittee(name=f"EC {inst.name}", country=inst.country, committee_type="local_ec")
            for inst in institutions
        )
        v1, v2 = ConsentVersion.objects.bulk_create(
            ConsentVersion(
                study=study, protocol_version=protocol, label=label, language="en", effective_on=day
            )
            for protocol, label, day in (
                (v1_protocol, "1.0", dt.date(2025, 1, 1)),
                (v2_protocol, "2.0", dt.date(2025, 6, 1)),
            )
        )
        implementation = AmendmentImplementation.objects.create(
            study=study, protocol_version=v2_protocol, started_on=dt.date(2025, 6, 2), changes_schedule=True
        )
        approved_sites = sites[: site_count // 3]
        submitted_sites = sites[: 2 * site_count // 3]
        Submission.objects.bulk_create(
            Submission(
                study=study,
                study_site=site,
                country=site.institution.country,
                ethics_committee=committee,
                kind="amendment",
                protocol_version=v2_protocol,
                submitted_on=dt.date(2025, 6, 5),
                outcome="approved" if site in approved_sites else "",
                decided_on=dt.date(2025, 6, 20) if site in approved_sites else None,
            )
            for site, committee in zip(submitted_sites, committees, strict=False)
        )
        ConsentApproval.objects.bulk_create(
            [
                ConsentApproval(
                    study=study, consent_version=v1, study_site=s, approved_on=dt.date(2025, 2, 1)
                )
                for s in sites
            ]
            + [
                ConsentApproval(
                    study=study, consent_version=v2, study_site=s, approved_on=dt.date(2025, 6, 25)
                )
                for s in approved_sites
            ]
        )
        people = Participant.objects.bulk_create(
            Participant(
                study=study,
                study_site=sites[n % site_count],
                number=f"{sites[n % site_count].site_number}-{n // site_count + 1:04d}",
                sequence=n // site_count + 1,
                status="enrolled",
                enrolled_on=dt.date(2025, 3, 4),
                status_changed_on=dt.date(2025, 3, 4),
            )
            for n in range(participants)
        )
        approved_ids = {s.pk for s in approved_sites}
        consents = [
            Consent(
                study=study,
                study_site_id=p.study_site_id,
                participant=p,
                consent_version=v1,
                signed_at=dt.datetime(2025, 3, 3, 10, tzinfo=dt.UTC),
                obtained_by="Bench nurse",
            )
            for p in people
        ]
        consents += [
            Consent(
                study=study,
                study_site_id=p.study_site_id,
                participant=p,
                consent_version=v2,
                signed_at=dt.datetime(2025, 7, 1, 10, tzinfo=dt.UTC),
                obtained_by="Bench nurse",
            )
            for n, p in enumerate(people)
            if p.study_site_id in approved_ids and n % 4 == 0
        ]
        Consent.objects.bulk_create(consents, batch_size=2000)
    return crm, study, implementation


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database", default="var/bench-regulatory.sqlite3", help="SQLite file ('' for DATABASE_URL)"
    )
    parser.add_argument("--sites", type=int, default=300)
    parser.add_argument("--participants", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()

    if args.database:
        fresh_sqlite_file(args.database)
    configure_django(args.database or None)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from trialdesk.regulatory import selectors

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    crm, study, implementation = fill(args.sites, args.participants)
    print(
        f"bulk-inserted {args.sites} sites and {args.participants:,} participants "
        f"in {time.perf_counter() - started:.1f} s"
    )
    report = selectors.amendment_status_report(study_code=study.code)
    pending = sum(len(site["reconsent_pending"]) for site in report["studies"][0]["sites"])
    print(f"{len(report['studies'][0]['sites'])} sites in the report, {pending:,} participants to re-consent")

    setup_test_environment()
    client = Client()
    client.force_login(crm)
    checks = (
        (
            "amendment_status() (selector)",
            lambda: selectors.amendment_status(implementation, list(selectors.affected_sites(study))),
        ),
        ("amendment-status --json report", lambda: selectors.amendment_status_report(study_code=study.code)),
        ("GET /api/v1/amendments/{id}", lambda: client.get(f"/api/v1/amendments/{implementation.pk}")),
        ("GET study page, Amendments tab", lambda: client.get(f"/studies/{study.pk}/?tab=amendments")),
    )
    failed = False
    for label, call in checks:
        queries = count_queries(connection, call)
        median, p95 = timed(call, args.repeat)
        verdict = "met" if median < TARGET_MS else "MISSED"
        failed |= median >= TARGET_MS and "selector" in label
        timing = f"median {median:7.1f} ms  p95 {p95:7.1f} ms"
        print(f"{label:36s} {timing}  {queries:5d} queries  <{TARGET_MS} ms: {verdict}")
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
