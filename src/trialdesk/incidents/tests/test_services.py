"""Recording incidents and their notifications: clocks as the rules say, audited in the same transaction,
bad facts refused naming the field with nothing saved, notifications following changed facts."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from trialdesk.core.models import AuditEvent
from trialdesk.core.records import StaleVersion
from trialdesk.incidents import services
from trialdesk.incidents.models import Incident, IncidentObligation
from trialdesk.incidents.tests.factories import FACTS, make_incident


def test_recording_an_incident_creates_its_notifications_with_their_clocks(world):
    aware = timezone.now().replace(microsecond=0) - dt.timedelta(hours=5)
    incident = make_incident(world.study_a, by=world.crm, aware_at=aware, affected_individuals=499)
    assert incident.number == "INC-001"
    found = {o.key: o for o in incident.obligations.all()}
    assert set(found) == {
        "EU-GDPR-33",
        "EU-GDPR-34",
        "UK-GDPR-33",
        "UK-GDPR-34",
        "US-HIPAA-404",
        "US-HIPAA-408-LOG",
    }
    assert found["EU-GDPR-33"].due_at == aware + dt.timedelta(hours=72)
    assert found["EU-GDPR-33"].time_zone == "Europe/Berlin"
    assert found["EU-GDPR-34"].clock == "without_undue_delay"
    assert make_incident(world.study_a, by=world.crm).number == "INC-002"


def test_every_record_written_has_its_audit_event(world):
    incident = make_incident(world.study_a, by=world.crm)
    events = AuditEvent.objects.filter(object_type__startswith="incidents.")
    assert events.filter(action="incident.created", object_id=str(incident.pk)).count() == 1
    assert events.filter(action="incidentobligation.created").count() == incident.obligations.count()
    assert set(events.values_list("actor_username", flat=True)) == {"crm_anna"}


BAD = [
    # the facts given, the field named
    ({"aware_at": None}, "aware_at"),
    ({"aware_at": dt.datetime(2026, 1, 5, 10, 0)}, "aware_at"),  # naive
    ({"jurisdictions": ["EU", "FR"]}, "jurisdictions"),
    ({"jurisdictions": []}, "jurisdictions"),
    ({"sponsor_timezone": "Mars/Base"}, "sponsor_timezone"),
    ({"affected_individuals": -1}, "affected_individuals"),
    ({"residents_by_state": {"California": 3}}, "residents_by_state"),
]


@pytest.mark.parametrize(("bad", "field"), BAD)
def test_bad_facts_are_refused_naming_the_field_and_nothing_is_saved(world, bad, field):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        services.record_incident(
            study=world.study_a, by=world.crm, **{**FACTS, "aware_at": timezone.now(), **bad}
        )
    assert field in error.value.message_dict
    assert Incident.objects.count() == 0 and IncidentObligation.objects.count() == 0
    assert AuditEvent.objects.count() == before


def test_awareness_in_the_future_is_refused(world):
    with pytest.raises(ValidationError) as error:
        make_incident(world.study_a, by=world.crm, hours_ago=-2)
    assert "aware_at" in error.value.message_dict


def test_a_site_of_another_study_is_refused(world):
    with pytest.raises(ValidationError) as error:
        make_incident(world.study_a, by=world.crm, study_site=world.site_b1)
    assert "study_site" in error.value.message_dict


def test_only_the_crm_safety_officer_or_an_administrator_records_incidents(world):
    for person in (world.monitor, world.auditor, world.sponsor_viewer, world.coordinator, world.outsider):
        with pytest.raises(PermissionDenied):
            make_incident(world.study_a, by=person)
    assert make_incident(world.study_a, by=world.admin)


def test_marking_made_records_who_when_and_reference_and_judges_it_by_the_due_time(world):
    incident = make_incident(world.study_a, by=world.crm, hours_ago=80)
    authority = incident.obligations.get(key="EU-GDPR-33")
    done = services.mark_met(obligation=authority, by=world.crm, reference_number="BfDI-2026-17")
    assert done.status == "missed"  # made 80 hours after awareness: past the 72 hours
    assert (done.submitted_by, done.reference_number) == (world.crm, "BfDI-2026-17")
    assert AuditEvent.objects.filter(action="incidentobligation.updated", object_id=str(done.pk)).exists()
    individuals = incident.obligations.get(key="EU-GDPR-34")
    assert services.mark_met(obligation=individuals, by=world.crm).status == "met"  # no fixed period
    with pytest.raises(ValidationError) as error:
        services.mark_met(obligation=done, by=world.crm)
    assert "status" in error.value.message_dict


def test_marking_made_before_awareness_or_in_the_future_is_refused(world):
    incident = make_incident(world.study_a, by=world.crm, hours_ago=5)
    obligation = incident.obligations.get(key="EU-GDPR-33")
    for when in (incident.aware_at - dt.timedelta(hours=1), timezone.now() + dt.timedelta(hours=1)):
        with pytest.raises(ValidationError) as error:
            services.mark_met(obligation=obligation, by=world.crm, submitted_at=when)
        assert "submitted_at" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.mark_met(obligation=obligation, by=world.auditor)


def test_changed_facts_retire_add_and_move_open_notifications(world):
    incident = make_incident(world.study_a, by=world.crm, hours_ago=5, affected_individuals=499)
    saved = services.update_incident(
        incident=incident,
        by=world.crm,
        changes={"affected_individuals": 800, "risk_to_individuals": "risk"},
        reason="count confirmed by the site",
        expected_version=1,
    )
    found = {o.key: o for o in saved.obligations.all()}
    assert found["US-HIPAA-408-LOG"].status == "not_required"
    assert found["EU-GDPR-34"].status == "not_required"
    assert found["US-HIPAA-408-500"].status == "open" and found["US-HIPAA-406"].status == "open"
    later = incident.aware_at + dt.timedelta(hours=2)
    moved = services.update_incident(
        incident=saved, by=world.crm, changes={"aware_at": later}, reason="log read"
    )
    assert moved.obligations.get(key="EU-GDPR-33").due_at == later + dt.timedelta(hours=72)
    with pytest.raises(StaleVersion):
        services.update_incident(
            incident=moved, by=world.crm, changes={"title": "x"}, reason="r", expected_version=1
        )


def test_a_change_without_a_reason_is_refused(world):
    incident = make_incident(world.study_a, by=world.crm)
    with pytest.raises(ValidationError) as error:
        services.update_incident(incident=incident, by=world.crm, changes={"title": "New"}, reason="")
    assert "reason" in error.value.message_dict


def test_moving_an_incident_to_another_site_moves_its_notifications_scope(world):
    incident = make_incident(world.study_a, by=world.crm, study_site=world.site_a2)
    saved = services.update_incident(
        incident=incident, by=world.crm, changes={"study_site": None}, reason="it was the sponsor's laptop"
    )
    assert set(saved.obligations.values_list("study_site_id", flat=True)) == {None}
