"""`trialdesk registry check [--study CODE] [--json]`: registry record against Trialdesk, and deadlines."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from trialdesk.integrations.cli.acting_user import acting_user
from trialdesk.integrations.models import RegistryRecord
from trialdesk.integrations.registry import selectors
from trialdesk.studies.models import Study


class Command(BaseCommand):
    help = "Compare imported ClinicalTrials.gov records with Trialdesk and list FDAAA 801 / EU CTR deadlines."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{check}")
        check = actions.add_parser(
            "check", help="differences and deadlines of each study with a registry record"
        )
        check.add_argument("--study", metavar="CODE", help="only this study (its protocol number)")
        check.add_argument("--json", action="store_true", help="machine-readable output")
        check.add_argument(
            "--user", metavar="USERNAME", help="only studies this user may see (default: every study)"
        )

    def handle(self, *args, **options):
        records = RegistryRecord.objects.select_related("study", "snapshot").order_by("study__code")
        if options.get("user"):
            records = records.filter(study__in=_visible_studies(options["user"]))
        if options.get("study"):
            records = records.filter(study__code=options["study"])
            if not records.exists():
                raise CommandError(
                    f"--study: no study {options['study']!r} with an imported registry record."
                )
        today = timezone.now().date()
        checks = [selectors.check_study(record.study, today=today) for record in records]
        if options["json"]:
            self.stdout.write(json.dumps([c.as_dict() for c in checks], indent=2, ensure_ascii=False))
        else:
            for check in checks:
                self._print(check)
        if any(d["status"] == "late" for c in checks for d in c.deadlines):
            raise CommandError("overdue registry obligations (see above)", returncode=3)

    def _print(self, check) -> None:
        self.stdout.write(
            f"{check.study_code} ({check.nct_number}), registry record of {check.last_update_posted_on}"
        )
        if not check.differences:
            self.stdout.write("  no differences")
        for d in check.differences:
            self.stdout.write(
                f"  differs  {d.topic}: {d.item}: registry {d.registry}; Trialdesk {d.trialdesk}"
            )
        for d in check.deadlines:
            late = f", {d['days_late']} days late" if d["days_late"] else ""
            self.stdout.write(
                f"  {d['status']:<8} {d['due_on']} {d['recipient']} {d['rule']}: {d['description']}{late}"
            )


def _visible_studies(username: str):
    return Study.objects.visible_to(acting_user(username))
