"""The audit trail: written with every change, append-only, and its tampering detected."""

import pytest
from django.db import DatabaseError, connection, transaction

from trialdesk.core import audit
from trialdesk.core.models import AuditEvent
from trialdesk.core.records import StaleVersion
from trialdesk.studies import services


def test_update_records_old_and_new_value_with_reason(world):
    services.update_study(
        study=world.study_a, changes={"title": "New title"}, by=world.crm, reason="Sponsor renamed the study"
    )
    event = AuditEvent.objects.order_by("-id").first()
    assert event.action == "study.updated"
    assert event.actor_username == "crm_anna"
    assert event.changes == {"title": ["Study ONC-A", "New title"]}
    assert event.reason == "Sponsor renamed the study"
    assert event.study_id == world.study_a.pk


def test_update_without_reason_is_refused_and_changes_nothing(world):
    from django.core.exceptions import ValidationError

    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        services.update_study(study=world.study_a, changes={"title": "X"}, by=world.crm, reason=" ")
    assert "reason" in error.value.message_dict
    world.study_a.refresh_from_db()
    assert world.study_a.title == "Study ONC-A"
    assert AuditEvent.objects.count() == before


def test_stale_version_is_refused_and_changes_nothing(world):
    services.update_study(
        study=world.study_a, changes={"title": "First"}, by=world.crm, reason="r", expected_version=1
    )
    with pytest.raises(StaleVersion):
        services.update_study(
            study=world.study_a, changes={"title": "Second"}, by=world.crm, reason="r", expected_version=1
        )
    world.study_a.refresh_from_db()
    assert world.study_a.title == "First"


@pytest.mark.parametrize(
    "statement", ["UPDATE core_auditevent SET reason = 'x'", "DELETE FROM core_auditevent"]
)
def test_database_refuses_changes_to_audit_rows(world, statement):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)


def _bypass_append_only_trigger(cursor):
    if connection.vendor == "postgresql":
        cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only")
    else:
        cursor.execute("DROP TRIGGER core_auditevent_no_update")


def test_verify_finds_a_value_altered_with_raw_sql(world):
    assert audit.verify_chain().intact
    target = AuditEvent.objects.filter(action="study.created").first()
    with connection.cursor() as cursor:
        _bypass_append_only_trigger(cursor)
        cursor.execute("UPDATE core_auditevent SET reason = 'nothing to see' WHERE id = %s", [target.pk])
    report = audit.verify_chain()
    assert not report.intact
    assert report.first_break.event_id == target.pk
    assert "content" in report.first_break.problem


def test_verify_finds_a_deleted_event(world):
    victim = AuditEvent.objects.order_by("id")[3]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only")
        else:
            cursor.execute("DROP TRIGGER core_auditevent_no_delete")
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [victim.pk])
    report = audit.verify_chain()
    assert not report.intact
    assert "link" in report.first_break.problem
