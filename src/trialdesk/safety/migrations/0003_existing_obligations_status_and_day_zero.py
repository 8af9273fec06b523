"""Existing rows under issue 13's model: obligations get a status of today's kinds and their day 0, versions
the time their information was received, settings lose the UTC default.

- A submitted obligation becomes met when it was submitted by its due time, missed when after (the report
  made late stays recorded with its time); open and not-required ones keep their status.
- Day 0 is the clock's start (what started it under issue 4: the awareness, or the DSUR's data lock point).
- Version 1's information was received when the sponsor (else the site) became aware; a follow-up's when
  its sponsor awareness changed from the version before (issue 4 used that field for it), else when it was
  recorded.
- A sponsor time zone of "UTC" was the old default, not a choice: it becomes unset, so the study shows its
  warning until someone sets the sponsor's country or zone.

Each change is written to the audit trail (action `<model>.migrated`, actor "system"), so `trialdesk audit
verify --records` folds it like any other change.
"""

from django.db import migrations, transaction

REASON = "issue 13: obligation statuses, day 0 and information times (migration safety 0003)"


def _audited_update(model, row, changes: dict, *, study_id, study_site_id=None) -> None:
    from trialdesk.core.audit.trail import plain_value, record

    before = {name: plain_value(getattr(row, name)) for name in changes}
    after = {name: plain_value(value) for name, value in changes.items()}
    if before == after:
        return
    model.objects.filter(pk=row.pk).update(**changes)
    record(
        target=row,
        action=f"{model._meta.model_name}.migrated",
        by=None,
        before=before,
        after=after,
        reason=REASON,
        study_id=study_id,
        study_site_id=study_site_id,
    )


@transaction.atomic
def forwards(apps, schema_editor):
    Obligation = apps.get_model("safety", "ReportingObligation")
    for row in Obligation.objects.all().iterator():
        changes = {"day_zero": row.starts_at}
        if row.status == "submitted":
            late = row.submitted_at is not None and row.submitted_at > row.due_at
            changes["status"] = "missed" if late else "met"
            if late:
                changes["not_required_reason"] = "Reported after its due time."
        _audited_update(Obligation, row, changes, study_id=row.study_id, study_site_id=row.study_site_id)
    Version = apps.get_model("safety", "AdverseEventVersion")
    previous = {}
    for row in Version.objects.order_by("adverse_event_id", "number").iterator():
        before = previous.get(row.adverse_event_id)
        if before is None:
            received = row.sponsor_aware_at or row.site_aware_at
        elif row.sponsor_aware_at and row.sponsor_aware_at != before.sponsor_aware_at:
            received = row.sponsor_aware_at
        else:
            received = row.created_at
        event = row.adverse_event
        _audited_update(
            Version,
            row,
            {"received_at": received},
            study_id=event.study_id,
            study_site_id=event.study_site_id,
        )
        previous[row.adverse_event_id] = row
    Settings = apps.get_model("safety", "StudySafetySettings")
    for row in Settings.objects.filter(sponsor_time_zone="UTC"):
        _audited_update(Settings, row, {"sponsor_time_zone": ""}, study_id=row.study_id)


def backwards(apps, schema_editor):
    Obligation = apps.get_model("safety", "ReportingObligation")
    Obligation.objects.filter(status__in=["met", "missed"], submitted_at__isnull=False).update(
        status="submitted"
    )
    Obligation.objects.filter(status="missed", submitted_at__isnull=True).update(status="open")
    apps.get_model("safety", "StudySafetySettings").objects.filter(sponsor_time_zone="").update(
        sponsor_time_zone="UTC"
    )


class Migration(migrations.Migration):
    dependencies = [("safety", "0002_information_versions_and_coverage")]

    operations = [migrations.RunPython(forwards, backwards)]
