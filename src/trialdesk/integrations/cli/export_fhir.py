"""`trialdesk export fhir`: a study and its participants as an HL7 FHIR R4 Bundle, as one user sees them."""

import json
from pathlib import Path

from django.core.management.base import CommandError

from trialdesk.integrations.cli.acting_user import acting_user, add_user_argument, visible_study
from trialdesk.integrations.fhir import selectors as fhir

HELP = "Write a study and its participants as an HL7 FHIR R4 (or R5) Bundle of ResearchStudy/ResearchSubject."


def add_arguments(parser) -> None:
    parser.add_argument("--study", required=True, metavar="CODE", help="The study's protocol number.")
    add_user_argument(parser)
    parser.add_argument(
        "--base-url",
        default=None,
        help="The server's FHIR base (e.g. https://trialdesk.example.org/api/v1/fhir) for the entries' "
        "fullUrl; without it entries get stable urn:uuid full URLs.",
    )
    parser.add_argument(
        "--fhir-version", choices=("R4", "R5"), default="R4", help="FHIR release (default R4)."
    )
    parser.add_argument(
        "-o", "--output", required=True, metavar="FILE", help="Where to write the JSON ('-': stdout)."
    )


def handle(command, options) -> None:
    user = acting_user(options["user"])
    study = visible_study(user, options["study"])
    bundle = fhir.study_bundle(user, study, base_url=options["base_url"], release=options["fhir_version"])
    text = json.dumps(bundle, ensure_ascii=False, indent=2) + "\n"
    if options["output"] == "-":
        command.stdout.write(text, ending="")
        return
    output = Path(options["output"])
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise CommandError(f"-o: cannot write {output}: {error.strerror}.") from error
    command.stderr.write(
        f"Wrote {output}: ResearchStudy {study.code} and {len(bundle['entry']) - 1} ResearchSubject(s) "
        f"as {user.username}."
    )
