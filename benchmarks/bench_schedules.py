"""Time generating visit schedules: 100,000 participants × 15 visits with bulk inserts (target: under 60 s).

Sets up a fresh database with one study, 50 sites, an effective protocol version whose schedule has 15
visits anchored on randomization, and 100,000 randomized participants plus a sample of 200 (bulk-inserted,
not part of the timing). Then times visits.services.schedule_visits_bulk, the path imports use: it inserts the
1,500,000 scheduled visits in batches and audits it with one summary event per site. Also timed:
running the same import again (every visit already there: nothing added), and the per-participant
path that enrollment and randomization use (schedule_visits, one audit event per visit) on the sample.

The bulk path writes plain rows with executemany (INSERT … ON CONFLICT DO NOTHING): building 1.5 million
model instances for Django's bulk_create took about 120 s on the same machine, over the target.

    python benchmarks/bench_schedules.py [--participants 100000] [--visits 15] [--sample 200]

With --database (the default) the SQLite file is created afresh. With --database "" the usual
configuration is used (DATABASE_URL, e.g. a throwaway PostgreSQL), which must hold no studies yet.
"""

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from generate import configure_django, fresh_sqlite_file  # noqa: E402

TARGET_SECONDS = 60.0
SITES = 50
FIRST_RANDOMIZATION = dt.date(2024, 1, 1)


def set_up(*, participants: int, visits: int):
    """The study, its sites, an effective schedule of `visits` visits, and `participants` participants."""
    from django.db import transaction

    from trialdesk.core.models import User
    from trialdesk.sites.models import Institution, StudySite
    from trialdesk.studies.models import ProtocolVersion, Study
    from trialdesk.subjects.models import Participant
    from trialdesk.visits.models import VisitDefinition

    with transaction.atomic():
        admin = User.objects.create_superuser("bench_admin", "bench@example.org", "trialdesk-bench")
        study = Study.objects.create(
            code="BENCH-VISITS",
            title="Bench study for visit schedules",
            phase="III",
            therapeutic_area="Oncology",
            sponsor="Bench",
            planned_enrollment=participants,
        )
        institution = Institution.objects.create(
            name="Bench Hospital", city="Berlin", country="DE", time_zone="Europe/Berlin"
        )
        sites = StudySite.objects.bulk_create(
            StudySite(study=study, institution=institution, site_number=str(101 + i), status="enrolling")
            for i in range(SITES)
        )
        protocol = ProtocolVersion.objects.create(
            study=study,
            number="1.0",
            version_date=dt.date(2023, 6, 1),
            status="effective",
            effective_on=dt.date(2023, 7, 1),
        )
        VisitDefinition.objects.bulk_create(
            VisitDefinition(
                protocol_version=protocol,
                code=f"V{n:02d}",
                name=f"Visit {n}",
                visit_type="baseline" if n == 0 else "end_of_study" if n == visits - 1 else "treatment",
                anchor="randomization",
                day_offset=14 * n,
                window_before_days=0 if n == 0 else 3,
                window_after_days=0 if n == 0 else 3,
                modalities=["on_site", "telemedicine"],
                order=n,
            )
            for n in range(visits)
        )
        Participant.objects.bulk_create(
            (
                Participant(
                    study=study,
                    study_site=sites[i % SITES],
                    number=f"{101 + i % SITES}-{i // SITES + 1:05d}",
                    status="randomized",
                    enrolled_on=FIRST_RANDOMIZATION + dt.timedelta(days=i % 700),
                )
                for i in range(participants)
            ),
            batch_size=5000,
        )
    return admin, protocol


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--visits", type=int, default=15)
    parser.add_argument("--sample", type=int, default=200, help="participants for the per-visit audited path")
    parser.add_argument(
        "--database", default="var/bench-schedules.sqlite3", help='SQLite file; "" for DATABASE_URL'
    )
    args = parser.parse_args()

    if args.database:
        fresh_sqlite_file(args.database)
    configure_django(args.database or None)
    from django.core.management import call_command
    from django.db import connection

    from trialdesk.core import audit
    from trialdesk.core.models import AuditEvent
    from trialdesk.studies.models import Study
    from trialdesk.subjects.models import Participant
    from trialdesk.visits import services
    from trialdesk.visits.models import ScheduledVisit

    call_command("migrate", verbosity=0, interactive=False)
    if Study.objects.exists():
        print(
            "This database already holds studies; give --database for a fresh SQLite file.", file=sys.stderr
        )
        return 1
    started = time.perf_counter()
    # The sample for the per-participant path comes on top of the participants of the bulk import.
    admin, protocol = set_up(participants=args.participants + args.sample, visits=args.visits)
    print(
        f"Set up {args.participants + args.sample:,} participants and a {args.visits}-visit schedule "
        f"in {time.perf_counter() - started:.1f} s ({connection.vendor}, {connection.settings_dict['NAME']})."
    )

    people = list(Participant.objects.order_by("pk").values_list("pk", "enrolled_on"))
    bulk, sample = people[: args.participants], people[args.participants :]
    started = time.perf_counter()
    added = services.schedule_visits_bulk(
        protocol_version=protocol, anchor="randomization", anchors=bulk, by=admin, reason="Benchmark import"
    )
    bulk_seconds = time.perf_counter() - started
    expected = len(bulk) * args.visits
    verdict = "OK" if bulk_seconds < TARGET_SECONDS and added == expected else "MISSED"
    print(
        f"schedule_visits_bulk: {added:,} visits for {len(bulk):,} participants in {bulk_seconds:.1f} s "
        f"({added / bulk_seconds:,.0f} visits/s); target under {TARGET_SECONDS:.0f} s: {verdict}"
    )

    started = time.perf_counter()
    again = services.schedule_visits_bulk(
        protocol_version=protocol, anchor="randomization", anchors=bulk, by=admin, reason="Benchmark rerun"
    )
    print(f"  the same import again: {again:,} visits added in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    for participant in Participant.objects.filter(pk__in=[pk for pk, _ in sample]).select_related(
        "study_site__institution"
    ):
        services.schedule_visits(
            participant=participant, anchor="randomization", anchor_on=participant.enrolled_on, by=admin
        )
    each = (time.perf_counter() - started) / max(1, len(sample))
    print(
        f"schedule_visits (one audit event per visit), {len(sample)} participants: "
        f"{each * 1000:.1f} ms per participant ({each / args.visits * 1000:.2f} ms per visit)"
    )

    total = ScheduledVisit.objects.count()
    events = AuditEvent.objects.filter(action="scheduledvisit.bulk_scheduled").count()
    chain = audit.verify_chain()
    print(
        f"{total:,} scheduled visits in all; {events} summary audit events for the imports; "
        f"audit chain intact: {chain.intact} ({chain.events_checked:,} events)"
    )
    everyone = args.participants + args.sample
    return 0 if verdict == "OK" and total == everyone * args.visits and chain.intact else 1


if __name__ == "__main__":
    sys.exit(main())
