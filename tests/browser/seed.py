"""Fills a fresh database with the test world for the browser smoke test: `python -m tests.browser.seed`."""

import datetime as dt
import os

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trialdesk.settings")
    django.setup()
    from tests.factories import build_world
    from trialdesk.studies import services

    world = build_world()
    # A forecast to start from, so the smoke test's change has an old value to show in the history.
    services.update_milestone(
        milestone=world.milestone_a,
        changes={"forecast_on": dt.date(2025, 6, 20)},
        by=world.crm,
        reason="first forecast from the feasibility results",
    )
    print(f"seeded: study {world.study_a.code}, milestone {world.milestone_a.pk}")


if __name__ == "__main__":
    main()
