"""Imports run by `trialdesk worker` (core.tasks): `trialdesk import KIND … --background` and the
spreadsheet import page's Confirm import.

A queued import runs the very code the command runs in the foreground (integrations.cli), so its checks,
its all-or-nothing writes and its report are the same: the report (one line per bad record, then the
outcome) is kept as the task's file, its last line is the task's message, and a refused import fails the
task with its problems as the error; `--wait` prints that report and exits non-zero the same way.
"""

from pathlib import Path

from django.core.management.base import CommandError

from trialdesk.core import tasks
from trialdesk.core.models import User

REPORT_FILE = "import-report.txt"
# Options every Django command has; what an import needs is the rest.
_COMMON_OPTIONS = {
    "verbosity",
    "settings",
    "pythonpath",
    "traceback",
    "no_color",
    "force_color",
    "skip_checks",
    "background",
    "wait",
    "stdout",
    "stderr",
}


class ImportFailed(Exception):
    """An import refused (bad records, or nothing written): its report lines are the message."""


class _Lines:
    """What a command writes, line by line, kept for the task's report."""

    def __init__(self, into: list[str]):
        self.into = into

    def write(self, text: str = "", *args, **kwargs) -> None:
        self.into.extend(text.rstrip("\n").splitlines() or [""])


class ReportingCommand:
    """Stands in for the BaseCommand an import writes to; the ClinicalTrials.gov import also moves the
    task's progress through `step`."""

    def __init__(self, progress: tasks.Progress):
        self.progress = progress
        self.lines: list[str] = []
        self.stdout = self.stderr = _Lines(self.lines)

        self.total = 1

    def step(self, *, done: int, total: int, message: str) -> None:
        self.total = total
        self.progress.update(done=done, total=total, message=message)


def queued_options(options: dict) -> dict:
    """The parsed options an import needs, as JSON values, with its files' paths made absolute (the
    worker need not run in the same folder)."""
    kept = {name: value for name, value in options.items() if name not in _COMMON_OPTIONS}
    if "paths" in kept:
        kept["paths"] = [str(Path(path).resolve()) for path in kept["paths"]]
    if kept.get("file"):
        kept["file"] = str(Path(kept["file"]).resolve())
    if kept.get("mapping"):
        kept["mapping"] = str(Path(kept["mapping"]).resolve())
    return kept


@tasks.tracked_task
def run_import(progress: tasks.Progress, *, subcommand: str, options: dict) -> None:
    """`trialdesk import <subcommand>` with `options`, its report kept on the task."""
    from trialdesk.integrations.cli import subcommands

    command = ReportingCommand(progress)
    progress.update(done=0, message="Reading and checking")
    try:
        subcommands("import")[subcommand].handle(command, {**options, "no_progress": True})
    except CommandError as error:
        _finish(progress, command.lines + [str(error)], failed=True)
    _finish(progress, command.lines, failed=False, total=command.total)


@tasks.tracked_task
def run_bulk_import(
    progress: tasks.Progress, *, kind: str, upload: str, filename: str, study_id: int | None, by_id: int
) -> None:
    """A previewed spreadsheet (kept at `upload`) imported as `by_id`, all rows or none; the file goes."""
    from trialdesk.integrations.bulk import plans, services
    from trialdesk.studies.models import Study

    path = Path(upload)
    by = User.objects.get(pk=by_id, is_active=True)
    try:
        study = Study.objects.visible_to(by).get(pk=study_id) if study_id is not None else None
        progress.update(done=0, total=1, message=f"Importing {filename}")
        plan = services.import_file(kind, path.read_bytes(), filename, by=by, study=study)
    except plans.ImportRefused as refused:
        lines = refused.plan.located_problems()
        lines.append(f"{filename}: {len(refused.plan.problems)} problem(s); nothing was imported.")
        _finish(progress, lines, failed=True)
    finally:
        path.unlink(missing_ok=True)
    line = f"Imported {filename}: {plan.created} created, {plan.changed} changed, {plan.unchanged} unchanged."
    _finish(progress, [line], failed=False)


def _finish(progress: tasks.Progress, lines: list[str], *, failed: bool, total: int = 1) -> None:
    """Keep the report as the task's file; a failed import raises with the report as its error."""
    progress.attach(("\n".join(lines) + "\n").encode(), filename=REPORT_FILE)
    if failed:
        raise ImportFailed("\n".join(lines))
    progress.update(done=total, total=total, message=lines[-1] if lines else "Imported.")


def report_of(progress) -> str:
    """The report a finished import task kept ('' when it kept none)."""
    if not progress.file_name:
        return ""
    path = tasks.file_path(progress.pk, progress.file_name)
    return path.read_text() if path.is_file() else ""
