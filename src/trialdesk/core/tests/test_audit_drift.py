"""Record drift and database integrity, as `trialdesk audit verify` reports them (issue 12 §2).

Rows are changed by SQL inside the test's transaction, as a database user would, and every record that
no longer matches its audit events is named with its model, id and field.
"""

import datetime as dt

import pytest
from django.db import connection, transaction

from tests.factories import make_participant
from trialdesk.core.audit import drift, integrity, verification
from trialdesk.core.models import AuditEvent
from trialdesk.studies import services as study_services
from trialdesk.studies.models import Milestone, ProtocolVersion, Study
from trialdesk.visits import services as visit_services
from trialdesk.visits.models import ScheduledVisit
from trialdesk.visits.tests.factories import build_visit_world


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def drifted() -> list[str]:
    return drift.check_records().problems


def last_event_of(record) -> int:
    return (
        AuditEvent.objects.filter(object_type=record._meta.label_lower, object_id=str(record.pk))
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )


def test_records_written_through_the_application_do_not_drift(world):
    study_services.update_study(study=world.study_a, changes={"title": "Renamed"}, by=world.crm, reason="r")
    report = drift.check_records()
    # 12, and the signed start-up and close-out override of each of the two test studies (tests.factories)
    assert report.problems == [] and report.records_checked == 14


def test_a_row_changed_by_sql_is_named_with_its_field_and_both_values(world):
    sql(
        "UPDATE studies_study SET title = 'Forged', planned_enrollment = 999 WHERE id = %s",
        [world.study_a.pk],
    )
    assert drifted() == [
        f"record drifted: studies.study #{world.study_a.pk}: "
        'title is "Forged", the audit trail says "Study ONC-A"; '
        f"planned_enrollment is 999, the audit trail says 120 (last event #{last_event_of(world.study_a)})"
    ]


def test_a_participant_changed_by_sql_is_named(world):
    participant = make_participant(world.site_a1, "101-001", by=world.admin)
    sql("UPDATE subjects_participant SET number = '101-999' WHERE id = %s", [participant.pk])
    (found,) = drifted()
    assert found.startswith(f'record drifted: subjects.participant #{participant.pk}: number is "101-999"')


def test_a_row_inserted_by_sql_has_no_audit_event(world):
    milestone = Milestone.objects.get(pk=world.milestone_a.pk)
    columns = [f.column for f in Milestone._meta.concrete_fields if not f.primary_key]
    names = ", ".join(columns)
    sql(
        f"INSERT INTO studies_milestone ({names}) SELECT {names} FROM studies_milestone WHERE id = %s",
        [milestone.pk],
    )
    forged = Milestone.objects.order_by("-id").first()
    assert drifted() == [
        f"record drifted: studies.milestone #{forged.pk}: no audit event (written outside the application)"
    ]


def test_a_row_deleted_by_sql_is_named_and_a_deleted_one_may_not_come_back(world):
    milestone = world.milestone_a
    sql("DELETE FROM studies_milestone WHERE id = %s", [milestone.pk])
    assert drifted() == [
        f"record drifted: studies.milestone #{milestone.pk}: missing from the database, but its audit trail "
        f"has no deletion (last event #{last_event_of(milestone)})"
    ]


def test_a_record_present_after_its_deletion_event_is_named(world):
    milestone = world.milestone_a
    columns = ", ".join(f.column for f in Milestone._meta.concrete_fields)
    sql("CREATE TEMPORARY TABLE kept AS SELECT * FROM studies_milestone WHERE id = %s", [milestone.pk])
    study_services.delete_milestone(milestone=milestone, by=world.crm, reason="entered twice")
    assert drifted() == []
    sql(f"INSERT INTO studies_milestone ({columns}) SELECT {columns} FROM kept")
    assert drifted() == [
        f"record drifted: studies.milestone #{milestone.pk}: deleted by audit event "
        f"#{last_event_of(milestone)}, yet present in the database"
    ]


def test_children_deleted_with_their_study_are_not_drift(world, db):
    """Deleting a planned study cascades to its protocol versions and milestones without their own
    events; they are not reported as missing, since their parent's deletion is on the trail."""
    study = study_services.create_study(
        code="GONE-1",
        title="Never started",
        phase="II",
        therapeutic_area="Oncology",
        sponsor="Acme",
        planned_enrollment=10,
        by=world.admin,
    )
    study_services.create_protocol_version(
        study=study, number="1.0", version_date=dt.date(2025, 1, 1), by=world.admin
    )
    study_services.create_milestone(
        study=study, kind="first_participant_in", baseline_on=dt.date(2025, 6, 1), by=world.admin
    )
    study_services.delete_study(study=study, by=world.admin, reason="never started")
    assert not Study.objects.filter(code="GONE-1").exists()
    assert not ProtocolVersion.objects.filter(study_id=study.pk).exists()
    assert drifted() == []


def test_a_field_no_event_set_may_hold_its_default_and_nothing_else(world):
    """As if `reconsent_window_days` had been added after the study's events were written."""
    created = AuditEvent.objects.get(action="study.created", object_id=str(world.study_a.pk))
    changes = {k: v for k, v in created.changes.items() if k != "reconsent_window_days"}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER core_auditevent_no_update")
    AuditEvent.objects.filter(pk=created.pk).update(changes=changes)
    assert drifted() == []
    sql("UPDATE studies_study SET reconsent_window_days = 7 WHERE id = %s", [world.study_a.pk])
    (found,) = drifted()
    assert "reconsent_window_days is 7, the audit trail never set it" in found


