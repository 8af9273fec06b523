"""Fill a database with a large portfolio for the scale benchmark: studies, sites, milestones, people.

Bench data is written with bulk_create and so bypasses the services and the audit trail on purpose:
the point is to measure reads over a realistic volume, and a benchmark database records nothing real.
Never point this at a database that holds real data.

    python benchmarks/generate.py --studies 1000 --sites-per-study 20 --database var/bench.sqlite3

With --database the SQLite file is created afresh (an existing one is replaced). Without it the
database comes from DATABASE_URL (or TRIALDESK_DATA_DIR's default file) and must hold no studies yet.
The CRM `bench_crm` is assigned to --crm-studies of the studies; bench_portfolio.py signs in as them.
"""

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

import django

SEED = 7
BENCH_PASSWORD = "trialdesk-bench"
PHASES = ("I", "I-II", "II", "II-III", "III", "IV", "device", "observational")
AREAS = (
    "Oncology",
    "Cardiology",
    "Neurology",
    "Respiratory",
    "Infectious disease",
    "Immunology",
    "Endocrinology",
)
STUDY_STATUSES = ("planned", "start_up", "recruiting", "recruiting", "recruiting", "active_not_recruiting")
SITE_STATUSES = (
    "identified",
    "under_feasibility",
    "selected",
    "start_up",
    "activated",
    "enrolling",
    "enrolling",
    "enrolling",
    "enrollment_closed",
    "on_hold",
    "terminated",
)
ACTIVE = {"activated", "enrolling", "enrollment_closed"}
# Cities with their country and IANA zone, for institutions spread over the time zones.
CITIES = (
    ("Boston", "US", "America/New_York"),
    ("Houston", "US", "America/Chicago"),
    ("Denver", "US", "America/Denver"),
    ("Los Angeles", "US", "America/Los_Angeles"),
    ("Toronto", "CA", "America/Toronto"),
    ("São Paulo", "BR", "America/Sao_Paulo"),
    ("London", "GB", "Europe/London"),
    ("Berlin", "DE", "Europe/Berlin"),
    ("Paris", "FR", "Europe/Paris"),
    ("Madrid", "ES", "Europe/Madrid"),
    ("Milan", "IT", "Europe/Rome"),
    ("Amsterdam", "NL", "Europe/Amsterdam"),
    ("Warsaw", "PL", "Europe/Warsaw"),
    ("Stockholm", "SE", "Europe/Stockholm"),
    ("Tokyo", "JP", "Asia/Tokyo"),
    ("Seoul", "KR", "Asia/Seoul"),
    ("Mumbai", "IN", "Asia/Kolkata"),
    ("Sydney", "AU", "Australia/Sydney"),
)


