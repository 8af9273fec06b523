"""What `trialdesk import institutions|sites` print: the preview, the problems one line each, the outcome."""

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError

from trialdesk.integrations.bulk import plans, services


def add_file_arguments(parser) -> None:
    parser.add_argument(
        "file", metavar="FILE", help="An Excel workbook (.xlsx) or a CSV file (UTF-8, ',' or ';')."
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="Show what would be created and changed; write nothing."
    )


def read_file(path_text: str) -> bytes:
    """The file's bytes; a file over the import size limit is refused before it is read."""
    path = Path(path_text)
    try:
        size = path.stat().st_size
        if size > plans.max_upload_bytes():
            raise CommandError(f"{path_text}: {plans.too_large_message(size)}")
        return path.read_bytes()
    except OSError as error:
        raise CommandError(f"{path_text}: cannot read the file: {error.strerror}.") from error


def run_import(command, options, kind: str, *, by, study=None) -> None:
    """Preview (and unless --dry-run, apply) the file; problems are one line each and exit non-zero."""
    filename = options["file"]
    content = read_file(filename)
    try:
        plan = services.plan_import(kind, content, filename, by=by, study=study)
        if not plan.problems and not options["dry_run"]:
            plan = services.import_file(kind, content, filename, by=by, study=study)
    except PermissionDenied as error:
        raise CommandError(f"--user: {error}") from error
    except plans.ImportRefused as refused:
        plan = refused.plan
    if plan.problems:
        for line in plan.located_problems():
            command.stderr.write(line)
        raise CommandError(f"{filename}: {len(plan.problems)} problem(s); nothing was imported.")
    _print_plan(command, plan)
    verb = "Would import" if options["dry_run"] else "Imported"
    command.stdout.write(
        f"{verb} {filename}: {plan.created} created, {plan.changed} changed, {plan.unchanged} unchanged."
    )
    if options["dry_run"]:
        command.stdout.write("Dry run: nothing was written.")


def _print_plan(command, plan: plans.ImportPlan) -> None:
    for row in plan.rows:
        if row.action == "unchanged":
            continue
        verb = "create" if row.action == "create" else "change"
        command.stdout.write(f"row {row.row}: {verb} {row.label}")
        for change in row.changes:
            shown = (
                change.new
                if row.action == "create"
                else f"{change.old or '(empty)'} → {change.new or '(empty)'}"
            )
            command.stdout.write(f"    {change.field}: {shown}")
    if plan.ignored_columns:
        command.stdout.write(f"Columns not imported: {', '.join(plan.ignored_columns)}.")
