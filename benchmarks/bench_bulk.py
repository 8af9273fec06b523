"""Time the bulk spreadsheet import (read, preview, apply) and the Excel exports.

No target is set by issue 6; the figures say what a CRM waits for. A fresh SQLite file is migrated,
one administrator acts, and everything goes through the real services and audit trail (as on the
upload page): N institutions from one .xlsx, then N sites of one study (each moved to Selected, two
audited status steps), then the study's sites and the portfolio exported. Also the pure reading of
a 20,000-row workbook (interop.xlsx, the import's row limit).

    python benchmarks/bench_bulk.py [--rows 1000] [--database var/bench-bulk.sqlite3]
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import configure_django, fresh_sqlite_file  # noqa: E402


def timed(label: str, work):
    started, cpu = time.perf_counter(), time.process_time()
    result = work()
    print(f"{label:<58} {time.perf_counter() - started:8.2f} s  ({time.process_time() - cpu:.2f} s CPU)")
    return result


def workbooks(rows: int) -> tuple[bytes, bytes]:
    from trialdesk.integrations.bulk.columns import INSTITUTION_COLUMNS, SITE_COLUMNS
    from trialdesk.interop.xlsx import Sheet, write_workbook

    institutions = [
        {
            "name": f"Bench Hospital {n}",
            "city": f"City {n % 97}",
            "country": "DE",
            "time_zone": "Europe/Berlin",
        }
        for n in range(rows)
    ]
    sites = [
        {
            "site_number": f"{1000 + n}",
            "institution": f"Bench Hospital {n}",
            "institution_city": f"City {n % 97}",
            "principal_investigator": f"Dr Bench {n}",
            "status": "Selected",
            "target_enrollment": 10 + n % 20,
        }
        for n in range(rows)
    ]
    return (
        write_workbook([Sheet("Institutions", INSTITUTION_COLUMNS, institutions)]),
        write_workbook([Sheet("Sites", SITE_COLUMNS, sites)]),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--database", default="var/bench-bulk.sqlite3")
    options = parser.parse_args()
    fresh_sqlite_file(options.database)
    configure_django(options.database)

    from django.core.management import call_command
    from django.db import connection

    from trialdesk.core.models import User
    from trialdesk.integrations.bulk import selectors, services
    from trialdesk.integrations.bulk.columns import INSTITUTIONS, STUDY_SITES
    from trialdesk.integrations.bulk.institutions import plan_institutions
    from trialdesk.integrations.bulk.study_sites import plan_study_sites
    from trialdesk.interop import tabular
    from trialdesk.interop.xlsx import Sheet, read_xlsx, write_workbook
    from trialdesk.studies import services as study_services

    call_command("migrate", verbosity=0)
    admin = User.objects.create_superuser("bench_admin", "bench@example.org", "trialdesk-bench")
    study = study_services.create_study(
        code="BULK-1",
        title="Bulk bench",
        phase="III",
        therapeutic_area="Oncology",
        sponsor="Bench",
        planned_enrollment=1000,
        by=admin,
    )
    print(f"database: {connection.vendor} {options.database}; rows per file: {options.rows}")
    institutions, sites = timed("write both .xlsx files (interop.xlsx)", lambda: workbooks(options.rows))

    plan = timed(
        f"preview {options.rows} new institutions",
        lambda: plan_institutions(institutions, "institutions.xlsx", by=admin),
    )
    assert plan.can_apply and plan.created == options.rows, plan.located_problems()[:3]
    timed(
        f"import {options.rows} institutions (preview again + apply)",
        lambda: services.import_file(INSTITUTIONS, institutions, "institutions.xlsx", by=admin),
    )
    plan = timed(
        f"preview {options.rows} new sites",
        lambda: plan_study_sites(sites, "sites.xlsx", study=study, by=admin),
    )
    assert plan.can_apply and plan.created == options.rows, plan.located_problems()[:3]
    timed(
        f"import {options.rows} sites, each moved to Selected (2 steps)",
        lambda: services.import_file(STUDY_SITES, sites, "sites.xlsx", study=study, by=admin),
    )
    plan = timed(
        f"preview the same {options.rows} sites again (all unchanged)",
        lambda: plan_study_sites(sites, "sites.xlsx", study=study, by=admin),
    )
    assert plan.unchanged == options.rows
    exported = timed(
        f"export the study's {options.rows} sites (.xlsx)",
        lambda: selectors.study_sites_workbook(admin, study),
    )
    print(f"{'':<58} {len(exported):>8,} bytes")
    timed("export the portfolio (.xlsx)", lambda: selectors.portfolio_workbook(admin))

    big_rows = [
        {"code": f"R{n}", "opened_on": None, "target": n, "ratio": None, "note": "x" * 20}
        for n in range(20_000)
    ]
    columns = (
        tabular.Column("code", "Code"),
        tabular.Column("opened_on", "Opened on", tabular.DATE),
        tabular.Column("target", "Target", tabular.INTEGER),
        tabular.Column("ratio", "Ratio", tabular.NUMBER),
        tabular.Column("note", "Note"),
    )
    big = write_workbook([Sheet("Data", columns, big_rows)])
    table = timed("read a 20,000-row workbook (read-only mode)", lambda: read_xlsx(big, "big.xlsx"))
    match = tabular.match_columns(table, columns)
    timed("type its 100,000 cells", lambda: tabular.typed_rows(table, columns, match))


if __name__ == "__main__":
    main()
