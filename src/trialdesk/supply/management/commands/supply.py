"""`trialdesk supply forecast --study CODE --horizon-weeks 12 [--sims 2000] [--seed 1] [--safety-stock 2]
[--as-of YYYY-MM-DD] --json`: kits needed per site over the horizon (50 % and 90 % quantiles), stock on
hand and expiring, the suggested shipments and the projected waste, and how other resupply policies compare.

`trialdesk supply expire [--study CODE]` marks available kits of expired lots as expired (audited).
A bad option fails with one line naming it and a non-zero exit; nothing is written by `forecast`.
"""

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from rich.console import Console
from rich.table import Table

from trialdesk.studies.models import Study
from trialdesk.supply import forecast, services


def parse_day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of: {text!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = "Investigational product: `forecast` the kits each site needs; `expire` kits of expired lots."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{forecast,expire}")
        run = actions.add_parser(
            "forecast", help="kits needed per site, suggested shipments, projected waste"
        )
        run.add_argument("--study", required=True, metavar="CODE", help="the study's protocol code")
        run.add_argument("--horizon-weeks", type=int, default=12, dest="horizon_weeks")
        run.add_argument("--sims", type=int, default=forecast.DEFAULT_SIMS)
        run.add_argument("--seed", type=int, default=forecast.DEFAULT_SEED)
        run.add_argument(
            "--safety-stock", type=int, default=forecast.DEFAULT_SAFETY_STOCK, dest="safety_stock"
        )
        run.add_argument("--as-of", metavar="YYYY-MM-DD", dest="as_of", help="default: today (UTC)")
        run.add_argument("--json", action="store_true", dest="as_json", help="print JSON")
        expire = actions.add_parser("expire", help="mark available kits of expired lots as expired")
        expire.add_argument("--study", metavar="CODE", help="only this study")

    def handle(self, *args, action: str, **options):
        if action == "expire":
            return self.expire(options["study"])
        study = self.study(options["study"])
        as_of = parse_day(options["as_of"]) if options["as_of"] else timezone.now().date()
        try:
            document = forecast.supply_forecast(
                study, as_of=as_of, horizon_weeks=options["horizon_weeks"], sims=options["sims"],
                seed=options["seed"], safety_stock=options["safety_stock"],
            )  # fmt: skip
        except ValueError as error:
            field, _, message = str(error).partition(": ")
            raise CommandError(f"--{field.replace('_', '-')}: {message}") from None
        if options["as_json"]:
            self.stdout.write(json.dumps(document, indent=2))
            return
        self.print_table(document)

    def study(self, code: str) -> Study:
        study = Study.objects.filter(code=code).first()
        if study is None:
            raise CommandError(f"--study: no study {code!r}")
        return study

    def expire(self, code: str | None) -> None:
        studies = [self.study(code)] if code else list(Study.objects.order_by("code"))
        for study in studies:
            count = services.expire_kits(study=study, by=None, today=timezone.now().date())
            self.stdout.write(f"{study.code}: {count} kit(s) marked expired")

    def print_table(self, document: dict) -> None:
        console = Console(file=self.stdout, width=140, highlight=False)
        weeks, as_of = document["horizon_weeks"], document["as_of"]
        table = Table(title=f"{document['study']}: kits needed over {weeks} weeks from {as_of}")
        for heading in ("Site", "On hand", "Expiring", "Needed 50 %", "Needed 90 %", "Suggested shipment"):
            table.add_column(heading, justify="left" if heading == "Site" else "right")
        for row in document["sites"]:
            figures = (row["on_hand"], row["expiring_in_horizon"], row["needed"]["0.5"], row["needed"]["0.9"])
            table.add_row(row["site"], *map(str, figures), str(row["suggested_shipment"]))
        console.print(table)
        console.print(f"Projected waste (kits expiring unused): {document['projected_waste_kits']}")
        for policy in document["policies"]:
            console.print(
                f"  {policy['policy']}: ship {policy['kits_shipped']}, "
                f"waste {policy['projected_waste_kits']}, "
                f"sites out of stock {policy['expected_sites_out_of_stock']}",
                markup=False,
            )
        for note in document["notes"]:
            console.print(f"note: {note}", markup=False)
