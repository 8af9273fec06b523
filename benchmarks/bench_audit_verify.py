"""Time `trialdesk audit verify` over 100,000 regulated records: the keyed chain, record drift and the
database's integrity check (issue 12 §2).

A fresh database gets one study, its 100 sites and their institution through the services (audited as
usual), then 100,000 participants from a fast generator: the rows with bulk_create, and for each its
`participant.created` event as core.audit.record would write it (the same diff, canonical JSON and
HMAC-SHA-256 chain, under a fixed bench key), inserted in batches. Every fifth participant then moves to
"screen_failed" by SQL with its `participant.updated` event, so the drift check folds two events for
those. The trail is the one the application would have written, only faster to make, and verifies clean.

    python benchmarks/bench_audit_verify.py [--records 100000] [--database var/bench-audit.sqlite3]

With --database (the default) the SQLite file is created afresh. With --database "" the usual
configuration is used (DATABASE_URL, e.g. a throwaway PostgreSQL), which must hold no studies yet.
"""

import argparse
import base64
import datetime as dt
import io
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]  # the test factories build the study and sites

from generate import configure_django, fresh_sqlite_file  # noqa: E402

SITES = 100
BATCH = 5000
BENCH_KEYS = "bench:" + base64.b64encode(b"trialdesk-bench-audit-key-32byte").decode()


def set_up(records: int) -> int:
    """The study and sites through the services, the participants and their events generated."""
    from django.db import transaction
    from django.utils import timezone

    from tests.factories import make_institution, make_site, make_study, make_user
    from trialdesk.core import audit
    from trialdesk.core.audit import keys
    from trialdesk.core.models import AuditEvent
    from trialdesk.subjects.models import Participant

    admin = make_user("bench_admin", superuser=True)
    study = make_study("BENCH-AUDIT", by=admin, planned_enrollment=records)
    institution = make_institution("Bench Hospital", by=admin)
    sites = [make_site(study, str(101 + n), by=admin, institution=institution) for n in range(SITES)]
    ring = keys.keyring(create=True)
    now = timezone.now()

    def event(participant, action, before, after, prev):
        changes = audit.as_stored(audit.diff(before, after))
        made = AuditEvent(
            occurred_at=now,
            actor=admin,
            actor_username=admin.username,
            action=action,
            object_type="subjects.participant",
            object_id=str(participant.pk),
            object_repr=participant.number,
            study_id=participant.study_id,
            study_site_id=participant.study_site_id,
            changes=changes,
            reason="bench",
            prev_hash=prev,
            key_id=ring.signing_key_id,
        )
        made.hash = audit.event_hash(ring, made.key_id, prev, audit.canonical_content(made))
        return made

    with transaction.atomic():
        prev = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        for first in range(0, records, BATCH):
            batch = Participant.objects.bulk_create(
                Participant(
                    study=study,
                    study_site=sites[i % SITES],
                    number=f"{101 + i % SITES}-{i // SITES + 1:05d}",
                    status="enrolled",
                    enrolled_on=dt.date(2024, 1, 1) + dt.timedelta(days=i % 700),
                    sex=("female", "male")[i % 2],
                    age_at_consent=18 + i % 60,
                    country="DE",
                )
                for i in range(first, min(records, first + BATCH))
            )
            events, changed = [], []
            for participant in batch:
                events.append(
                    made := event(participant, "participant.created", None, audit.snapshot(participant), prev)
                )
                prev = made.hash
            for participant in batch[::5]:
                before = audit.snapshot(participant)
                participant.status = "screen_failed"
                events.append(
                    made := event(
                        participant, "participant.updated", before, audit.snapshot(participant), prev
                    )
                )
                prev = made.hash
                changed.append(participant.pk)
            AuditEvent.objects.bulk_create(events)
            Participant.objects.filter(pk__in=changed).update(status="screen_failed")
    return AuditEvent.objects.count()


def timed(what: str, call):
    started = time.perf_counter()
    result = call()
    seconds = time.perf_counter() - started
    print(f"  {what}: {seconds:.2f} s")
    return result, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000, help="participants to generate")
    parser.add_argument(
        "--database", default="var/bench-audit.sqlite3", help='SQLite file; "" for DATABASE_URL'
    )
    args = parser.parse_args()
    if args.database:
        fresh_sqlite_file(args.database)
    configure_django(args.database or None)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from trialdesk.core.audit import drift, integrity, verify_chain
    from trialdesk.studies.models import Study

    settings.AUDIT_KEYS = BENCH_KEYS  # a bench key, not a key file in the data directory
    call_command("migrate", verbosity=0, interactive=False)
    if Study.objects.exists():
        print(
            "This database already holds studies; give --database for a fresh SQLite file.", file=sys.stderr
        )
        return 1
    started = time.perf_counter()
    events = set_up(args.records)
    print(
        f"Generated {args.records:,} participants and {events:,} audit events in "
        f"{time.perf_counter() - started:.1f} s ({connection.vendor}, {connection.settings_dict['NAME']})."
    )
    print("audit verify, part by part:")
    chain, _ = timed("keyed chain (HMAC-SHA-256 per event)", verify_chain)
    drifted, _ = timed("record drift (every regulated record against its events)", drift.check_records)
    checked, _ = timed("database integrity", integrity.check_database)
    out = io.StringIO()
    _, total = timed(
        "`trialdesk audit verify` (all of the above)", lambda: call_command("audit", "verify", stdout=out)
    )
    print("    " + out.getvalue().rstrip().replace("\n", "\n    "))
    ok = chain.intact and not drifted.problems and checked.ok
    verdict = "OK" if ok else "FAILED"
    print(f"{drifted.records_checked:,} regulated records, {chain.events_checked:,} events: {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
