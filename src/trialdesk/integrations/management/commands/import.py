"""`trialdesk import KIND …`: each kind is a module `import_<kind>.py` in trialdesk.integrations.cli."""

from django.core.management.base import BaseCommand

from trialdesk.integrations.cli import add_subcommands, run_subcommand, subcommands


class Command(BaseCommand):
    help = "Import data: " + ", ".join(subcommands("import")) + " (`trialdesk import KIND --help` for each)."
    requires_system_checks = []

    def add_arguments(self, parser):
        add_subcommands("import", parser)

    def handle(self, *args, **options):
        run_subcommand("import", self, options)