def test_a_deleted_tail_of_creations_leaves_its_records_without_events(world):
    """Even without anchors: the records whose creation events were deleted no longer have any."""
    newest = AuditEvent.objects.order_by("-id").first()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER core_auditevent_no_delete")
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [newest.pk])
    (found,) = drifted()
    assert found == (
        f"record drifted: {newest.object_type} #{newest.object_id}: "
        "no audit event (written outside the application)"
    )


# Visits scheduled in bulk (docs/adr/0004) ------------------------------------------------------------


@pytest.fixture
def bulk(world):
    vw = build_visit_world(world)
    berlin = [make_participant(world.site_a1, f"101-1{i:02d}", by=world.admin) for i in range(3)]
    tokyo = make_participant(world.site_a2, "102-100", by=world.admin)
    visit_services.schedule_visits_bulk(
        protocol_version=world.protocol_a,
        anchor="randomization",
        anchors=[(tokyo.pk, dt.date(2025, 4, 1)), *((p.pk, dt.date(2025, 4, 2)) for p in berlin)],
        by=world.crm,
        reason="Import",
    )
    events = list(AuditEvent.objects.filter(action="scheduledvisit.bulk_scheduled").order_by("id"))
    return vw, berlin, tokyo, events


def test_the_bulk_event_lists_the_visits_it_added_and_they_do_not_drift(world, bulk):
    _, berlin, tokyo, events = bulk
    berlin_ids = sorted(ScheduledVisit.objects.filter(participant__in=berlin).values_list("id", flat=True))
    created = events[0].changes[drift.BULK_KEY][1]
    assert created["model"] == "visits.scheduledvisit"
    assert created["ids"] == drift.id_ranges(berlin_ids) and len(berlin_ids) == 15
    assert drifted() == []


def test_a_bulk_visit_changed_by_sql_is_named_by_its_bulk_event(world, bulk):
    _, berlin, _, events = bulk
    visit = ScheduledVisit.objects.filter(participant=berlin[1]).order_by("id").first()
    sql("UPDATE visits_scheduledvisit SET target_on = '2031-01-01' WHERE id = %s", [visit.pk])
    (found,) = drifted()
    ids = events[0].changes[drift.BULK_KEY][1]["ids"]  # runs of ids: on PostgreSQL not one run
    assert found == (
        f"record drifted: visits.scheduledvisit #{ids[0][0]}–#{ids[-1][1]} (created in bulk by event "
        f"#{events[0].pk}): their values at creation no longer match the digest the bulk event recorded "
        "(a row was changed outside the application)"
    )


def test_a_bulk_visit_later_recorded_through_the_application_still_matches(world, bulk):
    _, berlin, _, _ = bulk
    visit = ScheduledVisit.objects.filter(participant=berlin[0], definition__code="W2").get()
    visit_services.record_visit(
        scheduled_visit=visit, done_on=visit.target_on, modality="on_site", by=world.admin
    )
    assert drifted() == []
    sql("UPDATE visits_scheduledvisit SET modality = 'home_visit' WHERE id = %s", [visit.pk])
    (found,) = drifted()
    assert found.startswith(f'record drifted: visits.scheduledvisit #{visit.pk}: modality is "home_visit"')


def test_a_bulk_visit_deleted_by_sql_is_named(world, bulk):
    _, _, tokyo, events = bulk
    visit = ScheduledVisit.objects.filter(participant=tokyo).order_by("id").last()
    sql("DELETE FROM visits_scheduledvisit WHERE id = %s", [visit.pk])
    assert drifted() == [
        f"record drifted: visits.scheduledvisit #{visit.pk}: created in bulk by event #{events[1].pk}, "
        "missing without a deletion event"
    ]


# Database integrity -------------------------------------------------------------------------------------


def test_verify_says_which_integrity_check_it_ran(world):
    line = verification.verify(records=False).checked[-1]
    if connection.vendor == "sqlite":
        assert line == "database integrity: ok (PRAGMA integrity_check, PRAGMA foreign_key_check)"
    else:
        assert line.startswith("database integrity: ok (amcheck") and "bt_index_check on" in line


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_a_row_pointing_at_a_missing_parent_fails_the_integrity_check(world):
    # Django's foreign keys are deferred: inside this transaction the orphan stays until the check.
    sql("UPDATE studies_milestone SET study_id = 999999 WHERE id = %s", [world.milestone_a.pk])
    report = integrity.check_database()
    sql("UPDATE studies_milestone SET study_id = %s WHERE id = %s", [world.study_a.pk, world.milestone_a.pk])
    assert report.problems == [
        f"database integrity check failed: studies_milestone row {world.milestone_a.pk} refers to a missing "
        "studies_study row"
    ]


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_without_amcheck_verify_says_it_is_not_available(world):
    with transaction.atomic():
        sql("DROP EXTENSION amcheck")
        line = verification.verify(records=False).checked[-1]
        transaction.set_rollback(True)
    assert line == "database integrity: amcheck not available (the extension is not installed)"
