"""`trialdesk export KIND …`: each kind is a module `export_<kind>.py` in trialdesk.integrations.cli."""

from django.core.management.base import BaseCommand

from trialdesk.integrations.cli import add_subcommands, run_subcommand, subcommands


class Command(BaseCommand):
    help = "Export data: " + ", ".join(subcommands("export")) + " (`trialdesk export KIND --help` for each)."
    requires_system_checks = []

    def add_arguments(self, parser):
        add_subcommands("export", parser)

    def handle(self, *args, **options):
        run_subcommand("export", self, options)
