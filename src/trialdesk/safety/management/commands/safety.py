"""`trialdesk safety clocks --event event.json --json`: every reporting obligation one event creates.

Pure and offline: it reads the event's facts from a file, runs the same clock engine as the application
(`safety.rules.obligations_for`) and touches no database. Committee (IRB) policies, which the application
keeps per study, are given with `--policies policies.json` (a list of objects with `name`, `committee`,
`event_kind`, `clock`, `length`, `holiday_calendar` and optionally `citation`).

`trialdesk safety dsur` (run daily, e.g. from cron) adds each study's next annual safety report (DSUR)
obligation once the current one's due date has passed; it is the one subcommand using the database.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from trialdesk.safety import rules


def read_policies(path: str | None) -> dict[str, rules.CommitteePolicy]:
    if not path:
        return {}
    raw = _read_json(path, "policies")
    if not isinstance(raw, list):
        raise CommandError("policies: the file must hold a list of committee policies.")
    found, problems = {}, []
    for index, item in enumerate(raw):
        try:
            policy = rules.CommitteePolicy(
                name=str(item["name"]),
                committee=str(item["committee"]),
                event_kind=str(item["event_kind"]),
                clock=str(item["clock"]),
                length=int(item["length"]),
                holiday_calendar=str(item["holiday_calendar"]),
                citation=str(item.get("citation", "")),
            )
        except (KeyError, TypeError, ValueError) as error:
            problems.append(f"policies[{index}]: missing or bad field {error}")
            continue
        errors = rules.committee_policy_problems(
            name=policy.name,
            event_kind=policy.event_kind,
            clock=policy.clock,
            length=policy.length,
            holiday_calendar=policy.holiday_calendar,
        )
        problems.extend(f"policies[{index}].{name}: {message}" for name, message in errors.items())
        found[policy.name] = policy
    if problems:
        raise CommandError("\n".join(problems))
    return found


def _read_json(path: str, what: str):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise CommandError(f"{what}: cannot read {path}: {error.strerror}") from error
    except json.JSONDecodeError as error:
        raise CommandError(f"{what}: {path} is not JSON ({error.msg} at line {error.lineno})") from error


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
        policies = read_policies(options.get("policies"))
        raw = _read_json(options["event"], "event")
        try:
            facts = rules.parse_event(raw, policies=policies)
        except rules.EventProblems as problems:
            raise CommandError(
                "\n".join(f"{name}: {message}" for name, message in problems.errors.items())
            ) from problems
        obligations = rules.obligations_for(facts, policies)
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
