"""`trialdesk safety clocks --event event.json --json`: every reporting obligation one event creates.

Pure and offline: it reads the event's facts from a file, runs the same clock engine as the application
(`safety.rules.clocks.obligations_for`) and touches no database. Committee (IRB) policies, which the
application keeps per study, are given with `--policies policies.json` (a list of objects with `name`,
`committee`, `event_kind`, `clock`, `length`, `holiday_calendar` and optionally `citation`). `--as-of` sets
the moment statuses are judged at (default: now). With `--json` it prints `{"obligations": [...],
"warnings": [...]}`: each obligation with issue 4's fields plus `status` and `day_zero`; a warning for each
country without rules.

`trialdesk safety dsur --birth-date YYYY-MM-DD --as-of YYYY-MM-DD --json` prints the data lock point and due
date of the DSUR due next on or after `--as-of` (offline). Without `--birth-date` (run daily, e.g. from
cron) it adds each product's next DSUR obligation once the current one's due date has passed: the one
subcommand using the database.
"""

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from trialdesk.interop import json_documents
from trialdesk.safety import event_file
from trialdesk.safety.rules import clocks


def read_document(what: str, path: str, parse, **options):
    """The parsed `what` document of the file at `path`; a CommandError with one line per bad field."""
    try:
        return parse(json_documents.read_json(path, root=what), **options)
    except json_documents.DocumentError as error:
        raise CommandError("\n".join(error.lines())) from error


def _moment(text: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of: {event_file.AWARE_HINT}") from None
    if moment.utcoffset() is None:
        raise CommandError(f"--as-of: {event_file.AWARE_HINT}")
    return moment


def _day(name: str, text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{name}: give a date as YYYY-MM-DD, e.g. 2025-03-01.") from None


class Command(BaseCommand):
    help = "Safety reporting: `clocks` prints every reporting obligation one adverse event creates."
    requires_system_checks = []

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{clocks,dsur}")
        clocks = actions.add_parser("clocks", help="the reporting obligations and due dates of one event")
        clocks.add_argument("--event", required=True, metavar="FILE", help="the event's facts (JSON)")
        clocks.add_argument("--policies", metavar="FILE", help="committee (IRB) policies (JSON list)")
        clocks.add_argument("--as-of", metavar="ISO8601", help="judge statuses at this moment (default: now)")
        clocks.add_argument("--json", action="store_true", dest="as_json", help="print JSON")
        dsur = actions.add_parser(
            "dsur", help="the next DSUR of a birth date, or add every product's next one"
        )
        dsur.add_argument("--birth-date", metavar="YYYY-MM-DD", help="development international birth date")
        dsur.add_argument("--as-of", metavar="YYYY-MM-DD", help="the report due next on or after this day")
        dsur.add_argument("--json", action="store_true", dest="as_json", help="print JSON")

    def handle(self, *args, action: str, **options):
        if action == "dsur":
            self.dsur(options)
            return
        policies = (
            read_document("policies", options["policies"], event_file.parse_policies)
            if options["policies"]
            else {}
        )
        facts = read_document("event", options["event"], event_file.parse_event, policies=policies)
        now = _moment(options["as_of"]) if options["as_of"] else timezone.now()
        obligations = clocks.obligations_for(facts, policies, now=now)
        warnings = clocks.warnings_for(facts)
        if options["as_json"]:
            document = {"obligations": [o.as_json() for o in obligations], "warnings": warnings}
            self.stdout.write(json.dumps(document, indent=2, ensure_ascii=False))
            return
        for warning in warnings:
            self.stdout.write(f"warning: {warning}")
        if not obligations:
            self.stdout.write("No reporting obligation: the event is not serious and starts no clock.")
        for o in obligations:
            unverified = "" if o.verified else " (unverified)"
            self.stdout.write(
                f"{o.due_at.isoformat():<26} {o.status:<12} {o.recipient:<28} {o.jurisdiction:<10} "
                f"{o.length} {o.clock:<8} {o.rule}{unverified}"
            )

    def dsur(self, options) -> None:
        if options["birth_date"]:
            birth = _day("--birth-date", options["birth_date"])
            as_of = _day("--as-of", options["as_of"]) if options["as_of"] else timezone.now().date()
            lock, due_on = clocks.dsur_due_on(development_birth_date=birth, today=as_of)
            if options["as_json"]:
                self.stdout.write(
                    json.dumps({"data_lock_point": lock.isoformat(), "due_on": due_on.isoformat()})
                )
            else:
                self.stdout.write(f"DSUR data lock point {lock.isoformat()}, due {due_on.isoformat()}")
            return
        self.next_dsurs()

    def next_dsurs(self) -> None:
        from trialdesk.safety.services import ensure_dsur_obligations

        for code, obligation in ensure_dsur_obligations(by=None):
            self.stdout.write(f"{code}: DSUR due {obligation.due_on.isoformat()}")
