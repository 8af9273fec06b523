"""The stored forecast and health follow the data: a write that moves them refreshes them once its
transaction commits (once per study however many writes), never before and never for unrelated records."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from tests.factories import make_participant
from trialdesk.core import records
from trialdesk.reporting import freshness
from trialdesk.statistics.models import EnrollmentForecast
from trialdesk.studies.models import StoredHealth


@pytest.fixture
def world(world):
    """The world, less the refreshes its own writes left pending (its transaction never commits)."""
    connection.run_on_commit = [
        entry for entry in connection.run_on_commit if not isinstance(entry[1], freshness.StudyRefresh)
    ]
    return world


def test_a_participant_enrolled_refreshes_the_forecast_and_health_on_commit(
    world, django_capture_on_commit_callbacks
):
    assert not StoredHealth.objects.exists() and not EnrollmentForecast.objects.exists()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        make_participant(world.site_a1, "101-001", by=world.admin)
        make_participant(world.site_a1, "101-002", by=world.admin)
    assert sum(isinstance(job, freshness.StudyRefresh) for job in callbacks) == 1
    assert StoredHealth.objects.filter(study=world.study_a).exists()
    assert EnrollmentForecast.objects.filter(study=world.study_a).count() == 1
    assert not StoredHealth.objects.filter(study=world.study_b).exists()


def test_a_milestone_moved_refreshes_and_a_fresh_store_is_not_redone(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        records.update_record(
            world.milestone_a, changes={"forecast_on": dt.date(2031, 1, 1)}, by=world.crm, reason="new plan"
        )
    (job,) = [job for job in callbacks if isinstance(job, freshness.StudyRefresh)]
    assert job.study_id == world.study_a.pk
    job()
    stored = StoredHealth.objects.get(study=world.study_a)
    # Stored after the write asked (the nightly run, the demo's last step): not computed again.
    freshness.StudyRefresh(world.study_a.pk, False, stored.computed_at - dt.timedelta(seconds=1))()
    assert StoredHealth.objects.get(study=world.study_a).computed_at == stored.computed_at
    assert stored.computed_at <= timezone.now()


def test_the_forecast_is_stored_again_only_when_its_inputs_changed(world):
    assert freshness.refresh_forecast_if_changed(world.study_a) is True
    assert freshness.refresh_forecast_if_changed(world.study_a) is False
    assert EnrollmentForecast.objects.filter(study=world.study_a).count() == 1
