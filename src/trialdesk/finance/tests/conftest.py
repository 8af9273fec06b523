"""The finance tests' world: study A budgeted in EUR, site 101 paid in EUR and 102 in JPY, a visit done at
each (the `finance` fixture, used by the services, selectors, views and API tests)."""

import datetime as dt

import pytest
from django.utils import timezone

from trialdesk.finance.services import budgets
from trialdesk.finance.tests import factories
from trialdesk.subjects import services as subject_services
from trialdesk.subjects.tests.factories import make_study_ready
from trialdesk.visits import services as visit_services
from trialdesk.visits.tests.factories import build_visit_world


@pytest.fixture
def finance(world):
    """Study A with a budget in EUR, site 101 (EUR) and 102 (JPY) fee schedules, and visits W2 done."""
    admin = world.admin
    visits = build_visit_world(world)
    v1 = make_study_ready(world.study_a, [world.site_a1, world.site_a2], by=admin)
    for participant in (visits.participant_a1, visits.participant_a2):
        subject_services.record_consent(
            participant=participant,
            consent_version=v1,
            signed_at=dt.datetime(2025, 3, 1, 9, tzinfo=dt.UTC),
            by=admin,
        )
    factories.make_budget(world.study_a, by=admin)
    factories.make_schedule(world.site_a1, by=admin)
    factories.make_schedule(world.site_a2, by=admin, currency="JPY", visit_fees={"W2": "150000"})
    visit_services.record_visit(
        scheduled_visit=visits.visit_a1, done_on=dt.date(2025, 3, 17), modality="on_site", by=admin
    )
    visit_services.record_visit(
        scheduled_visit=visits.visit_a2, done_on=dt.date(2025, 3, 17), modality="on_site", by=admin
    )
    recent = timezone.localdate() - dt.timedelta(days=1)  # the sites' activation (start-up fee) is today
    for day in (dt.date(2025, 3, 14), dt.date(2025, 3, 21), recent):
        budgets.create_exchange_rate(by=admin, base="EUR", quote="JPY", on=day, rate="160")
    return visits
