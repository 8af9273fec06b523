"""A concurrent writer for the reliability test: `python -m tests.reliability.writer N ROUNDS`."""

import datetime as dt
import os
import sys

import django


def main(writer: int, rounds: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trialdesk.settings")
    django.setup()
    from trialdesk.core.models import User
    from trialdesk.studies import services
    from trialdesk.studies.models import Milestone

    crm = User.objects.get(username="crm_anna")
    milestones = list(Milestone.objects.filter(study__code="ONC-A").order_by("id"))
    for round_number in range(rounds):
        milestone = milestones[(writer + round_number) % len(milestones)]
        forecast = dt.date(2027, 1, 1) + dt.timedelta(days=writer * 1000 + round_number)
        # Each writer re-reads the row inside the service, so no version is passed: this test is
        # about the audit chain under concurrency, not about optimistic locking.
        services.update_milestone(
            milestone=milestone, changes={"forecast_on": forecast}, by=crm, reason=f"writer {writer}"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
