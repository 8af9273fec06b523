"""Sub-commands of `trialdesk import` and `trialdesk export`, one module each, found by name.

A module `import_<source>.py` (or `export_<target>.py`) here becomes `trialdesk import <source>`
(`trialdesk export <target>`). It defines `HELP` (one line), `add_arguments(parser)` and
`handle(command, options) -> None`, where `command` is the BaseCommand (for `stdout`/`stderr`/`style`)
and `options` the parsed options; it raises CommandError for bad input.
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


def run_subcommand(verb: str, command, options: dict) -> None:
    subcommands(verb)[options["subcommand"]].handle(command, options)
