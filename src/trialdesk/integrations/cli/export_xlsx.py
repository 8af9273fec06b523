"""`trialdesk export xlsx`: the portfolio, or a study's sites or milestones, as an Excel workbook."""

from pathlib import Path

from django.core.management.base import CommandError

from trialdesk.integrations.bulk import selectors
from trialdesk.integrations.cli.acting_user import acting_user, add_user_argument, visible_study

HELP = "Write the portfolio (--portfolio) or a study's --sites or --milestones (--study CODE) as .xlsx."


def add_arguments(parser) -> None:
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--portfolio", action="store_true", help="Every study the user sees.")
    what.add_argument(
        "--study", metavar="CODE", help="The study's protocol number (with --sites or --milestones)."
    )
    part = parser.add_mutually_exclusive_group()
    part.add_argument("--sites", action="store_true", help="The study's sites.")
    part.add_argument("--milestones", action="store_true", help="The study's milestones.")
    add_user_argument(parser)
    parser.add_argument("-o", "--output", required=True, metavar="FILE", help="Where to write the workbook.")


def handle(command, options) -> None:
    user = acting_user(options["user"])
    if options["portfolio"]:
        if options["sites"] or options["milestones"]:
            raise CommandError("--sites and --milestones go with --study, not --portfolio.")
        content = selectors.portfolio_workbook(user)
    else:
        if not (options["sites"] or options["milestones"]):
            raise CommandError("--study: say which part of the study to export: --sites or --milestones.")
        study = visible_study(user, options["study"])
        if options["sites"]:
            content = selectors.study_sites_workbook(user, study)
        else:
            content = selectors.study_milestones_workbook(user, study)
    output = Path(options["output"])
    try:
        output.write_bytes(content)
    except OSError as error:
        raise CommandError(f"-o: cannot write {output}: {error.strerror}.") from error
    command.stdout.write(f"Wrote {output} ({len(content):,} bytes).")
