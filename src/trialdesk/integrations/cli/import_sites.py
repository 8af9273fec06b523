"""`trialdesk import sites FILE --study CODE`: add and change a study's sites from a spreadsheet."""

from trialdesk.integrations.bulk.columns import STUDY_SITES
from trialdesk.integrations.cli.acting_user import acting_user, add_user_argument, visible_study
from trialdesk.integrations.cli.bulk_report import add_file_arguments, run_import

HELP = "Add and change a study's sites from an .xlsx or .csv file (all rows or none; --dry-run to preview)."


def add_arguments(parser) -> None:
    add_file_arguments(parser)
    parser.add_argument("--study", required=True, metavar="CODE", help="The study's protocol number.")
    add_user_argument(parser)


def handle(command, options) -> None:
    user = acting_user(options["user"])
    study = visible_study(user, options["study"])
    run_import(command, options, STUDY_SITES, by=user, study=study)
