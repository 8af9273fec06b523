"""`trialdesk report status --study CODE --user USERNAME -o status.pdf` and
`trialdesk report portfolio --user USERNAME -o portfolio.pdf`: the stakeholder reports as PDF, holding only
what that person may see (the same report as the page's Download PDF). Bad input: one line, exit 1.
`trialdesk report refresh [--study CODE]` stores each study's estimate at completion for the portfolio
report (run it nightly from cron, with `trialdesk health refresh`; writes keep it current in between);
with --background it is queued for `trialdesk worker`, and --wait shows its progress until it ends."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from trialdesk.core import tasks
from trialdesk.core.models import User
from trialdesk.reporting import freshness, pdf, reports
from trialdesk.studies.models import Study
from trialdesk.studies.selectors import studies_for


class Command(BaseCommand):
    help = "Write the study status report or the portfolio report as PDF, as a named person may see it."

    def add_arguments(self, parser):
        kinds = parser.add_subparsers(dest="kind", required=True, metavar="{status,portfolio,refresh}")
        status = kinds.add_parser("status", help="a study's status report (sponsor, steering committee)")
        status.add_argument("--study", required=True, metavar="CODE", help="the study's protocol number")
        portfolio = kinds.add_parser("portfolio", help="the portfolio report (leadership)")
        refresh = kinds.add_parser("refresh", help="store each study's estimate at completion (nightly)")
        refresh.add_argument("--study", metavar="CODE", help="only this study (its protocol number)")
        refresh.add_argument("--background", action="store_true", help="queue it for `trialdesk worker`")
        refresh.add_argument("--wait", action="store_true", help="with --background: show its progress")
        for parser_of_kind in (status, portfolio):
            parser_of_kind.add_argument(
                "--user", required=True, metavar="USERNAME", help="whose view: only what they may see"
            )
            parser_of_kind.add_argument(
                "-o", "--output", required=True, metavar="FILE", help="the PDF to write"
            )

    def handle(self, *args, kind: str, **options):
        if kind == "refresh":
            if options["background"]:
                return self._refresh_in_background(options.get("study"), wait=options["wait"])
            return self._refresh(options.get("study"))
        reader = self._reader(options["user"])
        output = Path(options["output"])
        if not output.parent.is_dir():
            raise CommandError(f"-o: the folder {str(output.parent)!r} does not exist.")
        if kind == "status":
            report = reports.study_status_report(reader, self._study(options["study"], reader))
        else:
            report = reports.portfolio_report(reader)
        try:
            output.write_bytes(pdf.report_pdf(report))
        except OSError as error:
            raise CommandError(f"-o: cannot write {str(output)!r}: {error.strerror}.") from None
        self.stdout.write(
            f"{report.title} for {reader.username}: {len(report.sections)} sections, written to {output}"
        )

    def _refresh(self, code: str | None) -> None:
        studies = Study.objects.order_by("code")
        if code:
            studies = studies.filter(code=code)
            if not studies.exists():
                raise CommandError(f"--study: no study has the protocol number {code!r}.")
        count = freshness.refresh_estimates(studies)
        self.stdout.write(f"Stored the estimate at completion of {count} stud{'y' if count == 1 else 'ies'}.")

    def _refresh_in_background(self, code: str | None, *, wait: bool) -> None:
        studies = Study.objects.order_by("code")
        if code:
            studies = studies.filter(code=code)
            if not studies.exists():
                raise CommandError(f"--study: no study has the protocol number {code!r}.")
        progress = tasks.start(
            freshness.refresh_all_estimates,
            title="Store the estimate at completion",
            by=None,
            study_ids=list(studies.values_list("pk", flat=True)),
        )
        if not wait:
            self.stdout.write(f"Queued as task {progress.pk}: `trialdesk worker` runs it.")
            return
        progress = tasks.follow(progress, file=self.stdout)
        if progress.status == tasks.Status.FAILED:
            raise CommandError(f"Task {progress.pk} failed: {progress.error}")
        self.stdout.write(f"Stored the estimate at completion of {progress.done} of {progress.total} studies")

    def _reader(self, username: str) -> User:
        reader = User.objects.filter(username=username).first()
        if reader is None:
            raise CommandError(f"--user: no user is named {username!r}.")
        if not reader.is_active:
            raise CommandError(f"--user: {username!r} is deactivated.")
        return reader

    def _study(self, code: str, reader: User) -> Study:
        if not Study.objects.filter(code=code).exists():
            raise CommandError(f"--study: no study has the protocol number {code!r}.")
        study = studies_for(reader).filter(code=code).first()
        if study is None:
            raise CommandError(f"--study: {reader.username!r} may not see study {code!r}.")
        return study
