"""Sub-commands of `trialdesk import` and `trialdesk export`, one module each, found by name.

A module `import_<source>.py` (or `export_<target>.py`) here becomes `trialdesk import <source>`
(`trialdesk export <target>`). It defines `HELP` (one line), `add_arguments(parser)` and
`handle(command, options) -> None`, where `command` is the BaseCommand (for `stdout`/`stderr`/`style`)
and `options` the parsed options; it raises CommandError for bad input.

Every `trialdesk import` also takes `--background` (queue it for `trialdesk worker`, print the task's id)
and `--wait` (then follow its progress and print its report): integrations.tasks runs the same `handle`.
"""

import importlib
import pkgutil
from types import ModuleType

from django.core.management.base import CommandError, CommandParser


class OneLineErrors(CommandParser):
    """A sub-command parser whose usage errors are one line with exit status 2, like every bad input."""

    def error(self, message):
        if self.called_from_command_line:
            self.exit(2, f"{self.prog}: error: {message}\n")
        raise CommandError(f"Error: {message}", returncode=2)


def subcommands(verb: str) -> dict[str, ModuleType]:
    """{name: module} of every `<verb>_<name>` module in this package, `_` in the name spelled `-`."""
    found = {}
    for module in pkgutil.iter_modules(__path__):
        if module.name.startswith(f"{verb}_"):
            name = module.name.removeprefix(f"{verb}_").replace("_", "-")
            found[name] = importlib.import_module(f"{__name__}.{module.name}")
    return dict(sorted(found.items()))


def add_subcommands(verb: str, parser: CommandParser) -> None:
    found = subcommands(verb)
    chosen = parser.add_subparsers(
        dest="subcommand", required=True, metavar="{" + ",".join(found) + "}", parser_class=OneLineErrors
    )
    for name, module in found.items():
        sub = chosen.add_parser(name, allow_abbrev=False, help=module.HELP, description=module.HELP)
        module.add_arguments(sub)
        if verb == "import":
            sub.add_argument(
                "--background", action="store_true", help="queue the import for `trialdesk worker`"
            )
            sub.add_argument(
                "--wait", action="store_true", help="with --background: show its progress, then its report"
            )


def run_subcommand(verb: str, command, options: dict) -> None:
    if options.get("background"):
        return run_in_background(command, options)
    if options.get("wait"):
        raise CommandError("--wait: only with --background.", returncode=2)
    subcommands(verb)[options["subcommand"]].handle(command, options)


def run_in_background(command, options: dict) -> None:
    """Queue the import (after the checks that need no reading: the user, the study, the files); with
    --wait, follow it and print its report like the import in the foreground, failing the same way."""
    from pathlib import Path

    from trialdesk.core import tasks
    from trialdesk.integrations import tasks as import_tasks
    from trialdesk.integrations.cli.acting_user import acting_user, visible_study

    user = acting_user(options["user"])
    if options.get("study"):
        visible_study(user, options["study"])
    for path in options.get("paths") or [options.get("file")]:
        if path and not Path(path).exists():
            raise CommandError(f"{path}: no such file or directory")
    name = options["subcommand"]
    queued = import_tasks.queued_options(options)
    shown = ", ".join(Path(p).name for p in queued.get("paths") or [queued.get("file", "")])
    progress = tasks.start(
        import_tasks.run_import, title=f"Import {name}: {shown}", by=user, subcommand=name, options=queued
    )
    if not options.get("wait"):
        command.stdout.write(f"Queued as task {progress.pk}: `trialdesk worker` runs it.")
        return
    progress = tasks.follow(progress, file=command.stderr)
    report = import_tasks.report_of(progress).rstrip("\n")
    if progress.status == tasks.Status.FAILED:
        *lines, last = (report or progress.error).splitlines() or [progress.error]
        for line in lines:
            command.stderr.write(line)
        raise CommandError(f"Task {progress.pk}: {last}")
    if report:
        command.stdout.write(report)
