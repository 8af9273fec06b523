"""`trialdesk backup -o FILE`: the database, the uploaded documents and a signed manifest in one archive."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from trialdesk.core.backup import databases, services


class Command(BaseCommand):
    help = (
        "Write a backup archive (.tar.gz): a consistent copy of the database taken while others write "
        "(SQLite online backup, pg_dump on PostgreSQL), the uploaded documents, and a manifest signed with "
        "the audit key (rows per table, the audit head and an anchor of it, a SHA-256 per member)."
    )

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", required=True, metavar="FILE", help="the archive to write")
        parser.add_argument(
            "--anchors",
            metavar="FILE",
            help="also append the backup's audit anchor to this anchors file (see `audit anchor`)",
        )

    def handle(self, *args, output: str, anchors: str | None, **options):
        target = Path(output).resolve()
        if target.exists():
            raise CommandError(f"{target} exists already: a backup never overwrites a file", returncode=2)
        if not target.parent.is_dir():
            raise CommandError(f"{target.parent} is not a folder", returncode=2)
        try:
            outcome = services.backup(target, anchor_file=Path(anchors) if anchors else None)
        except databases.BackupProblem as problem:
            raise CommandError(f"backup failed: {problem}", returncode=1) from None
        for line in outcome.done:
            self.stdout.write(line)
