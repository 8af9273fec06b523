"""Time `trialdesk import ctgov` for 1,000 records × 20 sites and for one record with 1,200 locations.

Targets (issue 19): 1,000 × 20 under 15 s; one record with 1,148 locations under 1 s in process and within
10× a raw INSERT of the same rows (institutions and study sites, printed as the peer; issue 6 asked
60 s and 5 s). Each run uses a
fresh SQLite file, migrated, with one administrator to act as; the import goes through the real
services and audit trail (as on the command line). The 1,000 records share a pool of 2,000 facilities
(generate_ctgov.py); the big record's 1,200 facilities are all new institutions. Also times a second,
unchanged import of the big
record (the idempotent path) and checks the audit chain afterwards. Prints wall-clock and process CPU
time (the CPU time is what to compare on a machine shared with other work).

    python benchmarks/bench_ctgov.py [--records 1000] [--sites 20] [--big-sites 1200]
        [--database var/bench-ctgov.sqlite3]
"""

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import configure_django, fresh_sqlite_file  # noqa: E402
from generate_ctgov import write  # noqa: E402
from measure import report  # noqa: E402


def prepare(database: str) -> None:
    from django.core.management import call_command

    from trialdesk.core.models import User

    call_command("migrate", verbosity=0)
    User.objects.create_superuser("bench_admin", "bench@example.org", "trialdesk-bench")


def timed_import(paths: list[Path]) -> tuple[float, float, str]:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    out, err = io.StringIO(), io.StringIO()
    started, cpu = time.perf_counter(), time.process_time()
    try:
        call_command(
            "import",
            "ctgov",
            *map(str, paths),
            "--user",
            "bench_admin",
            "--no-progress",
            stdout=out,
            stderr=err,
        )
    except CommandError as error:
        print(err.getvalue()[-2000:])
        raise SystemExit(f"import failed: {error}") from error
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    return wall, cpu, out.getvalue().strip().splitlines()[-1]


def raw_insert(study_id: int) -> tuple[float, float, int]:
    """The peer of the big import: the same rows (its institutions and study sites, every column) put in
    by plain `executemany` INSERTs, no validation, no audit; in a transaction rolled back afterwards.
    Copies: institution names get " (raw)", site numbers an "R" (the unique constraints hold); the copied
    sites point at the imported institutions."""
    from django.db import connection, transaction

    from trialdesk.sites.models import Institution, StudySite

    def columns(model):
        return [f for f in model._meta.concrete_fields if not f.primary_key]

    sites = StudySite.objects.filter(study_id=study_id).select_related("institution").order_by("pk")
    institution_fields, site_fields = columns(Institution), columns(StudySite)
    institution_rows, site_rows = [], []
    for site in sites:
        institution = site.institution
        values = [f.get_db_prep_save(getattr(institution, f.attname), connection) for f in institution_fields]
        values[[f.name for f in institution_fields].index("name")] += " (raw)"
        institution_rows.append(values)
        site_rows.append([f.get_db_prep_save(getattr(site, f.attname), connection) for f in site_fields])

    def insert_sql(model, fields):
        names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        return f"INSERT INTO {model._meta.db_table} ({names}) VALUES ({marks})"

    number = [f.name for f in site_fields].index("site_number")
    with transaction.atomic():
        started, cpu = time.perf_counter(), time.process_time()
        with connection.cursor() as cursor:
            cursor.executemany(insert_sql(Institution, institution_fields), institution_rows)
            for row in site_rows:
                row[number] = "R" + row[number]
            cursor.executemany(insert_sql(StudySite, site_fields), site_rows)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        transaction.set_rollback(True)
    return wall, cpu, len(institution_rows) + len(site_rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--big-sites", type=int, default=1200)
    parser.add_argument("--database", default="var/bench-ctgov.sqlite3")
    parser.add_argument(
        "--queue",
        choices=("database", "immediate"),
        default="database",
        help="database (as in production: the study refreshes an import asks for wait for the worker, timed "
        "after the imports) or immediate (they run inside the import, as under make run and in the tests)",
    )
    args = parser.parse_args()
    os.environ["TRIALDESK_TASK_BACKEND"] = args.queue
    fresh_sqlite_file(args.database)
    configure_django(args.database)
    prepare(args.database)
    from django.db import connection

    from trialdesk.core.audit import verify_chain
    from trialdesk.sites.models import StudySite

    with tempfile.TemporaryDirectory() as folder:
        many = write(Path(folder) / "many", records=args.records, sites=args.sites)
        # The big record is a study of its own whose 1,200 facilities are all new institutions.
        big = write(
            Path(folder) / "big",
            records=1,
            sites=args.big_sites,
            institutions=args.big_sites,
            first_institution=10**5,
            first_number=9_000_000,
            seed=7,
        )
        print(f"database: {connection.vendor} {args.database}; task queue: {args.queue}")
        wall, cpu, summary = timed_import(many)
        print(
            f"{args.records} records x {args.sites} sites: {wall:.1f} s wall, {cpu:.1f} s CPU (target 15 s)"
            f" — {summary}"
        )
        full_size = (args.records, args.sites) >= (1000, 20)  # the target's size; a smaller run only shows
        report("ctgov", f"{args.records} records x {args.sites} sites", wall, unit="s",
               target="< 15 s at 1000 x 20", met=wall < 15 if full_size else None)  # fmt: skip
        wall, cpu, summary = timed_import(big)
        print(
            f"1 record x {args.big_sites} locations: {wall:.2f} s wall, {cpu:.2f} s CPU (target 1 s)"
            f" — {summary}"
        )
        study_id = StudySite.objects.order_by("-pk").values_list("study_id", flat=True).first()
        raw_wall, raw_cpu, rows = raw_insert(study_id)
        print(
            f"  peer: raw INSERT of the same {rows} rows: {raw_wall * 1000:.0f} ms wall, "
            f"{raw_cpu * 1000:.0f} ms CPU; import / raw: {wall / raw_wall:.1f}x wall, "
            f"{cpu / raw_cpu:.1f}x CPU (target 10x)"
        )
        of_raw = wall / raw_wall
        report("ctgov", f"1 record x {args.big_sites} locations", wall, unit="s", peer="raw INSERT",
               ratio=of_raw, target="< 1 s, ≤ 10×", met=wall < 1 and of_raw <= 10)  # fmt: skip
        wall, cpu, summary = timed_import(big)
        print(f"same record again (unchanged): {wall:.2f} s wall, {cpu:.2f} s CPU — {summary}")
        wall, cpu, summary = timed_import(many)
        print(f"the {args.records} records again (unchanged): {wall:.1f} s wall, {cpu:.1f} s CPU — {summary}")
    if args.queue == "database":
        drain_queue()
    print(f"study sites: {StudySite.objects.count()}; audit chain intact: {verify_chain().intact}")


def drain_queue() -> None:
    """What the imports left for `trialdesk worker` (each study's forecast and health refresh), run here."""
    from django.core.management import call_command

    from trialdesk.core.models import TaskProgress

    waiting = TaskProgress.objects.filter(status="queued").count()
    started, cpu = time.perf_counter(), time.process_time()
    call_command("worker", "--batch", stdout=io.StringIO(), stderr=io.StringIO())
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"worker afterwards: {waiting} queued tasks in {wall:.1f} s wall, {cpu:.1f} s CPU")


if __name__ == "__main__":
    main()
