"""Time the safety clock engine on 100,000 events, and the obligations board of a CRM with 200 studies.

    python benchmarks/bench_safety.py --events 100000 --obligations 50000 --repeat 20

Part 1 is pure Python (no database): random but valid event facts across products, jurisdictions and
seriousness, through `safety.rules.clocks.obligations_for` (and, separately, parsing the same facts from the
`trialdesk safety clocks` JSON shape first). Part 2 makes a fresh SQLite file, bulk-inserts 200 studies
(a site each, in several time zones), 2,000 participants, 10,000 adverse events and `--obligations` open
reporting obligations due from ten days ago to a month ahead, with `bench_crm` CRM on all 200 studies,
then times the board's selector, the board page and the overdue API list in process. Bench data
bypasses the services and the audit trail on purpose (it measures reads).
"""

import argparse
import datetime as dt
import random
import statistics
import sys
import time

from generate import CITIES, configure_django, fresh_sqlite_file

EVENTS_TARGET_S = 10.0
BOARD_TARGET_MS = 200
ZONES = [zone for _, _, zone in CITIES]


def random_event(rng: random.Random, start: dt.datetime) -> dict:
    seriousness = rng.sample(
        ["death", "life_threatening", "hospitalization", "disability", "other_medically_important"],
        k=rng.choice([0, 0, 1, 1, 2]),
    )
    site_aware = start + dt.timedelta(minutes=rng.randrange(0, 3 * 365 * 24 * 60))
    return {
        "product": rng.choice(["drug", "drug", "biologic", "device"]),
        "jurisdictions": rng.sample(["US", "EU", "UK", "CA", "JP"], k=rng.randint(1, 5)),
        "serious": bool(seriousness),
        "seriousness": seriousness,
        "expected": rng.random() < 0.4,
        "related": rng.random() < 0.6,
        "unanticipated_device_effect": rng.random() < 0.3,
        "site_aware_at": site_aware.isoformat(),
        "sponsor_aware_at": (site_aware + dt.timedelta(hours=rng.randrange(0, 72))).isoformat(),
        "site_timezone": rng.choice(ZONES),
        "sponsor_timezone": rng.choice(ZONES),
    }


def bench_clocks(events: int) -> bool:
    from trialdesk.safety import event_file
    from trialdesk.safety.rules import clocks

    rng = random.Random(20261125)
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    raw = [random_event(rng, start) for _ in range(events)]
    began = time.perf_counter()
    facts = [event_file.parse_event(r) for r in raw]
    parsed = time.perf_counter() - began
    began = time.perf_counter()
    made = sum(len(clocks.obligations_for(f)) for f in facts)
    computed = time.perf_counter() - began
    verdict = "met" if parsed + computed < EVENTS_TARGET_S else "MISSED"
    print(f"clocks: {events:,} events → {made:,} obligations")
    total = parsed + computed
    print(f"  obligations_for: {computed:6.2f} s   parse_event: {parsed:5.2f} s   total {total:5.2f} s")
    print(f"  <{EVENTS_TARGET_S:.0f} s: {verdict}")
    return verdict == "met"


