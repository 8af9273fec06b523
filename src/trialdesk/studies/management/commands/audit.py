"""`trialdesk audit verify` checks the trail, `audit anchor` anchors its head outside the database, and
`audit export` writes a study's audit trail."""

import io
import json
from collections.abc import Iterable
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from trialdesk.core import audit
from trialdesk.core.audit import anchors, verification
from trialdesk.core.models import AuditEvent
from trialdesk.studies.models import Study


class Command(BaseCommand):
    help = (
        "Verify the audit trail (chain, keys, anchors, records, database integrity), anchor its head, "
        "or export one study's audit trail as CSV or JSON."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{verify,anchor,export}")
        verify = actions.add_parser(
            "verify",
            help="walk the keyed hash chain, check anchors, compare every regulated record with its audit "
            "events and check the database's integrity; one line per problem, exit 1 on any",
        )
        verify.add_argument(
            "--anchors",
            action="append",
            default=[],
            metavar="FILE",
            help="anchors written by `audit anchor -o FILE`: every anchored event must still be in the trail",
        )
        verify.add_argument(
            "--records",
            action="store_true",
            default=True,
            help="compare every regulated record with the state its audit events add up to (the default)",
        )
        verify.add_argument("--no-records", action="store_false", dest="records", help="skip that comparison")
        anchor = actions.add_parser(
            "anchor", help="sign the chain's head (event id, hash, count) and print it or append it to FILE"
        )
        anchor.add_argument(
            "-o", "--output", metavar="FILE", help="append the anchor to FILE, outside the database"
        )
        export = actions.add_parser("export", help="write a study's audit trail")
        export.add_argument("--study", required=True, metavar="CODE", help="the study's protocol number")
        export.add_argument("--format", required=True, choices=("csv", "json"), dest="export_format")
        export.add_argument("--output", metavar="FILE", help="file to write (default: standard output)")

    def handle(self, *args, action: str, **options):
        if action == "verify":
            self.verify([Path(p) for p in options["anchors"]], options["records"])
        elif action == "anchor":
            self.anchor(options.get("output"))
        else:
            self.export(options["study"], options["export_format"], options.get("output"))

    def verify(self, anchor_files: list[Path], records: bool) -> None:
        result = verification.verify(anchor_files=anchor_files, records=records)
        for line in result.checked:
            self.stdout.write(line)
        if result.problems:
            raise CommandError("\n".join(result.problems), returncode=1)

    def anchor(self, output: str | None) -> None:
        anchor = anchors.anchor_now()
        if output:
            try:
                anchors.append(Path(output), anchor)
            except OSError as error:
                raise CommandError(
                    f"{output}: cannot append the anchor ({error.strerror})", returncode=1
                ) from None
            self.stdout.write(f"anchored event #{anchor.event_id} ({anchor.events} events) to {output}")
        else:
            self.stdout.write(anchor.line())

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
