"""`trialdesk import ctgov PATH…`: studies and their sites from ClinicalTrials.gov API v2 records."""

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from trialdesk.integrations.cli.acting_user import acting_user, add_user_argument
from trialdesk.integrations.registry.importing import ImportRefused
from trialdesk.integrations.registry.services import import_record
from trialdesk.interop import ctgov

HELP = "Create or update studies and their sites from ClinicalTrials.gov API v2 records (.json, .json.gz)."


def add_arguments(parser) -> None:
    parser.add_argument(
        "paths", nargs="+", metavar="PATH", help="record files, pages of records, or directories"
    )
    add_user_argument(parser)
    parser.add_argument("--code", default="", help="protocol number of the new study (one record only)")
    parser.add_argument(
        "--skip-unnamed-locations",
        action="store_true",
        help="leave out locations without a facility name (with a warning) instead of refusing the record",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar (for logs)")


def handle(command, options) -> None:
    user = acting_user(options["user"])
    paths = [Path(p) for p in options["paths"]]
    for path in paths:
        if not path.exists():
            raise CommandError(f"{path}: no such file or directory")
    found, failures = _collect(paths, skip_unnamed=options["skip_unnamed_locations"])
    if options["code"] and len(found) + len(failures) > 1:
        raise CommandError("--code: only one record may be imported under a chosen code")
    outcomes = []
    step = getattr(command, "step", None)  # a queued import's progress (integrations.tasks)
    with _progress(command, disabled=options["no_progress"]) as progress:
        task = progress.add_task("Importing", total=len(found))
        for number, (source, parsed) in enumerate(found, start=1):
            try:
                outcomes.append((source, import_record(parsed, by=user, code=options["code"])))
            except ImportRefused as error:
                failures.append(f"{source.file}:{_joined(source.path, error.path)}: {error.message}")
            except PermissionDenied as error:
                failures.append(f"{source}: {error}")
            progress.advance(task)
            if step is not None:
                step(done=number, total=len(found), message=f"Imported {number} of {len(found)} records")
    _report(command, outcomes, failures)
    if failures:
        raise CommandError(f"{len(failures)} record(s) not imported", returncode=1)


def _joined(record_path: str, problem_path: str) -> str:
    """A problem's path inside the record, written from the root of the file."""
    if problem_path in ("", "$"):
        return record_path
    return record_path + problem_path.removeprefix("$") if problem_path.startswith("$") else problem_path


def _collect(paths: list[Path], *, skip_unnamed: bool) -> tuple[list, list[str]]:
    """Every record parsed, and one line per file or record that cannot be read."""
    found, failures = [], []
    for file in ctgov.files_in(paths):
        try:
            document = ctgov.read_document(file)
            sources = list(ctgov.records_in(document, file=str(file)))
        except ctgov.DocumentError as error:
            failures.append(f"{file}: {error}")
            continue
        for source, record in sources:
            try:
                found.append(
                    (
                        source,
                        ctgov.parse_record(record, base=source.path, skip_unnamed_locations=skip_unnamed),
                    )
                )
            except ctgov.RecordError as error:
                failures.append(f"{source.file}:{_problems_line(error.problems)}")
    return found, failures


def _problems_line(problems: list, shown: int = 3) -> str:
    """One line for a bad record: its first problems with their JSON paths, and how many more."""
    line = "; ".join(str(problem) for problem in problems[:shown])
    if len(problems) > shown:
        line += f"; and {len(problems) - shown} more problem(s)"
    return line


def _progress(command, *, disabled: bool) -> Progress:
    console = Console(file=getattr(command.stderr, "_out", None), stderr=True)
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=disabled,
        transient=True,
    )


def _report(command, outcomes: list, failures: list[str]) -> None:
    created = sum(o.study_created for _, o in outcomes)
    updated = sum(
        not o.study_created and bool(o.study_updated or o.sites_created or o.sites_updated)
        for _, o in outcomes
    )
    sites_created = sum(o.sites_created for _, o in outcomes)
    sites_updated = sum(o.sites_updated for _, o in outcomes)
    for source, outcome in outcomes:
        for warning in outcome.warnings:
            command.stdout.write(f"warning {outcome.nct_number} ({source.file}): {warning}")
        for edit in outcome.local_edits:
            command.stdout.write(f"local edit kept {outcome.nct_number}: {edit}")
    for failure in failures:
        command.stderr.write(f"error {failure}")
    warned = sum(1 for _, o in outcomes if o.warnings)
    skipped = sum(o.skipped for _, o in outcomes)
    command.stdout.write(
        f"Studies: {created} created, {updated} updated, "
        f"{len(outcomes) - created - updated - skipped} unchanged, "
        f"{skipped} skipped as older. Sites: {sites_created} created, {sites_updated} updated. "
        f"Records with warnings: {warned}. Records failed: {len(failures)}."
    )
