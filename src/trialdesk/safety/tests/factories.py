"""Builders of safety test data: a participant's adverse event with sensible facts, study settings."""

import datetime as dt

from tests.factories import make_participant
from trialdesk.safety import services

AWARE = dt.datetime(2025, 3, 10, 9, 0, tzinfo=dt.UTC)


def event_values(**overrides) -> dict:
    values = dict(
        verbatim_term="short of breath, infiltrates on CT",
        ctcae_term="Pneumonitis",
        grade=3,
        onset_on=dt.date(2025, 3, 9),
        seriousness=["hospitalization"],
        causality="possibly",
        expected=False,
        outcome="recovering",
        action_taken="interrupted",
        site_aware_at=AWARE,
        sponsor_aware_at=AWARE + dt.timedelta(hours=5),
    )
    values.update(overrides)
    return values


def make_adverse_event(participant, *, by, **overrides):
    return services.record_adverse_event(participant=participant, by=by, **event_values(**overrides))


def make_participant_with_event(site, number, *, by, **overrides):
    participant = make_participant(site, number, by=by)
    return participant, make_adverse_event(participant, by=by, **overrides)
