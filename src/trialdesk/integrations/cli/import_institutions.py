"""`trialdesk import institutions FILE`: add and change institutions from a spreadsheet, all or nothing."""

from trialdesk.integrations.bulk.columns import INSTITUTIONS
from trialdesk.integrations.cli.acting_user import acting_user, add_user_argument
from trialdesk.integrations.cli.bulk_report import add_file_arguments, run_import

HELP = "Add and change institutions from an .xlsx or .csv file (all rows or none; --dry-run to preview)."


def add_arguments(parser) -> None:
    add_file_arguments(parser)
    add_user_argument(parser)


def handle(command, options) -> None:
    run_import(command, options, INSTITUTIONS, by=acting_user(options["user"]))
