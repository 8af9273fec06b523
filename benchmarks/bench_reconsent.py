"""Time the re-consent worklist for a study with 5,000 active participants who all need re-consent.

Makes a fresh SQLite file (or uses DATABASE_URL with --database ''), bulk-inserts one study with 20 sites
in several time zones, 5,000 enrolled participants consented on v1.0, and v2.0 approved at every site,
then times, in process, the selector and the pages that show the list:

    python benchmarks/bench_reconsent.py --participants 5000 --repeat 20

Bench data bypasses the services and the audit trail on purpose (it measures reads). With the visits
app installed, each participant's next scheduled visit is asked of it participant by participant unless
it offers a batch read (see trialdesk.subjects.selectors.reconsent._next_visits); --window-only times
the worklist without those look-ups, to separate their cost from the worklist's own.
"""

import argparse
import datetime as dt
import sys
import time

from generate import CITIES, configure_django, fresh_sqlite_file
from measure import count_queries, timed

TARGET_MS = 200
SITES = 20


def fill(participants: int) -> tuple:
    from django.db import transaction

    from trialdesk.core.models import RoleAssignment, User
    from trialdesk.sites.models import Institution, StudySite
    from trialdesk.studies.models import ProtocolVersion, Study
    from trialdesk.subjects.models import Consent, ConsentApproval, ConsentVersion, Participant

    with transaction.atomic():
        crm = User.objects.create_user("bench_crm", password="trialdesk-bench")
        study = Study.objects.create(
            code="BENCH-RECONSENT",
            title="Re-consent benchmark",
            phase="III",
            therapeutic_area="Oncology",
            sponsor="Bench",
            planned_enrollment=participants,
            status="recruiting",
        )
        RoleAssignment.objects.create(user=crm, role="crm", study=study)
        protocol = ProtocolVersion.objects.create(study=study, number="1.0", version_date=dt.date(2025, 1, 1))
        institutions = Institution.objects.bulk_create(
            Institution(name=f"{city} Hospital {i}", city=city, country=country, time_zone=zone)
            for i, (city, country, zone) in enumerate(CITIES[i % len(CITIES)] for i in range(SITES))
        )
        sites = StudySite.objects.bulk_create(
            StudySite(
                study=study,
                institution=inst,
                site_number=f"{100 + n}",
                status="enrolling",
                target_enrollment=0,
            )
            for n, inst in enumerate(institutions)
        )
        v1, v2 = ConsentVersion.objects.bulk_create(
            ConsentVersion(
                study=study, protocol_version=protocol, label=label, language="en", effective_on=day
            )
            for label, day in (("1.0", dt.date(2025, 1, 1)), ("2.0", dt.date(2025, 6, 1)))
        )
        ConsentApproval.objects.bulk_create(
            ConsentApproval(study=study, consent_version=v, study_site=site, approved_on=day)
            for site in sites
            for v, day in ((v1, dt.date(2025, 2, 1)), (v2, dt.date(2025, 6, 10)))
        )
        people = Participant.objects.bulk_create(
            Participant(
                study=study,
                study_site=sites[n % SITES],
                number=f"{sites[n % SITES].site_number}-{n // SITES + 1:04d}",
                sequence=n // SITES + 1,
                status="enrolled",
                enrolled_on=dt.date(2025, 3, 4),
                status_changed_on=dt.date(2025, 3, 4),
            )
            for n in range(participants)
        )
        Consent.objects.bulk_create(
            Consent(
                study=study,
                study_site=p.study_site,
                participant=p,
                consent_version=v1,
                signed_at=dt.datetime(2025, 3, 3, 10, tzinfo=dt.UTC),
                obtained_by="Bench nurse",
            )
            for p in people
        )
    return crm, study


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database", default="var/bench-reconsent.sqlite3", help="SQLite file ('' for DATABASE_URL)"
    )
    parser.add_argument("--participants", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--window-only", action="store_true", help="skip the visits app's next-visit look-ups"
    )
    args = parser.parse_args()

    if args.database:
        fresh_sqlite_file(args.database)
    configure_django(args.database or None)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from trialdesk.subjects import selectors
    from trialdesk.subjects.selectors import reconsent

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    crm, study = fill(args.participants)
    print(f"bulk-inserted {args.participants:,} participants in {time.perf_counter() - started:.1f} s")
    if args.window_only:
        reconsent._next_visits = lambda waiting: {}

    setup_test_environment()
    client = Client()
    client.force_login(crm)
    checks = (
        ("reconsent_worklist() (all items)", lambda: selectors.reconsent_worklist(crm, study)),
        ("GET study page, Re-consent tab", lambda: client.get(f"/studies/{study.pk}/?tab=reconsent")),
        (
            "GET /api/v1/studies/{id}/reconsent",
            lambda: client.get(f"/api/v1/studies/{study.pk}/reconsent?limit=50"),
        ),
    )
    count = len(selectors.reconsent_worklist(crm, study))
    mode = "window only" if args.window_only else "with the visits app's next-visit look-ups"
    print(f"{count:,} participants to re-consent; {mode}")
    failed = False
    for label, call in checks:
        queries = count_queries(connection, call)
        median, p95 = timed(call, args.repeat)
        verdict = "met" if median < TARGET_MS else "MISSED"
        failed |= median >= TARGET_MS
        timing = f"median {median:7.1f} ms  p95 {p95:7.1f} ms"
        print(f"{label:40s} {timing}  {queries:5d} queries  <{TARGET_MS} ms: {verdict}")
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
