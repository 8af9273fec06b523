"""`trialdesk worker [--batch] [--worker-id ID] [--interval SECONDS] [--lease SECONDS]`: run the queued
background work (core.tasks) beside `trialdesk serve`, as many workers as you like on one database.

Each round first takes back what a stopped worker had claimed (after the lease, or at once when this
worker starts under the --worker-id a stopped one had), then runs the ready tasks through django-tasks-db's
worker; once an hour it forgets what finished more than TRIALDESK_TASK_KEEP_DAYS (14) ago, with the
files those tasks left. SIGTERM/Ctrl-C let the running task finish; a second one stops it (the task is
then marked failed and shown so). --batch runs what is ready and exits (cron); without it the worker
waits for more."""

import datetime as dt
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.crypto import get_random_string
from django_tasks import task_backends
from django_tasks_db import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker

from trialdesk.core import tasks


class Command(BaseCommand):
    help = "Run the queued background work (reports, refreshes, digests, imports); see README."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="run what is ready, then exit (cron)")
        parser.add_argument(
            "--worker-id",
            default="",
            metavar="ID",
            help="this worker's name, unique per worker and the same across its restarts (e.g. systemd's "
            "%%H-%%i): on start, what it had claimed before it stopped is run again at once",
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, metavar="SECONDS", help="wait between polls when idle"
        )
        parser.add_argument(
            "--lease",
            type=int,
            default=None,
            metavar="SECONDS",
            help="take back a claimed task with no sign of life for this long (default: "
            "TRIALDESK_TASK_LEASE_SECONDS, 900)",
        )
        parser.add_argument("--max-tasks", type=int, default=None, metavar="N", help="exit after N tasks")

    def handle(self, *args, batch: bool, worker_id: str, interval: float, lease: int | None, **options):
        if not isinstance(task_backends["default"], DatabaseBackend):
            raise CommandError(
                "Tasks run at once here (TRIALDESK_TASK_BACKEND=immediate, the default with DEBUG): "
                "no worker is needed; set TRIALDESK_TASK_BACKEND=database to queue them."
            )
        if interval < 0 or (lease is not None and lease < 0):
            raise CommandError("--interval and --lease: give a number of seconds, 0 or more.")
        lease_for = dt.timedelta(seconds=settings.TASK_LEASE_SECONDS if lease is None else lease)
        worker = Worker(
            queue_names=["*"],
            excluded_queue_names=[],
            interval=interval,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=options["max_tasks"],
            worker_id=worker_id or get_random_string(32),
        )
        worker.configure_signals()
        self.stdout.write(f"Worker {worker.worker_id} started (lease {lease_for.total_seconds():.0f} s).")
        restarted_as = worker_id
        keep_for = dt.timedelta(days=settings.TASK_KEEP_DAYS)
        forgotten_at = 0.0
        while worker.running:
            if time.monotonic() - forgotten_at > 3600:
                tasks.forget_finished(older_than=keep_for)
                forgotten_at = time.monotonic()
            for line in tasks.recover_abandoned(lease=lease_for, worker_id=restarted_as):
                self.stdout.write(f"Taken back: {line}")
            restarted_as = ""  # only what it held before this start; its own claims from now on are live
            before = worker._run_tasks
            worker.run()
            if worker._run_tasks != before:
                self.stdout.write(f"Ran {worker._run_tasks - before} task(s).")
            if batch or (worker.max_tasks is not None and worker._run_tasks >= worker.max_tasks):
                return
            time.sleep(interval)
