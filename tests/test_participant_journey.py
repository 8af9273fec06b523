"""A participant's journey across the apps: enrolled, scheduled, randomized, re-consented, seen.

The apps were built side by side against agreed interfaces; these tests walk the real path through
all of them (no substituted functions), so a broken hand-over between apps shows here.
"""

import datetime as dt

import pytest

from trialdesk.randomization import services as randomization_services
from trialdesk.randomization.tests.factories import make_scheme
from trialdesk.subjects import selectors as subject_selectors
from trialdesk.subjects.tests.factories import make_consent_version, make_enrolled, make_study_ready
from trialdesk.visits import services as visit_services
from trialdesk.visits.models import ProtocolDeviation, ScheduledVisit
from trialdesk.visits.tests.factories import add_schedule, make_effective


@pytest.fixture
def journey(world):
    make_effective(world.protocol_a, by=world.crm)
    add_schedule(world.protocol_a, by=world.crm)
    version = make_study_ready(world.study_a, [world.site_a1], by=world.admin)
    participant = make_enrolled(world.site_a1, "S-001", by=world.admin, version=version)
    return world, participant


def codes(participant):
    return sorted(
        ScheduledVisit.objects.filter(participant=participant).values_list("definition__code", flat=True)
    )


def test_enrolling_schedules_the_visits_that_hang_on_consent(journey):
    world, participant = journey
    assert codes(participant) == ["SCR"]
    screening = ScheduledVisit.objects.get(participant=participant)
    assert screening.target_on == dt.date(2025, 3, 3)  # the consent's day in Berlin


def test_randomizing_schedules_the_visits_that_hang_on_randomization(journey):
    world, participant = journey
    make_scheme(world.study_a, by=world.crm)
    randomization_services.randomize(participant=participant, factor_levels={"sex": "F"}, by=world.crm)
    participant.refresh_from_db()
    assert participant.status == "randomized"
    assert codes(participant) == ["BL", "EOS", "FU", "SCR", "W2", "W4"]


def test_a_visit_while_reconsent_is_overdue_creates_a_consent_deviation(journey):
    world, participant = journey
    make_consent_version(
        world.study_a,
        by=world.admin,
        label="2.0",
        effective_on=dt.date(2025, 4, 1),
        approved_at=[world.site_a1],
        approved_on=dt.date(2025, 4, 1),
    )
    late = dt.date(2025, 9, 1)
    due = subject_selectors.reconsent_due(participant, on=late)
    assert due is not None and due.is_overdue
    screening = ScheduledVisit.objects.get(participant=participant, definition__code="SCR")
    visit_services.record_visit(scheduled_visit=screening, done_on=late, modality="on_site", by=world.admin)
    deviation = ProtocolDeviation.objects.get(participant=participant, category="consent")
    assert deviation.created_automatically and deviation.scheduled_visit == screening
    # Months after its window, the visit also raises a visit-window deviation (issue 12 §4).
    assert ProtocolDeviation.objects.filter(participant=participant, category="visit_window").count() == 1