def configure_django(database: str | None) -> None:
    """Django settings for the benchmark: the SQLite file given, else the usual configuration."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trialdesk.settings")
    if database:
        os.environ.pop("DATABASE_URL", None)
    from django.conf import settings

    if database:
        settings.DATABASES["default"]["NAME"] = str(Path(database).resolve())
    django.setup()


def fresh_sqlite_file(database: str) -> None:
    path = Path(database).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)


def fill(*, studies: int, sites_per_study: int, crm_studies: int, today: dt.date) -> dict[str, int]:
    """Bulk-insert the bench portfolio in one transaction; returns how many rows of each kind."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from trialdesk.core.models import RoleAssignment, User
    from trialdesk.sites.models import Institution, StudySite
    from trialdesk.studies.models import Milestone, Program, Study

    rng = random.Random(SEED)
    with transaction.atomic():
        password = make_password(BENCH_PASSWORD)
        crms = [User(username="bench_crm", first_name="Bench", last_name="CRM", password=password)]
        crms += [User(username=f"bench_crm_{i:02d}", password=password) for i in range(1, 50)]
        monitors = [User(username=f"bench_monitor_{i:03d}", password=password) for i in range(100)]
        coordinators = [User(username=f"bench_coordinator_{i:03d}", password=password) for i in range(100)]
        User.objects.bulk_create(crms + monitors + coordinators)

        programs = Program.objects.bulk_create(Program(name=f"Bench program {i:02d}") for i in range(50))
        institution_count = max(10, studies * sites_per_study // 10)
        institutions = Institution.objects.bulk_create(
            Institution(name=f"{city} Research Hospital {i:04d}", city=city, country=country, time_zone=zone)
            for i, (city, country, zone) in ((i, CITIES[i % len(CITIES)]) for i in range(institution_count))
        )
        study_rows = Study.objects.bulk_create(
            Study(
                program=programs[i % len(programs)] if i % 3 else None,
                code=f"BENCH-{i:05d}",
                title=f"Bench study {i}: a randomised study in {AREAS[i % len(AREAS)].lower()}",
                acronym=f"B{i}",
                phase=PHASES[i % len(PHASES)],
                therapeutic_area=AREAS[i % len(AREAS)],
                sponsor=f"Sponsor {i % 40:02d}",
                nct_number=f"NCT{90000000 + i:08d}",
                status=STUDY_STATUSES[i % len(STUDY_STATUSES)],
                planned_enrollment=rng.randint(40, 1200),
                blinded=bool(i % 2),
            )
            for i in range(studies)
        )
        sites = StudySite.objects.bulk_create(
            site_row(study, n, rng.choice(institutions), rng, today)
            for study in study_rows
            for n in range(sites_per_study)
        )
        milestones = Milestone.objects.bulk_create(
            milestone for study in study_rows for milestone in study_milestones(study, rng, today)
        )
        assignments = role_assignments(study_rows, sites, crms, monitors, coordinators, crm_studies, rng)
        RoleAssignment.objects.bulk_create(assignments)
    return {
        "users": len(crms) + len(monitors) + len(coordinators),
        "programs": len(programs),
        "institutions": len(institutions),
        "studies": len(study_rows),
        "study sites": len(sites),
        "milestones": len(milestones),
        "role assignments": len(assignments),
    }


def site_row(study, n: int, institution, rng: random.Random, today: dt.date):
    from trialdesk.sites.models import StudySite

    status = SITE_STATUSES[rng.randrange(len(SITE_STATUSES))]
    planned = today + dt.timedelta(days=rng.randint(-600, 120))
    return StudySite(
        study=study,
        institution=institution,
        site_number=str(101 + n),
        principal_investigator=f"Dr Investigator {study.pk}-{n}",
        status=status,
        status_before_hold="enrolling" if status == "on_hold" else "",
        target_enrollment=rng.randint(2, 60),
        planned_activation_on=planned,
        activated_on=min(planned + dt.timedelta(days=rng.randint(-10, 40)), today)
        if status in ACTIVE
        else None,
    )


def study_milestones(study, rng: random.Random, today: dt.date):
    """Five study milestones: those before today done (some late), the rest forecast (some slipping)."""
    from trialdesk.studies.models import Milestone

    start = today - dt.timedelta(days=rng.randint(30, 900))
    slip = rng.choice((0, 0, 0, 14, 30, 60))
    for kind, offset in (
        ("protocol_final", 0),
        ("first_site_activated", 120),
        ("first_participant_in", 150),
        ("last_participant_in", 700),
        ("database_lock", 1000),
    ):
        baseline = start + dt.timedelta(days=offset)
        expected = baseline + dt.timedelta(days=slip if offset else 0)
        done = expected < today
        yield Milestone(
            study=study,
            kind=kind,
            baseline_on=baseline,
            forecast_on=None if done else expected,
            actual_on=expected if done else None,
        )


def role_assignments(studies, sites, crms, monitors, coordinators, crm_studies: int, rng: random.Random):
    """bench_crm on every n-th study up to `crm_studies`; a second CRM on each study; site staff."""
    from trialdesk.core.models import RoleAssignment

    bench_crm, other_crms = crms[0], crms[1:]
    step = max(1, len(studies) // max(1, crm_studies))
    mine = studies[::step][:crm_studies]
    rows = [RoleAssignment(user=bench_crm, role="crm", study=study) for study in mine]
    rows += [
        RoleAssignment(user=other_crms[i % len(other_crms)], role="crm", study=s)
        for i, s in enumerate(studies)
    ]
    for i, site in enumerate(rng.sample(sites, min(len(sites), len(monitors) * 10))):
        rows.append(
            RoleAssignment(
                user=monitors[i % len(monitors)], role="monitor", study=site.study, study_site=site
            )
        )
    for i, site in enumerate(rng.sample(sites, min(len(sites), len(coordinators) * 5))):
        rows.append(
            RoleAssignment(
                user=coordinators[i % len(coordinators)],
                role="coordinator",
                study=site.study,
                study_site=site,
            )
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, default=1000)
    parser.add_argument("--sites-per-study", type=int, default=20)
    parser.add_argument("--crm-studies", type=int, default=200, help="studies bench_crm is assigned to")
    parser.add_argument("--database", help="SQLite file to create afresh (default: DATABASE_URL or var/)")
    args = parser.parse_args()

    started = time.perf_counter()
    if args.database:
        fresh_sqlite_file(args.database)
    configure_django(args.database)
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from trialdesk.studies.models import Study

    call_command("migrate", verbosity=0, interactive=False)
    migrated = time.perf_counter()
    if Study.objects.exists():
        print(
            "This database already holds studies; give --database for a fresh SQLite file.", file=sys.stderr
        )
        return 1
    counts = fill(
        studies=args.studies,
        sites_per_study=args.sites_per_study,
        crm_studies=args.crm_studies,
        today=timezone.now().date(),
    )
    finished = time.perf_counter()
    where = connection.settings_dict["NAME"]
    print(f"Bench portfolio in {connection.vendor} database {where}:")
    print("  " + ", ".join(f"{count:,} {name}" for name, count in counts.items()))
    print(
        f"Generated in {finished - started:.1f} s "
        f"(migrate {migrated - started:.1f} s, inserts {finished - migrated:.1f} s)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
