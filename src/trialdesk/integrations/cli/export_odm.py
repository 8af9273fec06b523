"""`trialdesk export odm`: a study as a CDISC ODM 1.3.2 file, as one named user may see it."""

from pathlib import Path

from django.core.management.base import CommandError

from trialdesk.integrations.cli.acting_user import acting_user, add_user_argument, visible_study
from trialdesk.integrations.odm import selectors as odm
from trialdesk.interop.odm import schema_problems

HELP = "Write a study as CDISC ODM 1.3.2 XML (metadata, admin data, clinical data, audit records)."


def add_arguments(parser) -> None:
    parser.add_argument("--study", required=True, metavar="CODE", help="The study's protocol number.")
    add_user_argument(parser)
    parser.add_argument(
        "--metadata", action="store_true", help="The schedule of activities as MetaDataVersions."
    )
    parser.add_argument("--clinical-data", action="store_true", help="Participants and their visits.")
    parser.add_argument("--audit", action="store_true", help="The study's audit trail as AuditRecords.")
    parser.add_argument(
        "-o", "--output", required=True, metavar="FILE", help="Where to write the XML ('-': stdout)."
    )


def handle(command, options) -> None:
    user = acting_user(options["user"])
    study = visible_study(user, options["study"])
    metadata, clinical, audit = options["metadata"], options["clinical_data"], options["audit"]
    if not (metadata or clinical or audit):
        # Without a choice the file holds the study's design and its data, as most EDC exports do.
        metadata = clinical = True
    xml = odm.export_study(study=study, user=user, metadata=metadata, clinical_data=clinical, audit=audit)
    problems = schema_problems(xml)
    if problems:
        raise CommandError("The document does not validate against ODM 1.3.2: " + "; ".join(problems[:5]))
    if options["output"] == "-":
        command.stdout.write(xml.decode("utf-8"), ending="")
        return
    output = Path(options["output"])
    try:
        output.write_bytes(xml)
    except OSError as error:
        raise CommandError(f"-o: cannot write {output}: {error.strerror}.") from error
    command.stderr.write(f"Wrote {output} ({len(xml):,} bytes) for study {study.code} as {user.username}.")
