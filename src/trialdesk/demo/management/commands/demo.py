"""`trialdesk demo`: load the demo portfolio through the services and print the demo logins."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from trialdesk.core.demo import PEOPLE, demo_logins
from trialdesk.core.maintenance import wipe_all_data_for_demo_reset
from trialdesk.core.management.rendering import print_rich
from trialdesk.core.models import AuditEvent, User
from trialdesk.demo.loading import load_demo_portfolio, planned_steps


class Command(BaseCommand):
    help = (
        "Load the demo portfolio (studies, sites, milestones, one login per role), every record audited. "
        "Refuses when the database already holds data unless --reset or --if-empty is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="wipe ALL Trialdesk data, the audit trail included, then load the demo portfolio",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="load only into an empty database; otherwise just print the demo logins",
        )

    def handle(self, *args, reset: bool, if_empty: bool, **options):
        if reset and if_empty:
            raise CommandError("Give --reset or --if-empty, not both.")
        # Any audit event means trial records (or accounts) exist: the demo never mixes with real data.
        events = AuditEvent.objects.count()
        taken = sorted(
            User.objects.filter(username__in=[p.username for p in PEOPLE]).values_list("username", flat=True)
        )
        if if_empty and events:
            self.stdout.write(
                f"The database already holds data ({events} audit events); the demo portfolio was not loaded."
            )
            self.print_logins()
            return
        if (events or taken) and not reset:
            held = f"data ({events} audit events)" if events else f"the users {', '.join(taken)}"
            raise CommandError(
                f"The database already holds {held}. `trialdesk demo --reset` wipes all Trialdesk data, "
                "the audit trail included, and loads the demo portfolio afresh."
            )
        if reset:
            tables = wipe_all_data_for_demo_reset()
            self.stdout.write(f"Wiped all Trialdesk data ({len(tables)} tables, the audit trail included).")
        started = time.monotonic()
        demo = self.load_with_progress()
        seconds = time.monotonic() - started
        self.stdout.write(
            f"Loaded the demo portfolio in {seconds:.1f} s: {', '.join(demo.summary)}, "
            f"{AuditEvent.objects.count()} audit events."
        )
        self.print_logins()

    def load_with_progress(self):
        console = Console(file=sys.stderr)
        columns = (
            TextColumn("{task.description:<40}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        # Progress goes to a terminal only; in logs and tests it would be noise.
        with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as progress:
            task = progress.add_task("Loading the demo portfolio", total=planned_steps())
            return load_demo_portfolio(
                progress=lambda step, advance: progress.update(task, advance=advance, description=step)
            )

    def print_logins(self) -> None:
        table = Table(title="Demo logins", title_justify="left")
        for column in ("username", "password", "role", "scope"):
            table.add_column(column, overflow="fold")
        for login in demo_logins():
            table.add_row(login.username, login.password, login.role, login.scope)
        print_rich(self.stdout, table)
