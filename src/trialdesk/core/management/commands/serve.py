"""`trialdesk serve`: Trialdesk in production, under gunicorn, with static files collected under hashed,
compressed names and served by whitenoise."""

import importlib.util
import os
import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

DEFAULT_BIND = "127.0.0.1:8000"


def default_workers() -> int:
    # gunicorn's rule of thumb for synchronous workers: two per core, plus one.
    return 2 * (os.cpu_count() or 1) + 1


class Command(BaseCommand):
    help = (
        "Serve Trialdesk for real: collect the static files (hashed, compressed names), then run gunicorn "
        "with preloaded workers on ADDR. Needs the production environment (SECRET_KEY, ALLOWED_HOSTS, …; "
        "README, 'Running Trialdesk for real'); `make run` is for trying Trialdesk."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--workers", type=int, default=default_workers(), help="worker processes (default 2 × cores + 1)"
        )
        parser.add_argument(
            "--bind", default=DEFAULT_BIND, metavar="ADDR", help=f"HOST:PORT (default {DEFAULT_BIND})"
        )
        parser.add_argument(
            "--timeout", type=int, default=60, help="seconds before a silent worker is restarted"
        )

    def handle(self, *args, **options):
        if settings.DEBUG:
            raise CommandError(
                "trialdesk serve runs without DEBUG; unset DEBUG (or use `make run` to try Trialdesk)."
            )
        if options["workers"] < 1:
            raise CommandError("--workers: give at least 1.")
        if ":" not in options["bind"] and not options["bind"].startswith("unix:"):
            raise CommandError("--bind: give HOST:PORT, e.g. 0.0.0.0:8000, or unix:PATH.")
        environment = {
            **os.environ,
            "TRIALDESK_HASHED_STATIC": "1",
            "DJANGO_SETTINGS_MODULE": "trialdesk.settings",
        }
        if settings.SERVE_STATIC:
            # Collected by a fresh process: this one's settings keep the plain static storage.
            collect = [sys.executable, "-m", "trialdesk.cli", "collectstatic", "--no-input", "-v0", "--clear"]
            done = subprocess.run(collect, env=environment, check=False)
            if done.returncode:
                raise CommandError("Collecting the static files failed (see above); nothing was started.")
        if importlib.util.find_spec("gunicorn") is None:
            raise CommandError(
                "gunicorn is not installed here: pip install --require-hashes -r requirements.lock"
            )
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "trialdesk.wsgi:application",
            "--preload",
            "--workers",
            str(options["workers"]),
            "--bind",
            options["bind"],
            "--timeout",
            str(options["timeout"]),
            "--graceful-timeout",
            "30",
        ]
        self.stdout.write(f"Trialdesk on {options['bind']} with {options['workers']} workers (gunicorn).")
        self.stdout.flush()
        # gunicorn takes this process's place: signals (TERM to stop, HUP to reload) reach it directly.
        os.execve(sys.executable, command, environment)
