"""Study services: validation, permissions, protocol lifecycle, milestones."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.factories import make_study
from trialdesk.core.models import AuditEvent
from trialdesk.core.roles import Role
from trialdesk.studies import services
from trialdesk.studies.models import ProtocolVersion


def test_duplicate_study_code_is_refused(world):
    with pytest.raises(ValidationError) as error:
        make_study("ONC-A", by=world.crm)
    assert "code" in error.value.message_dict


def test_bad_nct_number_is_refused_naming_the_field(world):
    with pytest.raises(ValidationError) as error:
        services.update_study(study=world.study_a, changes={"nct_number": "NCT123"}, by=world.crm, reason="r")
    assert "8 digits" in error.value.message_dict["nct_number"][0]


def test_nct_number_is_normalised_and_unique(world):
    services.update_study(
        study=world.study_a, changes={"nct_number": " nct01234567 "}, by=world.crm, reason="r"
    )
    world.study_a.refresh_from_db()
    assert world.study_a.nct_number == "NCT01234567"
    with pytest.raises(ValidationError) as error:
        make_study("NEW-1", by=world.crm, nct_number="NCT01234567")
    assert "nct_number" in error.value.message_dict


def test_crm_creating_a_study_becomes_its_crm(world):
    study = make_study("ONC-NEW", by=world.crm)
    assert world.crm.role_assignments.filter(role=Role.CRM, study=study).exists()


@pytest.mark.parametrize("person", ["auditor", "sponsor_viewer", "monitor", "coordinator", "outsider"])
def test_only_crm_or_admin_change_a_study(world, person):
    with pytest.raises(PermissionDenied):
        services.update_study(
            study=world.study_a, changes={"title": "X"}, by=getattr(world, person), reason="r"
        )


def test_becoming_effective_supersedes_the_previous_version(world):
    v1 = world.protocol_a
    for status in ("submitted", "approved", "effective"):
        v1 = services.change_protocol_status(
            protocol_version=v1, to=status, by=world.crm, reason="plan", on=dt.date(2025, 2, 1)
        )
    v2 = services.create_protocol_version(
        study=world.study_a, number="2.0", version_date=dt.date(2025, 9, 1), amendment_number=1, by=world.crm
    )
    for status in ("submitted", "approved", "effective"):
        v2 = services.change_protocol_status(
            protocol_version=v2, to=status, by=world.crm, reason="amendment 1"
        )
    assert ProtocolVersion.objects.get(pk=v1.pk).status == "superseded"
    assert v2.status == "effective" and v2.is_amendment


def test_protocol_status_cannot_skip_approval(world):
    with pytest.raises(ValidationError) as error:
        services.change_protocol_status(
            protocol_version=world.protocol_a, to="effective", by=world.crm, reason="r"
        )
    assert "submitted" in error.value.message_dict["status"][0]


def test_milestone_actual_date_in_the_future_is_refused(world):
    tomorrow = timezone.now().date() + dt.timedelta(days=2)
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        services.update_milestone(
            milestone=world.milestone_a, changes={"actual_on": tomorrow}, by=world.crm, reason="done"
        )
    assert "future" in error.value.message_dict["actual_on"][0]
    assert AuditEvent.objects.count() == before


def test_custom_milestone_needs_a_name(world):
    with pytest.raises(ValidationError) as error:
        services.create_milestone(study=world.study_a, kind="custom", by=world.crm)
    assert "name" in error.value.message_dict


def test_unknown_field_is_refused(world):
    with pytest.raises(ValidationError) as error:
        services.update_study(study=world.study_a, changes={"version": 9}, by=world.crm, reason="r")
    assert "version" in error.value.message_dict


def test_a_study_with_sites_cannot_be_deleted(world):
    with pytest.raises(ValidationError):
        services.delete_study(study=world.study_a, by=world.admin, reason="mistake")


def test_a_planned_study_without_sites_is_deleted_with_an_audit_event(world):
    study = make_study("TMP-1", by=world.crm, gated=True)  # no override: nothing else refers to it
    services.delete_study(study=study, by=world.crm, reason="created by mistake")
    event = AuditEvent.objects.order_by("-id").first()
    assert event.action == "study.deleted" and event.reason == "created by mistake"
    assert event.changes["code"] == ["TMP-1", None]
