"""Time `trialdesk import ctgov` for 1,000 records × 20 sites and for one record with 1,200 locations.

Targets (issue 6): 1,000 × 20 under 60 s; one record with 1,000+ locations under 5 s. Each run uses a
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
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import configure_django, fresh_sqlite_file  # noqa: E402
from generate_ctgov import write  # noqa: E402


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--big-sites", type=int, default=1200)
    parser.add_argument("--database", default="var/bench-ctgov.sqlite3")
    args = parser.parse_args()
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
        print(f"database: {connection.vendor} {args.database}")
        wall, cpu, summary = timed_import(many)
        print(
            f"{args.records} records x {args.sites} sites: {wall:.1f} s wall, {cpu:.1f} s CPU (target 60 s)"
            f" — {summary}"
        )
        wall, cpu, summary = timed_import(big)
        print(
            f"1 record x {args.big_sites} locations: {wall:.2f} s wall, {cpu:.2f} s CPU (target 5 s)"
            f" — {summary}"
        )
        wall, cpu, summary = timed_import(big)
        print(f"same record again (unchanged): {wall:.2f} s wall, {cpu:.2f} s CPU — {summary}")
        wall, cpu, summary = timed_import(many)
        print(f"the {args.records} records again (unchanged): {wall:.1f} s wall, {cpu:.1f} s CPU — {summary}")
    print(f"study sites: {StudySite.objects.count()}; audit chain intact: {verify_chain().intact}")


if __name__ == "__main__":
    main()
