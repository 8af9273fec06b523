"""Site services: institutions validated, site numbers unique per study, the lifecycle enforced."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import make_institution, make_site
from trialdesk.core.models import AuditEvent
from trialdesk.sites import services
from trialdesk.sites.models import StudySite


def test_unknown_country_is_refused(world):
    with pytest.raises(ValidationError) as error:
        make_institution("Nowhere Clinic", by=world.crm, country="XX")
    assert "country" in error.value.message_dict


def test_unknown_time_zone_is_refused(world):
    with pytest.raises(ValidationError) as error:
        make_institution("Nowhere Clinic", by=world.crm, time_zone="Europe/Atlantis")
    assert "time_zone" in error.value.message_dict


def test_site_number_reused_in_a_study_is_refused_naming_the_field(world):
    with pytest.raises(ValidationError) as error:
        make_site(world.study_a, "101", by=world.crm, institution=world.site_a2.institution)
    assert "already used" in error.value.message_dict["site_number"][0]


def test_the_same_site_number_may_be_used_in_another_study(world):
    assert make_site(world.study_b, "101", by=world.admin).site_number == "101"


def walk(site, statuses, by):
    for status in statuses:
        site = services.change_site_status(study_site=site, to=status, by=by, reason=f"to {status}")
    return site


def test_site_moves_through_its_lifecycle_and_records_activation(world):
    site = walk(
        world.site_a1, ["under_feasibility", "selected", "start_up", "activated", "enrolling"], world.crm
    )
    assert site.status == "enrolling"
    assert site.activated_on == site.local_today()
    events = AuditEvent.objects.filter(
        object_type="sites.studysite", object_id=str(site.pk), action="studysite.status_changed"
    )
    assert events.count() == 5


def test_invalid_transition_is_refused_naming_the_allowed_ones(world):
    with pytest.raises(ValidationError) as error:
        services.change_site_status(study_site=world.site_a1, to="enrolling", by=world.crm, reason="go")
    assert error.value.message_dict["status"] == [
        "A site that is identified can move only to: under feasibility, on hold, terminated."
    ]
    assert StudySite.objects.get(pk=world.site_a1.pk).status == "identified"


def test_on_hold_resumes_where_it_was(world):
    site = walk(world.site_a1, ["under_feasibility", "on_hold"], world.crm)
    with pytest.raises(ValidationError):
        services.change_site_status(study_site=site, to="selected", by=world.crm, reason="skip")
    site = walk(site, ["under_feasibility"], world.crm)
    assert site.status == "under_feasibility" and site.status_before_hold == ""


def test_monitor_cannot_change_site_status(world):
    with pytest.raises(PermissionDenied):
        services.change_site_status(
            study_site=world.site_a1, to="under_feasibility", by=world.monitor, reason="r"
        )


def test_a_site_past_feasibility_cannot_be_deleted(world):
    site = walk(world.site_a1, ["under_feasibility", "selected"], world.crm)
    with pytest.raises(ValidationError):
        services.delete_study_site(study_site=site, by=world.crm, reason="r")
