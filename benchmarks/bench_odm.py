"""Time CDISC ODM export/import and the FHIR Bundle for a study of 2,000 participants × 15 visits.

Sets up a fresh SQLite database: one study, 20 sites, a 15-visit schedule, 2,000 participants with their
visits scheduled (bulk) and the first half of each schedule marked done (plain UPDATE, setup only). Then
times, as the administrator: the ODM export with metadata and clinical data, schema validation of that
file, the export with the audit trail too, the FHIR Bundle of the study; and the ODM import of a file
recording the next visit of `--import-visits` participants (checked first, then one audited
record_visit each), and the same file imported again (nothing to change). No speed target is set by
the issue; the figures are recorded in benchmarks/README.md. First (issue 19), the peak memory of reading
ClinicalData from files of `--memory` MB (5 and 20), the tree reader against the streamed one
(`iter_clinical_data`), each in a fresh process; `--memory-only` stops there.

    python benchmarks/bench_odm.py [--participants 2000] [--visits 15] [--import-visits 1000]
        [--memory 5 20] [--memory-only]
"""

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from generate import configure_django, fresh_sqlite_file  # noqa: E402
from measure import report  # noqa: E402

SITES = 20
RANDOMIZED_ON = dt.date(2024, 1, 8)


def set_up(*, participants: int, visits: int):
    from django.db import transaction

    from trialdesk.core.models import User
    from trialdesk.sites.models import Institution, StudySite
    from trialdesk.studies.models import ProtocolVersion, Study
    from trialdesk.subjects.models import Participant
    from trialdesk.visits import services
    from trialdesk.visits.models import ScheduledVisit, VisitDefinition

    with transaction.atomic():
        admin = User.objects.create_superuser("bench_admin", "bench@example.org", "trialdesk-bench")
        study = Study.objects.create(
            code="BENCH-ODM",
            title="Bench study for ODM",
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
            study=study, number="1.0", version_date=dt.date(2023, 6, 1), status="effective"
        )
        VisitDefinition.objects.bulk_create(
            VisitDefinition(
                protocol_version=protocol,
                code=f"V{n:02d}",
                name=f"Visit {n}",
                visit_type="treatment",
                anchor="randomization",
                day_offset=14 * n,
                window_before_days=3,
                window_after_days=3,
                modalities=["on_site", "telemedicine"],
                order=n,
            )
            for n in range(visits)
        )
        Participant.objects.bulk_create(
            Participant(
                study=study,
                study_site=sites[i % SITES],
                number=f"{101 + i % SITES}-{i // SITES + 1:05d}",
                status="randomized",
                enrolled_on=dt.date(2024, 1, 1),
            )
            for i in range(participants)
        )
    anchors = list(Participant.objects.values_list("pk", flat=True))
    services.schedule_visits_bulk(
        protocol_version=protocol,
        anchor="randomization",
        anchors=[(pk, RANDOMIZED_ON) for pk in anchors],
        by=admin,
        reason="Benchmark",
    )
    half = [f"V{n:02d}" for n in range(visits // 2)]
    visits_done = ScheduledVisit.objects.filter(definition__code__in=half)
    for code in half:
        day = RANDOMIZED_ON + dt.timedelta(days=14 * int(code[1:]))
        visits_done.filter(definition__code=code).update(status="done", done_on=day, modality="on_site")
    return admin, study


def import_file(participants, code: str, day: dt.date) -> bytes:
    rows = "".join(
        f'<SubjectData SubjectKey="{number}"><StudyEventData StudyEventOID="SE.{code}">'
        '<FormData FormOID="F.VISIT">'
        f'<ItemGroupData ItemGroupOID="IG.VISIT"><ItemData ItemOID="IT.SVSTDTC" Value="{day}"/>'
        "</ItemGroupData></FormData></StudyEventData></SubjectData>"
        for number in participants
    )
    return (
        '<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3" FileOID="B" FileType="Snapshot" ODMVersion="1.3.2" '
        f'CreationDateTime="2025-01-01T00:00:00Z"><ClinicalData StudyOID="EDC" MetaDataVersionOID="v">{rows}'
        "</ClinicalData></ODM>"
    ).encode()


# Peak memory of reading ClinicalData (issue 19): the tree reader against the streamed one, each in a
# fresh interpreter (ru_maxrss), at growing file sizes; the baseline is the same interpreter reading
# nothing (imports only).
MEMORY_PROBE = """
import resource, sys
from trialdesk.interop.odm import iter_clinical_data, parse_file, read_clinical_data
how, path = sys.argv[1], sys.argv[2]
if how == "tree":
    count = len(read_clinical_data(parse_file(path)))
elif how == "stream":
    count = sum(1 for _ in iter_clinical_data(path))
else:
    count = 0
print(count, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def write_sized(path: Path, megabytes: float) -> int:
    """An ODM file of about `megabytes` MB: SubjectData of 3 visits with 4 items each; its subject count."""
    subject = (
        '<SubjectData SubjectKey="{n}"><SiteRef LocationOID="S1"/>'
        + "".join(
            f'<StudyEventData StudyEventOID="SE.V{v}"><FormData FormOID="F.VISIT">'
            '<ItemGroupData ItemGroupOID="IG.VISIT">'
            + "".join(f'<ItemData ItemOID="IT.I{i}" Value="2025-01-{v + 10:02d}"/>' for i in range(4))
            + "</ItemGroupData></FormData></StudyEventData>"
            for v in range(3)
        )
        + "</SubjectData>"
    )
    count = int(megabytes * 1e6 / len(subject))
    with path.open("w") as out:
        out.write(
            '<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3" FileOID="B" FileType="Snapshot" '
            'ODMVersion="1.3.2" CreationDateTime="2025-01-01T00:00:00Z">'
            '<ClinicalData StudyOID="EDC" MetaDataVersionOID="v">'
        )
        for n in range(count):
            out.write(subject.format(n=f"{n:06d}"))
        out.write("</ClinicalData></ODM>")
    return count


def memory_figures(sizes: list[float]) -> None:
    import subprocess

    src = str(Path(__file__).resolve().parent.parent / "src")
    env = {**os.environ, "PYTHONPATH": src}

    def peak(how: str, path: Path) -> tuple[int, float]:
        out = subprocess.run(
            [sys.executable, "-c", MEMORY_PROBE, how, str(path)], env=env, check=True, capture_output=True
        ).stdout.split()
        return int(out[0]), int(out[1]) / 1024  # ru_maxrss is in KiB on Linux

    with tempfile.TemporaryDirectory() as folder:
        baseline = None
        for megabytes in sizes:
            path = Path(folder) / f"odm-{megabytes}.xml"
            subjects = write_sized(path, megabytes)
            if baseline is None:
                baseline = peak("none", path)[1]
                print(
                    "ODM reading, peak resident memory (ru_maxrss, own process; "
                    f"imports only {baseline:.0f} MiB)"
                )
            (tree_n, tree), (stream_n, stream) = peak("tree", path), peak("stream", path)
            assert tree_n == stream_n == subjects
            print(
                f"  {path.stat().st_size / 1e6:5.1f} MB, {subjects:,} subjects: tree {tree:.0f} MiB "
                f"(+{tree - baseline:.0f}), streamed {stream:.0f} MiB (+{stream - baseline:.0f})"
            )
            report("odm", f"reading {megabytes:g} MB, memory above imports", stream - baseline, unit="MiB",
                   peer="whole tree", ratio=(stream - baseline) / max(tree - baseline, 1),
                   target="flat as the file grows")  # fmt: skip


def seconds(function):
    started = time.perf_counter()
    result = function()
    return result, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--visits", type=int, default=15)
    parser.add_argument("--import-visits", type=int, default=1000)
    parser.add_argument("--database", default="var/bench-odm.sqlite3", help="SQLite file, created afresh")
    parser.add_argument(
        "--memory", type=float, nargs="*", default=[5, 20], help="file sizes (MB) for the reading memory"
    )
    parser.add_argument("--memory-only", action="store_true", help="only the reading memory figures")
    args = parser.parse_args()
    if args.memory:
        memory_figures(args.memory)
    if args.memory_only:
        return 0

    fresh_sqlite_file(args.database)
    configure_django(args.database)
    from django.core.management import call_command

    from trialdesk.integrations.fhir import selectors as fhir
    from trialdesk.integrations.odm import selectors as odm_export
    from trialdesk.integrations.odm import services as odm_import
    from trialdesk.interop.odm import schema_problems
    from trialdesk.subjects.models import Participant

    call_command("migrate", verbosity=0, interactive=False)
    (admin, study), setup = seconds(lambda: set_up(participants=args.participants, visits=args.visits))
    done = args.participants * (args.visits // 2)
    print(
        f"Set up {args.participants:,} participants × {args.visits} visits ({done:,} done) in {setup:.1f} s"
    )

    xml, export_s = seconds(lambda: odm_export.export_study(study=study, user=admin))
    print(f"ODM export (metadata + clinical data): {export_s:.2f} s, {len(xml) / 1e6:.1f} MB")
    problems, validate_s = seconds(lambda: schema_problems(xml))
    print(f"  XSD validation: {validate_s:.2f} s, {len(problems)} problems")
    audited, audit_s = seconds(lambda: odm_export.export_study(study=study, user=admin, audit=True))
    print(f"ODM export with the audit trail: {audit_s:.2f} s, {len(audited) / 1e6:.1f} MB")
    bundle, fhir_s = seconds(lambda: fhir.study_bundle(admin, study))
    print(f"FHIR Bundle: {fhir_s:.2f} s, {len(bundle['entry']):,} entries")

    numbers = list(
        Participant.objects.order_by("number").values_list("number", flat=True)[: args.import_visits]
    )
    code = f"V{args.visits // 2:02d}"
    day = RANDOMIZED_ON + dt.timedelta(days=14 * (args.visits // 2))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "edc.xml"
        path.write_bytes(import_file(numbers, code, day))
        report, import_s = seconds(lambda: odm_import.import_file(path=path, study=study, user=admin))
        print(
            f"ODM import of {len(numbers):,} visits: {import_s:.2f} s "
            f"({import_s / max(1, report.recorded) * 1000:.1f} ms per visit), recorded {report.recorded:,}, "
            f"problems {len(report.problems)}"
        )
        again, again_s = seconds(lambda: odm_import.import_file(path=path, study=study, user=admin))
        print(
            f"  the same file again: {again_s:.2f} s, {again.unchanged:,} unchanged, "
            f"{again.recorded} recorded"
        )
    ok = not problems and report.ok and report.recorded == len(numbers) and again.recorded == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
