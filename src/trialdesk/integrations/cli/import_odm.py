"""`trialdesk import odm`: visit completion from an EDC's CDISC ODM ClinicalData export."""

from django.core.management.base import CommandError

from trialdesk.integrations.cli.acting_user import acting_user, add_user_argument, visible_study
from trialdesk.integrations.odm import services as odm
from trialdesk.integrations.odm.mapping import MappingError, load_mapping

HELP = "Record visits done and participant statuses from an EDC's ODM 1.3.2 ClinicalData (all or nothing)."


def add_arguments(parser) -> None:
    parser.add_argument("file", metavar="FILE.xml", help="The ODM export.")
    parser.add_argument("--study", required=True, metavar="CODE", help="The study's protocol number.")
    add_user_argument(parser)
    parser.add_argument(
        "--mapping",
        metavar="FILE.json",
        help="OIDs of the EDC to Trialdesk: subjects, study_events, sites, …",
    )
    parser.add_argument("--dry-run", action="store_true", help="Check and report only; change nothing.")


def handle(command, options) -> None:
    user = acting_user(options["user"])
    study = visible_study(user, options["study"])
    try:
        mapping = load_mapping(options["mapping"]) if options["mapping"] else None
    except MappingError as error:
        raise CommandError(str(error)) from error
    report = odm.import_file(
        path=options["file"], study=study, user=user, mapping=mapping, dry_run=options["dry_run"]
    )
    name = report.source
    for warning in report.warnings:
        command.stderr.write(f"warning: {name}: {warning}")
    if not report.ok:
        for problem in report.problems:
            command.stderr.write(f"{name}: {problem}")
        raise CommandError(f"{name}: {len(report.problems)} problem(s); nothing was changed.")
    verb = "would record" if options["dry_run"] else "recorded"
    command.stdout.write(
        f"{name}: {report.subjects_seen} subject(s); {verb} {len(report.planned)} visit(s) and "
        f"{len(report.statuses)} status change(s); {report.unchanged} visit(s) already up to date; "
        f"{len(report.warnings)} warning(s)."
    )
