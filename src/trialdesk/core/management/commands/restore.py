"""`trialdesk restore FILE`: a backup put back into an empty data directory, then verified."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from trialdesk.core.backup import databases, services


class Command(BaseCommand):
    help = (
        "Restore a backup written by `trialdesk backup` into an empty data directory (and empty database): "
        "checks the manifest's signature and every member's checksum before putting anything in place, "
        "then the database's integrity, the rows per table, the audit head, chain, anchors and records."
    )
    # Nothing may open (and so create) the SQLite file before the command has checked it is absent.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("archive", metavar="FILE", help="the archive written by `trialdesk backup`")
        parser.add_argument(
            "--anchors",
            action="append",
            default=[],
            metavar="FILE",
            help="anchors file(s) the restored trail must also satisfy (`audit anchor -o FILE`)",
        )

    def handle(self, *args, archive: str, anchors: list[str], **options):
        source = Path(archive)
        if not source.is_file():
            raise CommandError(f"{source}: no such file", returncode=2)
        try:
            outcome = services.restore(source, anchor_files=[Path(a) for a in anchors])
        except databases.BackupProblem as problem:
            raise CommandError(f"restore failed: {problem}", returncode=1) from None
        for line in outcome.done:
            self.stdout.write(line)
        if outcome.problems:
            raise CommandError("\n".join(["restore NOT done:", *outcome.problems]), returncode=1)
        self.stdout.write(f"restore done: {source} into {services.data_dir()}, verified")
