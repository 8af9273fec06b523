"""`trialdesk privacy …` (issue 20):

- `register --study CODE [--json]`: the study's record of processing: categories, recipients, transfers
  (flagged where no safeguard is recorded) and retention;
- `scan [--study CODE] [--json]`: likely direct identifiers in free-text fields, masked;
- `purge [--dry-run] [--user USERNAME] [--study CODE]`: delete or anonymise what is past its retention
  period, refusing anything under a legal hold;
- `access --user USERNAME [--json | --pdf FILE]`: everything Trialdesk holds about one staff member.

Bad input is reported one line per problem, and the command exits non-zero.
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


def _study(code: str):
    from trialdesk.studies.models import Study

    study = Study.objects.filter(code=code).first()
    if study is None:
        raise CommandError(f"--study: there is no study {code}.")
    return study


def _user(username: str):
    from trialdesk.core.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"--user: there is no user {username}.")
    return user


class Command(BaseCommand):
    help = "Data protection: register, scan, purge and access (issue 20)."
    requires_system_checks = []

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{register,scan,purge,access}")
        register = actions.add_parser("register", help="a study's record of processing and its transfers")
        register.add_argument("--study", required=True, metavar="CODE", help="the study's protocol number")
        register.add_argument("--json", action="store_true", dest="as_json", help="print JSON")
        scan = actions.add_parser("scan", help="likely identifiers in free-text fields")
        scan.add_argument("--study", metavar="CODE", help="one study (default: every study)")
        scan.add_argument("--json", action="store_true", dest="as_json", help="print JSON")
        purge = actions.add_parser("purge", help="delete or anonymise what is past its retention period")
        purge.add_argument("--dry-run", action="store_true", help="say what would be purged; change nothing")
        purge.add_argument("--user", metavar="USERNAME", help="only this person's records")
        purge.add_argument("--study", metavar="CODE", help="only this study's records")
        access = actions.add_parser("access", help="everything held about one staff member")
        access.add_argument("--user", required=True, metavar="USERNAME")
        access.add_argument("--json", action="store_true", dest="as_json", help="print JSON")
        access.add_argument("--pdf", metavar="FILE", help="write the export as a PDF")

    def handle(self, *args, action: str, **options):
        getattr(self, action)(options)

    def register(self, options) -> None:
        from trialdesk.privacy.register import study_register

        document = study_register(_study(options["study"]))
        if options["as_json"]:
            self.stdout.write(json.dumps(document, indent=2, ensure_ascii=False))
            return
        self.stdout.write(
            f"{document['study']} ({document['sponsor']}, {document['sponsor_country'] or '?'})"
        )
        for category in document["categories"]:
            bases = "; ".join(p["legal_basis"] for p in category["purposes"]) or "NO LEGAL BASIS RECORDED"
            self.stdout.write(f"  {category['label']}: {category['people']} people — {bases}")
        for recipient in document["recipients"]:
            self.stdout.write(
                f"  seen by {recipient['label']} ({recipient['people']}): {', '.join(recipient['sees'])}"
            )
        for transfer in document["transfers"]:
            mark = "FLAGGED " if transfer["flagged"] else ""
            self.stdout.write(
                f"  {mark}{transfer['from']} → {transfer['to']}: "
                f"{transfer['safeguard'] or 'none'} ({transfer['why']})"
            )
        for row in document["retention"]:
            self.stdout.write(f"  keep {row['record']}: {row['period']} ({row['basis']})")

    def scan(self, options) -> None:
        from trialdesk.privacy.scan import scan

        study_id = _study(options["study"]).pk if options["study"] else None
        found = scan(study_id=study_id)
        if options["as_json"]:
            self.stdout.write(json.dumps([f.as_json() for f in found], indent=2, ensure_ascii=False))
            return
        for finding in found:
            self.stdout.write(
                f"{finding.study} {finding.record} {finding.field} {finding.kind}: {finding.excerpt}"
            )
        self.stdout.write(f"{len(found)} possible identifiers")

    def purge(self, options) -> None:
        from trialdesk.privacy.services import purge

        try:
            report = purge.purge(
                today=timezone.localdate(),
                dry_run=options["dry_run"],
                only_user=_user(options["user"]) if options["user"] else None,
                only_study=_study(options["study"]) if options["study"] else None,
            )
        except purge.HeldRecords as error:
            for line in error.lines:
                self.stderr.write(line)
            raise CommandError("nothing was purged: the records asked for are under a legal hold") from None
        for line in report.lines():
            self.stdout.write(line)

    def access(self, options) -> None:
        from trialdesk.privacy import access

        person = _user(options["user"])
        document = access.person_export(person)
        if options["pdf"]:
            try:
                with open(options["pdf"], "wb") as out:
                    out.write(access.export_pdf(document))
            except OSError as error:
                raise CommandError(f"--pdf: {error.strerror}") from None
        if options["as_json"] or not options["pdf"]:
            self.stdout.write(json.dumps(document, indent=2, ensure_ascii=False, default=str))
