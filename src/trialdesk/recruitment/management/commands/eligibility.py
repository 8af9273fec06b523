"""`trialdesk eligibility parse | screen | purge`: criteria as rules, an explained pre-screen, retention.

trialdesk eligibility parse --text-file criteria.txt --json
trialdesk eligibility screen --criteria criteria.json --candidates DIR_OR_FILE --as-of YYYY-MM-DD --json
trialdesk eligibility purge [--dry-run]
"""

import datetime as dt
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trialdesk.interop.eligibility import candidates as candidate_files
from trialdesk.interop.eligibility.rules import (
    CriteriaError,
    criteria_as_json,
    criteria_from_json,
    describe_rule,
)
from trialdesk.interop.eligibility.text import parse_criteria
from trialdesk.recruitment import screening


class OneLineErrors(CommandParser):
    """A sub-command parser whose usage errors are one line with exit status 2, like every bad input."""

    def error(self, message):
        if self.called_from_command_line:
            self.exit(2, f"{self.prog}: error: {message}\n")
        raise CommandError(f"Error: {message}", returncode=2)


def _read_text(option: str, path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(
            f"{option}: cannot read {path}: {getattr(error, 'strerror', None) or error}", returncode=2
        ) from None


def _refuse(problems: list[str]) -> CommandError:
    return CommandError("\n".join(problems), returncode=1)


class Command(BaseCommand):
    help = (
        "Eligibility: `parse` splits criteria text into inclusion and exclusion items with suggested rules; "
        "`screen` evaluates candidates (FHIR R4 Bundles or the CSV template) against such criteria and "
        "explains each result; `purge` deletes pre-screening candidates past their study's retention period."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        actions = parser.add_subparsers(
            dest="action", required=True, metavar="{parse,screen,purge}", parser_class=OneLineErrors
        )
        parse = actions.add_parser("parse", help="criteria text → inclusion and exclusion items with rules")
        parse.add_argument(
            "--text-file", required=True, metavar="criteria.txt", help="the criteria as text (UTF-8)"
        )
        parse.add_argument("--json", action="store_true", dest="as_json", help="print the criteria JSON")
        screen = actions.add_parser("screen", help="screen candidates against criteria, explained")
        screen.add_argument(
            "--criteria",
            required=True,
            metavar="criteria.json",
            help="the output of `parse`, possibly edited",
        )
        screen.add_argument(
            "--candidates",
            required=True,
            metavar="DIR_OR_FILE",
            help="a FHIR Bundle (.json), the CSV template (.csv), or a folder of them",
        )
        screen.add_argument(
            "--as-of",
            required=True,
            metavar="YYYY-MM-DD",
            help="the day ages, windows and latest values are judged on",
        )
        screen.add_argument("--json", action="store_true", dest="as_json", help="print a JSON list")
        purge = actions.add_parser("purge", help="delete candidates kept past their study's retention period")
        purge.add_argument("--dry-run", action="store_true", help="say what would be deleted, delete nothing")

    def handle(self, *args, action: str, **options):
        getattr(self, f"_{action}")(options)

    def _parse(self, options) -> None:
        criteria = parse_criteria(_read_text("--text-file", options["text_file"]))
        if options["as_json"]:
            self.stdout.write(json.dumps(criteria_as_json(criteria), indent=2, ensure_ascii=False))
            return
        for criterion in criteria:
            self.stdout.write(
                f"{criterion.section[:3].upper()}  {criterion.text}\n"
                f"      rule: {describe_rule(criterion.rule)}"
            )

    def _screen(self, options) -> None:
        try:
            as_of = dt.date.fromisoformat(options["as_of"])
        except ValueError:
            raise CommandError(
                f"--as-of: {options['as_of']!r} is not a date (YYYY-MM-DD)", returncode=2
            ) from None
        try:
            criteria = criteria_from_json(json.loads(_read_text("--criteria", options["criteria"])))
            screening.check_criteria(criteria)
        except json.JSONDecodeError as error:
            raise CommandError(
                f"--criteria: not JSON ({error.msg} at line {error.lineno})", returncode=1
            ) from None
        except CriteriaError as error:
            raise _refuse([f"--criteria: {p}" for p in error.problems]) from None
        path = Path(options["candidates"])
        if not path.exists():
            raise CommandError(f"--candidates: {path} does not exist", returncode=2)
        try:
            candidates = candidate_files.read_candidates(path)
        except candidate_files.CandidateError as error:
            raise _refuse(error.problems) from None
        found = screening.screen(criteria, candidates, as_of=as_of)
        if options["as_json"]:
            self.stdout.write(json.dumps([s.as_json() for s in found], indent=2, ensure_ascii=False))
            return
        for screened in found:
            self.stdout.write(f"{screened.candidate}: {screened.status}")
            for result in screened.criteria:
                self.stdout.write(f"  {result.result:<8} {result.text}\n           because {result.because}")

    def _purge(self, options) -> None:
        from trialdesk.recruitment import services

        report = services.purge_expired_candidates(by=None, dry_run=options["dry_run"])
        verb = "would delete" if options["dry_run"] else "deleted"
        for line in report:
            self.stdout.write(
                f"{line.site_label}: {verb} {line.count} candidates uploaded before {line.cutoff} "
                f"({line.retention_days} days' retention)"
            )
        if not report:
            self.stdout.write("No candidate is past its study's retention period.")
