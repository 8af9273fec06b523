"""`trialdesk finance …` (issue 15):

- `earnings --budget budget.json --events events.json [--through YYYY-MM-DD] --json`: what the work earns
  under a fee schedule — the pure calculation behind payables (rules.earnings), no database;
- `eac --study CODE --json`: the study's budget, spent, committed, estimate at completion (0.1/0.5/0.9)
  and variance, in the study currency;
- `payables [--study CODE]`: generate payables from the work done (every study without --study), as the
  nightly job does; idempotent;
- `rates FILE [--base EUR]`: import reference exchange rates (CSV or .xlsx; long or ECB layout), all or
  nothing, one line per bad row.

Bad input is reported one line per bad field (or row), and the command exits non-zero.
"""

import datetime as dt
import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from trialdesk.finance.rules import documents, earnings
from trialdesk.interop import json_documents


def _read(path: str, parse, root: str):
    try:
        return parse(json_documents.read_json(path, root=root), root=root)
    except json_documents.DocumentError as error:
        raise CommandError("\n".join(error.lines())) from error


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError("--through: give a date as YYYY-MM-DD, e.g. 2025-03-01.") from None


class Command(BaseCommand):
    help = "Finance: earnings (offline calculation), eac, payables (generation) and rates (import)."
    requires_system_checks = []

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{earnings,eac,payables,rates}")
        earn = actions.add_parser("earnings", help="what the work done earns under a fee schedule (offline)")
        earn.add_argument("--budget", required=True, metavar="FILE", help="the fee schedule (budget.json)")
        earn.add_argument("--events", required=True, metavar="FILE", help="the work done (events.json)")
        earn.add_argument("--through", metavar="YYYY-MM-DD", help="ignore work after this day")
        earn.add_argument("--json", action="store_true", dest="as_json", help="print JSON")
        eac = actions.add_parser("eac", help="a study's estimate at completion")
        eac.add_argument("--study", required=True, metavar="CODE", help="the study's protocol number")
        eac.add_argument("--json", action="store_true", dest="as_json", help="print JSON")
        gen = actions.add_parser("payables", help="generate payables from the work done")
        gen.add_argument("--study", metavar="CODE", help="one study (default: every study with a budget)")
        rates = actions.add_parser("rates", help="import reference exchange rates from a CSV or .xlsx file")
        rates.add_argument("file", metavar="FILE")
        rates.add_argument("--base", default="EUR", help="base currency of an ECB-layout file (default EUR)")
        rates.add_argument("--user", required=True, help="the username the import is recorded for")

    def handle(self, *args, action: str, **options):
        getattr(self, action)(options)

    def earnings(self, options) -> None:
        schedule = _read(options["budget"], documents.parse_fee_schedule, "budget")
        work = _read(options["events"], documents.parse_events, "events")
        through = _day(options["through"]) if options["through"] else None
        result = earnings.earnings(schedule, work, through=through)
        document = result.as_json()
        if options["as_json"]:
            self.stdout.write(json.dumps(document, indent=2, ensure_ascii=False))
            return
        for line in document["lines"]:
            self.stdout.write(
                f"{line['on']}  {line['kind']:<16} {line['code'] or '-':<8} {line['participant'] or '-':<10} "
                f"{line['fee']:>12} {line['overhead']:>10} {line['holdback']:>10} {line['payable']:>12}"
            )
        for item in document["unmatched"]:
            self.stdout.write(f"unmatched: {item['on']} {item['kind']} {item['code'] or '-'}")
        self.stdout.write(
            f"earned {document['earned']} {document['currency']}, "
            f"holdback withheld {document['holdback_withheld']}, "
            f"released {document['holdback_released']}, payable {document['payable']}"
        )

    def _study(self, code: str):
        from trialdesk.studies.models import Study

        study = Study.objects.filter(code=code).first()
        if study is None:
            raise CommandError(f"--study: there is no study {code}.")
        return study

    def eac(self, options) -> None:
        from trialdesk.finance import estimates

        study = self._study(options["study"])
        figures = estimates.study_finance(study, timezone.localdate(), with_sites=False)
        if figures is None:
            raise CommandError(f"--study: {study.code} has no budget yet; enter one first.")
        document = figures.as_json()
        if options["as_json"]:
            self.stdout.write(json.dumps(document, indent=2))
            return
        eac = document["eac"]
        self.stdout.write(
            f"{study.code}: budget {document['budget']} {document['currency']}, spent {document['spent']}, "
            f"committed {document['committed']}, EAC {eac['0.5']} (10–90 %: {eac['0.1']}–{eac['0.9']}), "
            f"variance {document['variance']}"
        )

    def payables(self, options) -> None:
        from trialdesk.finance.models import BudgetVersion
        from trialdesk.finance.services.payables import generate_payables
        from trialdesk.studies.models import Study

        if options["study"]:
            studies = [self._study(options["study"])]
        else:
            studies = Study.objects.filter(pk__in=BudgetVersion.objects.values("study_id")).order_by("code")
        failed = False
        for study in studies:
            try:
                report = generate_payables(
                    study=study, by=None, reason="nightly generation from the work done"
                )
            except ValidationError as error:
                failed = True
                for message in error.messages:
                    self.stderr.write(f"{study.code}: {message}")
                continue
            self.stdout.write(f"{study.code}: {report.summary()}")
        if failed:
            raise CommandError("some studies' payables were not generated (see above)")

    def rates(self, options) -> None:
        from trialdesk.core.models import User
        from trialdesk.finance.services.budgets import import_rates
        from trialdesk.interop import tabular

        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"--user: there is no active user {options['user']}.")
        path = Path(options["file"])
        try:
            table = tabular.read_table(path.read_bytes(), path.name)
            added, known = import_rates(by=user, table=table, default_base=options["base"].upper())
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from None
        except tabular.TableError as error:
            raise CommandError(str(error)) from None
        except ValidationError as error:
            raise CommandError("\n".join(error.messages)) from None
        self.stdout.write(f"{added} rates imported, {known} already there.")
