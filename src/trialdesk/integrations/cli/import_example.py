"""Placeholder so the dispatcher can be checked before the first real export exists; remove when one lands."""

HELP = "Print a greeting (placeholder)."


def add_arguments(parser) -> None:
    parser.add_argument("--name", default="world")


def handle(command, options) -> None:
    command.stdout.write(f"hello {options['name']}")
