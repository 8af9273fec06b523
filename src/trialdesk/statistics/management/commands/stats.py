"""`trialdesk stats sample-size | randomization-list | minimize`: statistics for planning a trial.

`sample-size DESIGN [options] --json` gives the sample size, or power, of a design;
`randomization-list` prints a stratified permuted-block list; `minimize` gives Pocock–Simon scores.
"""

import json
import math

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trialdesk.analytics.sample_size import COMMON_OPTIONS, DESIGNS, SampleSizeInputError, calculate
from trialdesk.statistics.cli import arguments


class OneLineErrors(CommandParser):
    """A sub-command parser whose usage errors are one line with exit status 2, like every bad input."""

    def error(self, message):
        if self.called_from_command_line:
            self.exit(2, f"{self.prog}: error: {message}\n")
        raise CommandError(f"Error: {message}", returncode=2)


def every_option():
    """Each option once, in the order the designs list them, then the common ones."""
    seen = {}
    for design in DESIGNS.values():
        for option in design.options:
            seen.setdefault(option.name, option)
    for option in COMMON_OPTIONS:
        seen.setdefault(option.name, option)
    return list(seen.values())


OPTIONS = every_option()


def bad_input(flag: str, message: str) -> CommandError:
    return CommandError(f"{flag} {message}", returncode=2)


def cli_message(error: SampleSizeInputError) -> str:
    """The analytics message with its field spelled as the option (``p_discordant``: ``--p-discordant``)."""
    flag = "--" + error.field.replace("_", "-")
    if error.field == "design":
        return str(error)
    message = str(error)
    if message.startswith(error.field + " "):
        return flag + message[len(error.field) :]
    return f"{flag}: {message}"


class Command(BaseCommand):
    help = (
        "Statistics for planning a trial: `stats sample-size DESIGN` solves n for a power, or power for an "
        "n; `stats randomization-list` prints a stratified permuted-block list; `stats minimize` scores "
        "each arm for a new participant by Pocock–Simon minimization."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        actions = parser.add_subparsers(
            dest="action",
            required=True,
            metavar="{sample-size,randomization-list,minimize}",
            parser_class=OneLineErrors,
        )
        sample = actions.add_parser(
            "sample-size",
            allow_abbrev=False,
            help="sample size or power of a design",
            description=(
                "Give --power to solve for n, or --n (group 1; pairs for paired designs, events for "
                "logrank-events) to solve for power. Designs: " + ", ".join(DESIGNS) + "."
            ),
        )
        sample.add_argument("design", choices=list(DESIGNS), metavar="DESIGN", help=", ".join(DESIGNS))
        for option in OPTIONS:
            if option.kind == "flag":
                sample.add_argument(option.flag, dest=option.name, action="store_true", help=option.help)
            else:
                metavar = "|".join(option.choices) if option.kind == "choice" else "X"
                sample.add_argument(
                    option.flag, dest=option.name, metavar=metavar, help=option.help or option.label
                )
        sample.add_argument("--json", dest="as_json", action="store_true", help="print the result as JSON")
        arguments.add_list_arguments(
            actions.add_parser(
                "randomization-list",
                allow_abbrev=False,
                help="a stratified permuted-block randomization list",
                description=(
                    "Each stratum's list is whole blocks, each block's size drawn among --block-sizes; "
                    "the same --seed gives the same list."
                ),
            )
        )
        arguments.add_minimize_arguments(
            actions.add_parser(
                "minimize",
                allow_abbrev=False,
                help="Pocock–Simon minimization scores of a new participant",
                description="Each arm's imbalance score if the participant joined it, and the preferred arm.",
            )
        )

    def handle(self, *args, action: str, **options):
        if action in ("randomization-list", "minimize"):
            from trialdesk.statistics.cli import randomization  # pydantic and the engine: only when used

            if action == "randomization-list":
                self.stdout.write(randomization.randomization_list(options))
            else:
                self.stdout.write(randomization.minimize(options))
        else:
            self.sample_size(**options)

    def sample_size(self, *, design: str, as_json: bool, **options):
        values = self.read_options(options)
        if ("power" in values) == ("n" in values):
            raise bad_input(
                "--power", "or --n: give exactly one (--power solves for n, --n solves for power)."
            )
        try:
            result = calculate(design, **values)
        except SampleSizeInputError as error:
            raise CommandError(cli_message(error), returncode=2) from None
        if as_json:
            self.stdout.write(json.dumps(result.as_dict(), indent=2))
        else:
            self.stdout.write(summary(result))

    def read_options(self, options: dict) -> dict:
        """The options given on the command line, numbers parsed; a bad value names its option."""
        values = {}
        for option in OPTIONS:
            raw = options.get(option.name)
            if raw is None or raw is False:
                continue
            if option.kind == "number":
                values[option.name] = parse_number(option.flag, raw)
            elif option.kind == "choice" and raw not in option.choices and option.name != "method":
                raise bad_input(option.flag, f"must be one of {', '.join(option.choices)}, not {raw!r}.")
            else:
                values[option.name] = raw
        return values


def parse_number(flag: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise bad_input(flag, f"must be a number, not {raw!r}.") from None
    if not math.isfinite(value):
        raise bad_input(flag, f"must be a finite number, not {raw!r}.")
    return value


def summary(result) -> str:
    """The result as a few readable lines."""
    lines = [f"Design: {result.design}"]
    if result.n_per_group:
        exact = ", ".join(f"{n:.2f}" for n in result.n_exact)
        lines.append(f"n per group: {', '.join(map(str, result.n_per_group))} (before rounding up: {exact})")
        lines.append(f"n total: {result.n_total}")
    if result.events is not None:
        lines.append(f"Events: {result.events} (before rounding up: {result.events_exact:.2f})")
    which = "at the rounded n" if result.solved_for == "n" else "at the given n"
    lines.append(f"Power {which}: {result.power:.4f}")
    lines.append(f"Method: {result.method}")
    return "\n".join(lines)
