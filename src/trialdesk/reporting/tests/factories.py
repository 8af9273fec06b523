"""A study with something to report: an adverse event at site A1 with an overdue obligation, activation
dates, for the reporting tests (the world's named people from tests.factories)."""

import datetime as dt

from tests.factories import make_participant
from trialdesk.core import records
from trialdesk.safety.tests.factories import make_adverse_event

PARTICIPANT = "101-777"
AE_TERM = "Pneumonitis"


def world_with_safety(world):
    """The world, with participant 101-777 at site A1 and an SAE whose obligations are overdue."""
    participant = make_participant(world.site_a1, PARTICIPANT, by=world.admin)
    event = make_adverse_event(
        participant, by=world.admin, ctcae_term=AE_TERM, verbatim_term="cough and infiltrates, AE-SECRET"
    )
    for site, planned, actual in (
        (world.site_a1, dt.date(2025, 1, 10), dt.date(2025, 2, 1)),
        (world.site_a2, dt.date(2025, 3, 1), None),
    ):
        records.update_record(
            site,
            changes={"planned_activation_on": planned, "activated_on": actual},
            by=world.admin,
            reason="activation plan",
        )
    return event
