"""`trialdesk incidents clocks --incident incident.json --json`: every notification one incident requires.

Pure and offline: it reads the incident's facts from a file (`incidents.incident_file`), runs the breach
rules (`incidents.rules`, on the safety app's clock engine) and touches no database. `--as-of` sets the
moment statuses are judged at (default: now). With `--json` it prints `{"obligations": [...],
"warnings": [...]}`, each obligation with the fields of `trialdesk safety clocks` (`recipient`,
`jurisdiction`, `rule`, `clock`, `length`, `starts_at`, `due_at`, `due_on`, `key`, …); without, a table.
A bad file fails with one line per bad field, naming it.
"""

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from rich.console import Console
from rich.table import Table

from trialdesk.incidents import incident_file, rules
from trialdesk.safety.event_file import AWARE_HINT
from trialdesk.safety.management.commands.safety import read_document


def as_of(text: str) -> dt.datetime:
    """The `--as-of` moment, with its UTC offset."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of: {AWARE_HINT}") from None
    if moment.utcoffset() is None:
        raise CommandError(f"--as-of: {AWARE_HINT}")
    return moment


class Command(BaseCommand):
    help = "Breach and incident notifications: `clocks` prints every notification one incident requires."
    requires_system_checks = []

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{clocks}")
        clocks = actions.add_parser("clocks", help="the notifications and due times of one incident")
        clocks.add_argument("--incident", required=True, metavar="FILE", help="the incident's facts (JSON)")
        clocks.add_argument("--as-of", metavar="ISO8601", help="judge statuses at this moment (default: now)")
        clocks.add_argument("--json", action="store_true", dest="as_json", help="print JSON")

    def handle(self, *args, action: str, **options):
        facts = read_document("incident", options["incident"], incident_file.parse_incident)
        now = as_of(options["as_of"]) if options["as_of"] else timezone.now()
        obligations = rules.obligations_for(facts, now=now)
        warnings = rules.warnings_for(facts)
        if options["as_json"]:
            document = {"obligations": [o.as_json() for o in obligations], "warnings": warnings}
            self.stdout.write(json.dumps(document, indent=2, ensure_ascii=False))
            return
        self.print_table(facts, obligations, warnings)

    def print_table(self, facts, obligations, warnings) -> None:
        console = Console(file=self.stdout, width=160, highlight=False)
        for warning in warnings:
            console.print(f"warning: {warning}", markup=False)
        if not obligations:
            console.print("No notification: no rule of these jurisdictions applies to this incident.")
            return
        table = Table(title=f"Notifications due (times in {facts.sponsor_timezone})")
        for heading in ("Due", "Status", "Recipient", "Jurisdiction", "Clock", "Rule"):
            table.add_column(heading)
        for o in obligations:
            when = "without undue delay" if o.clock == rules.WITHOUT_UNDUE_DELAY else o.due_at.isoformat()
            clock = "no fixed period" if o.clock == rules.WITHOUT_UNDUE_DELAY else f"{o.length} {o.clock}"
            unverified = "" if o.verified else " (unverified)"
            table.add_row(when, o.status, o.recipient, o.jurisdiction, clock, o.rule + unverified)
        console.print(table)


__all__ = ["Command", "CommandError"]
