"""`trialdesk safety clocks --event event.json --json`: every reporting obligation one event creates.

Pure and offline: it reads the event's facts from a file, runs the same clock engine as the application
(`safety.rules.clocks.obligations_for`) and touches no database. Committee (IRB) policies, which the
application keeps per study, are given with `--policies policies.json` (a list of objects with `name`,
`committee`, `event_kind`, `clock`, `length`, `holiday_calendar` and optionally `citation`).

`trialdesk safety dsur` (run daily, e.g. from cron) adds each study's next annual safety report (DSUR)
obligation once the current one's due date has passed; it is the one subcommand using the database.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from trialdesk.interop import json_documents
from trialdesk.safety import event_file
from trialdesk.safety.rules import clocks


def read_document(what: str, path: str, parse, **options):
    """The parsed `what` document of the file at `path`; a CommandError with one line per bad field."""
    try:
        return parse(json_documents.read_json(path, root=what), **options)
    except json_documents.DocumentError as error:
        raise CommandError("\n".join(error.lines())) from error


class Command(BaseCommand):
    help = "Safety reporting: `clocks` prints every reporting obligation one adverse event creates."
    requires_system_checks = []

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{clocks,dsur}")
        clocks = actions.add_parser("clocks", help="the reporting obligations and due dates of one event")
        clocks.add_argument("--event", required=True, metavar="FILE", help="the event's facts (JSON)")
        clocks.add_argument("--policies", metavar="FILE", help="committee (IRB) policies (JSON list)")
        clocks.add_argument("--json", action="store_true", dest="as_json", help="print JSON")
        actions.add_parser("dsur", help="add the next DSUR obligation of every study with a birth date")

    def handle(self, *args, action: str, **options):
        if action == "dsur":
            self.next_dsurs()
            return
        policies = (
            read_document("policies", options["policies"], event_file.parse_policies)
            if options["policies"]
            else {}
        )
        facts = read_document("event", options["event"], event_file.parse_event, policies=policies)
        obligations = clocks.obligations_for(facts, policies)
        if options["as_json"]:
            self.stdout.write(json.dumps([o.as_json() for o in obligations], indent=2))
            return
        if not obligations:
            self.stdout.write("No reporting obligation: the event is not serious and starts no clock.")
        for o in obligations:
            self.stdout.write(
                f"{o.due_at.isoformat():<26} {o.recipient:<28} {o.jurisdiction:<10} "
                f"{o.length} {o.clock:<8} {o.rule}"
            )

    def next_dsurs(self) -> None:
        from trialdesk.safety.models import StudySafetySettings
        from trialdesk.safety.services import ensure_dsur_obligation

        settings = StudySafetySettings.objects.filter(development_birth_date__isnull=False).select_related(
            "study"
        )
        for found in settings:
            obligation = ensure_dsur_obligation(study=found.study, by=None)
            self.stdout.write(f"{found.study.code}: DSUR due {obligation.due_on.isoformat()}")
