"""`trialdesk regulatory amendment-status`: how far each amendment being implemented has got, per site."""

import json

from django.core.management.base import BaseCommand, CommandError

from trialdesk.regulatory import selectors
from trialdesk.studies.models import Study


class Command(BaseCommand):
    help = "Regulatory reports: the implementation status of protocol amendments at each site."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{amendment-status}")
        status = actions.add_parser(
            "amendment-status",
            help="each checklist item's state per site, and the participants still needing re-consent",
        )
        status.add_argument("--study", metavar="CODE", help="one study's protocol number (default: all)")
        status.add_argument("--version", metavar="V", dest="protocol_version", help="one protocol version")
        status.add_argument("--json", action="store_true", dest="as_json", help="print the report as JSON")

    def handle(self, *args, action: str, **options):
        code = options.get("study")
        if code and not Study.objects.filter(code=code).exists():
            raise CommandError(f"No study has the protocol number {code!r}.")
        report = selectors.amendment_status_report(study_code=code, version=options.get("protocol_version"))
        if options.get("protocol_version") and not report["studies"]:
            raise CommandError(
                f"No amendment with protocol version {options['protocol_version']!r} is being implemented."
            )
        if options["as_json"]:
            self.stdout.write(json.dumps(report, indent=2))
            return
        for study in report["studies"]:
            self.stdout.write(f"{study['study']} protocol v{study['version']}")
            for site in study["sites"]:
                states = ", ".join(f"{i['item']}={i['state']}" for i in site["items"])
                pending = len(site["reconsent_pending"])
                self.stdout.write(f"  site {site['site']}: {states}; {pending} to re-consent")
