"""`trialdesk monitoring due | carbon`: the monitoring visits due at each site, and the carbon of a trip.

trialdesk monitoring due [--study CODE] [--as-of YYYY-MM-DD] --json
trialdesk monitoring carbon --from LAT,LON --to LAT,LON --mode car|rail|air [--round-trip] --json
"""

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trialdesk.monitoring.rules import carbon


class OneLineErrors(CommandParser):
    """A sub-command parser whose usage errors are one line with exit status 2, like every bad input."""

    def error(self, message):
        if self.called_from_command_line:
            self.exit(2, f"{self.prog}: error: {message}\n")
        raise CommandError(f"Error: {message}", returncode=2)


def iso_day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of: {text!r} is not a date (YYYY-MM-DD)", returncode=2) from None


class Command(BaseCommand):
    help = (
        "Monitoring: `due` lists the next visit due at each site from the monitoring plan, the site's risk "
        "tier and its last visits; `carbon` works out the kg CO2e of a trip from published factors."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        actions = parser.add_subparsers(
            dest="action", required=True, metavar="{due,carbon}", parser_class=OneLineErrors
        )
        due = actions.add_parser("due", help="the monitoring visits due at each site, soonest first")
        due.add_argument("--study", metavar="CODE", help="one study's protocol number (default: every study)")
        due.add_argument(
            "--as-of",
            metavar="YYYY-MM-DD",
            help="the day to count overdue days from (default: each site's today)",
        )
        due.add_argument("--json", action="store_true", dest="as_json", help="print a JSON list")
        trip = actions.add_parser("carbon", help="distance and kg CO2e of a monitoring trip")
        trip.add_argument("--from", required=True, dest="origin", metavar="LAT,LON")
        trip.add_argument("--to", required=True, dest="destination", metavar="LAT,LON")
        trip.add_argument("--mode", required=True, choices=carbon.MODES)
        trip.add_argument("--round-trip", action="store_true", help="there and back")
        trip.add_argument("--json", action="store_true", dest="as_json", help="print a JSON object")

    def handle(self, *args, action: str, **options):
        if action == "due":
            self._due(options)
        else:
            self._carbon(options)

    def _due(self, options) -> None:
        # Here, not at the top: `carbon` runs offline, before the apps are loaded (trialdesk.cli).
        from trialdesk.monitoring.selectors.due import due_visits
        from trialdesk.sites.models import StudySite
        from trialdesk.studies.models import Study

        as_of = iso_day(options["as_of"]) if options.get("as_of") else None
        sites = StudySite.objects.select_related("study", "institution").order_by(
            "study__code", "site_number"
        )
        if options.get("study"):
            study = Study.objects.filter(code=options["study"]).first()
            if study is None:
                raise CommandError(
                    f"--study: no study has the protocol number {options['study']!r}", returncode=2
                )
            sites = sites.filter(study=study)
        found = due_visits(list(sites), as_of=as_of)
        if options["as_json"]:
            self.stdout.write(json.dumps([d.as_dict() for d in found], indent=2))
            return
        for d in found:
            late = f", {d.overdue_days} days overdue" if d.overdue_days else ""
            who = d.cra or "no CRA"
            where = f"{d.study_code} site {d.site.site_number}"
            what = f"{d.visit_type} ({d.modality}){late}"
            self.stdout.write(f"{d.due_on:%Y-%m-%d} {where}: {what} — {d.reason} [{who}]")

    def _carbon(self, options) -> None:
        try:
            origin = carbon.parse_point(options["origin"], "--from")
            destination = carbon.parse_point(options["destination"], "--to")
            found = carbon.estimate(
                origin=origin, destination=destination, mode=options["mode"], round_trip=options["round_trip"]
            )
        except carbon.CarbonInputError as error:
            raise CommandError(f"{error.field}: {error}", returncode=2) from None
        if options["as_json"]:
            self.stdout.write(json.dumps(found.as_dict(), indent=2))
            return
        trip = "round trip" if options["round_trip"] else "one way"
        self.stdout.write(
            f"{found.distance_km:.1f} km by {options['mode']} ({trip}, routing {found.routing_factor}) × "
            f"{found.factor_kg_co2e_per_km} kg CO2e/km = {found.kg_co2e:.1f} kg CO2e\n{found.source}"
        )
