"""`trialdesk health refresh [--study CODE]` computes and stores each study's health for the portfolio
(run it nightly from cron, like `trialdesk forecast refresh`; the demo runs it after loading)."""

from django.core.management.base import BaseCommand, CommandError

from trialdesk.studies import stored_health
from trialdesk.studies.models import Study


class Command(BaseCommand):
    help = "Compute and store each study's red/amber/green health, which the portfolio shows and sorts by."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{refresh}")
        refresh = actions.add_parser("refresh", help="compute and store the health of every study (or one)")
        refresh.add_argument("--study", metavar="CODE", help="only this study (its protocol number)")

    def handle(self, *args, action: str, **options):
        studies = Study.objects.order_by("code")
        if options.get("study"):
            studies = studies.filter(code=options["study"])
            if not studies.exists():
                raise CommandError(f"--study: no study has the protocol number {options['study']!r}.")
        count = stored_health.refresh(studies)
        self.stdout.write(f"Stored the health of {count} stud{'y' if count == 1 else 'ies'}.")
