"""`trialdesk audit verify` checks the hash chain; `trialdesk audit export` writes a study's audit trail."""

import io
import json
from collections.abc import Iterable
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from trialdesk.core import audit
from trialdesk.core.models import AuditEvent
from trialdesk.studies.models import Study


class Command(BaseCommand):
    help = "Verify the tamper-evident audit trail, or export one study's audit trail as CSV or JSON."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{verify,export}")
        actions.add_parser(
            "verify", help="walk the hash chain and report the first event that does not match"
        )
        export = actions.add_parser("export", help="write a study's audit trail")
        export.add_argument("--study", required=True, metavar="CODE", help="the study's protocol number")
        export.add_argument("--format", required=True, choices=("csv", "json"), dest="export_format")
        export.add_argument("--output", metavar="FILE", help="file to write (default: standard output)")

    def handle(self, *args, action: str, **options):
        if action == "verify":
            self.verify()
        else:
            self.export(options["study"], options["export_format"], options.get("output"))

    def verify(self) -> None:
        report = audit.verify_chain()
        if report.intact:
            self.stdout.write(f"audit chain intact: {report.events_checked} events")
            return
        broken = report.first_break
        event = AuditEvent.objects.filter(pk=broken.event_id).first()
        what = f"{event.action} {event.object_type}:{event.object_id}" if event else "missing event"
        raise CommandError(
            f"audit chain broken at event #{broken.event_id} ({what}): {broken.problem} "
            f"({report.events_checked} events checked)",
            returncode=1,
        )

    def export(self, code: str, export_format: str, output: str | None) -> None:
        study = Study.objects.filter(code=code).first()
        if study is None:
            raise CommandError(f"No study has the protocol number {code!r}.")
        events = audit.study_trail(study.pk)
        if output:
            with Path(output).open("w", encoding="utf-8", newline="") as handle:
                count = write_trail(handle, events, export_format)
            self.stderr.write(f"{count} audit events of {study.code} written to {output}")
        else:
            buffer = io.StringIO(newline="")
            write_trail(buffer, events, export_format)
            self.stdout.write(buffer.getvalue(), ending="")


def write_trail(handle, events: Iterable[AuditEvent], export_format: str) -> int:
    """Write the events as CSV (one row per changed field) or JSON (one object per event)."""
    events = list(events)
    if export_format == "csv":
        audit.write_csv(handle, events)
    else:
        json.dump([audit.event_document(event) for event in events], handle, indent=2, ensure_ascii=False)
        handle.write("\n")
    return len(events)
