"""`trialdesk notify scan|digest`: raise the due, overdue and lapsing notifications from "my work", and
send each person's daily digest by e-mail (run it from cron once a day: README.md)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from trialdesk.notifications import digest as digests
from trialdesk.notifications import tasks as digest_tasks
from trialdesk.notifications.scan import scan


def as_of(value: str | None) -> dt.date:
    if value is None:
        return timezone.now().date()  # the UTC day: cron runs on a server, not at a site
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--as-of must be a date written YYYY-MM-DD, not {value!r}.") from error


class Command(BaseCommand):
    help = "Raise notifications from what is due (scan) and send the daily e-mail digests (digest)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{scan,digest}")
        scanning = actions.add_parser(
            "scan", help="notify what is due within 24 h, overdue or lapsing (idempotent)"
        )
        scanning.add_argument(
            "--as-of", metavar="YYYY-MM-DD", help="the day to judge by (default: today, UTC)"
        )
        digest = actions.add_parser(
            "digest", help="scan, then send each person's digest for the day (once a day)"
        )
        digest.add_argument("--as-of", metavar="YYYY-MM-DD", help="the digest's day (default: today, UTC)")
        digest.add_argument(
            "--dry-run", action="store_true", help="print what would be sent; send and store nothing"
        )
        digest.add_argument(
            "--background",
            action="store_true",
            help="scan, then queue one digest per person for `trialdesk worker`",
        )

    def handle(self, *args, action: str, **options):
        day = as_of(options["as_of"])
        if action == "scan":
            self.report_scan(day)
        else:
            if options["background"] and not options["dry_run"]:
                return self.queue_digests(day)
            self.send_digests(day, dry_run=options["dry_run"])

    def report_scan(self, day: dt.date) -> None:
        result = scan(today=day)
        plural = "s" if result.total != 1 else ""
        kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(result.raised.items())) or "none new"
        self.stdout.write(
            f"Scan of {day.isoformat()}: {result.total} notification{plural} raised "
            f"({kinds}) for {len(result.people)} people; {result.emailed} e-mailed now."
        )

    def queue_digests(self, day: dt.date) -> None:
        self.report_scan(day)
        queued = digest_tasks.queue_digests(day)
        self.stdout.write(f"Digests for {day.isoformat()}: {len(queued)} queued for `trialdesk worker`.")

    def send_digests(self, day: dt.date, *, dry_run: bool) -> None:
        if not dry_run:
            self.report_scan(day)
        found = digests.digests(day)
        failed = 0
        for digest in found:
            person = f"{digest.person.username} <{digest.person.email}>"
            if dry_run:
                self.stdout.write(f"Would send to {person}: {digest.subject}")
                self.stdout.write("    " + digest.body.replace("\n", "\n    ").rstrip())
                continue
            try:
                sent = digests.send(digest)
            except Exception as error:  # one person's failed mail must not stop the others'
                failed += 1
                self.stderr.write(f"Digest to {person} failed: {error}")
                continue
            self.stdout.write(f"{'Sent' if sent else 'Already sent'} to {person}: {digest.subject}")
        verb = "would be sent" if dry_run else "sent"
        self.stdout.write(
            f"Digests for {day.isoformat()}: {len(found) - failed} {verb}"
            + (" (dry run: nothing sent)" if dry_run else "")
        )
        if failed:
            raise CommandError(f"{failed} digest{'s' if failed != 1 else ''} could not be sent.")
