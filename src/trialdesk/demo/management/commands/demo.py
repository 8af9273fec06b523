"""`trialdesk demo`: load the demo portfolio through the services and print the demo logins."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from trialdesk.core.maintenance import wipe_all_data_for_demo_reset
from trialdesk.core.management.rendering import print_rich
from trialdesk.core.models import AuditEvent, User
from trialdesk.demo.loading import demo_logins, load_demo_portfolio, planned_steps
from trialdesk.demo.people import PEOPLE
from trialdesk.sites.models import Institution, StudySite
from trialdesk.studies.models import Study


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
        studies = Study.objects.count()
        taken = sorted(
            User.objects.filter(username__in=[p.username for p in PEOPLE]).values_list("username", flat=True)
        )
        if if_empty and studies:
            self.stdout.write(
                f"The database already holds {studies} studies; the demo portfolio was not loaded."
            )
            self.print_logins()
            return
        if (studies or taken) and not reset:
            held = f"{studies} studies" if studies else f"the users {', '.join(taken)}"
            raise CommandError(
                f"The database already holds {held}. `trialdesk demo --reset` wipes all Trialdesk data, "
                "the audit trail included, and loads the demo portfolio afresh."
            )
        if reset:
            tables = wipe_all_data_for_demo_reset()
            self.stdout.write(f"Wiped all Trialdesk data ({len(tables)} tables, the audit trail included).")
        started = time.monotonic()
        self.load_with_progress()
        self.stdout.write(self.summary(time.monotonic() - started))
        self.print_logins()

    def load_with_progress(self) -> None:
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
            load_demo_portfolio(progress=lambda step: progress.update(task, advance=1, description=step))

    def summary(self, seconds: float) -> str:
        countries = Institution.objects.filter(study_sites__isnull=False).values("country").distinct().count()
        return (
            f"Loaded the demo portfolio in {seconds:.1f} s: {Study.objects.count()} studies, "
            f"{StudySite.objects.count()} study sites in {countries} countries, "
            f"{AuditEvent.objects.count()} audit events."
        )

    def print_logins(self) -> None:
        table = Table(title="Demo logins", title_justify="left")
        for column in ("username", "password", "role", "scope"):
            table.add_column(column, overflow="fold")
        for login in demo_logins():
            table.add_row(login.username, login.password, login.role, login.scope)
        print_rich(self.stdout, table)