def fill(obligations: int) -> object:
    from django.db import transaction
    from django.utils import timezone

    from trialdesk.core.models import RoleAssignment, User
    from trialdesk.safety.models import AdverseEvent, ReportingObligation
    from trialdesk.sites.models import Institution, StudySite
    from trialdesk.studies.models import Study
    from trialdesk.subjects.models import Participant

    rng = random.Random(7)
    now = timezone.now()
    with transaction.atomic():
        crm = User.objects.create_user("bench_crm", password="trialdesk-bench")
        studies = Study.objects.bulk_create(
            Study(
                code=f"BENCH-{n:03d}",
                title=f"Safety benchmark {n}",
                phase="III",
                therapeutic_area="Oncology",
                sponsor="Bench",
                planned_enrollment=100,
                status="recruiting",
            )
            for n in range(200)
        )
        RoleAssignment.objects.bulk_create(RoleAssignment(user=crm, role="crm", study=s) for s in studies)
        institutions = Institution.objects.bulk_create(
            Institution(name=f"{city} Hospital {n}", city=city, country=country, time_zone=zone)
            for n, (city, country, zone) in enumerate(CITIES[n % len(CITIES)] for n in range(200))
        )
        sites = StudySite.objects.bulk_create(
            StudySite(study=s, institution=i, site_number="101", status="enrolling", target_enrollment=10)
            for s, i in zip(studies, institutions, strict=True)
        )
        people = Participant.objects.bulk_create(
            Participant(study=site.study, study_site=site, number=f"101-{k:03d}", status="enrolled")
            for site in sites
            for k in range(10)
        )
        events = AdverseEvent.objects.bulk_create(
            AdverseEvent(
                study=p.study,
                study_site=p.study_site,
                participant=p,
                number=f"AE-{p.pk}-{k}",
                ctcae_term="Pneumonitis",
                grade=3,
                serious=True,
                related=True,
                expected=False,
                onset_on=now.date(),
                site_aware_at=now,
            )
            for p in people
            for k in range(5)
        )
        per_event = max(1, obligations // len(events))
        rows = []
        for event in events:
            for k in range(per_event):
                due = now + dt.timedelta(minutes=rng.randrange(-10 * 24 * 60, 30 * 24 * 60))
                zone = institutions[0].time_zone
                rows.append(
                    ReportingObligation(
                        study_id=event.study_id,
                        study_site_id=event.study_site_id,
                        adverse_event=event,
                        key=f"RULE-{k}",
                        recipient=("FDA", "EudraVigilance", "MHRA", "Sponsor", "Health Canada")[k % 5],
                        jurisdiction="US",
                        rule="21 CFR 312.32(c)(1)(i)",
                        reporting_party="sponsor",
                        clock="calendar",
                        length=15,
                        starts_at=due - dt.timedelta(days=15),
                        due_at=due,
                        due_on=due.date(),
                        time_zone=zone,
                    )
                )
        ReportingObligation.objects.bulk_create(rows, batch_size=5000)
    return crm


def timed(call, repeat: int) -> tuple[float, float]:
    call()
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]


def bench_board(obligations: int, repeat: int, database: str) -> bool:
    from django.test import Client
    from django.test.utils import setup_test_environment

    from trialdesk.safety import selectors
    from trialdesk.safety.models import ReportingObligation

    began = time.perf_counter()
    crm = fill(obligations)
    count = ReportingObligation.objects.count()
    took = time.perf_counter() - began
    print(f"board: bulk-inserted {count:,} open obligations of 200 studies in {took:.1f} s")
    setup_test_environment()
    client = Client()
    client.force_login(crm)
    checks = (
        ("board_counts()", lambda: selectors.board_counts(crm)),
        ("obligations_board() (≤300 rows)", lambda: selectors.obligations_board(crm)),
        ("GET /safety/obligations/", lambda: client.get("/safety/obligations/")),
        ("GET /api/v1/obligations?window=overdue", lambda: client.get("/api/v1/obligations?window=overdue")),
        ("GET / (portfolio with counts)", lambda: client.get("/")),
    )
    print(f"  counts for bench_crm: {selectors.board_counts(crm)}")
    ok = True
    for label, call in checks:
        median, p95 = timed(call, repeat)
        verdict = "met" if median < BOARD_TARGET_MS else "MISSED"
        ok &= verdict == "met" or label.startswith("GET /")
        print(f"  {label:42s} median {median:7.1f} ms  p95 {p95:7.1f} ms  <{BOARD_TARGET_MS} ms: {verdict}")
    from django.db import connection

    print(f"database: {connection.vendor} ({database or connection.settings_dict['NAME']})")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database", default="var/bench-safety.sqlite3", help="SQLite file ('' for DATABASE_URL)"
    )
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--obligations", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    if args.database:
        fresh_sqlite_file(args.database)
    configure_django(args.database or None)
    from django.core.management import call_command

    clocks_ok = bench_clocks(args.events)
    call_command("migrate", verbosity=0)
    board_ok = bench_board(args.obligations, args.repeat, args.database)
    return 0 if clocks_ok and board_ok else 1


if __name__ == "__main__":
    sys.exit(main())
