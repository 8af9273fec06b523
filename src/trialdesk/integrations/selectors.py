"""Reads for integrations; every one starts from what the user may see."""

from django.db.models import QuerySet
from django.utils import timezone

from trialdesk.core.models import User
from trialdesk.integrations import registry
from trialdesk.integrations.models import RegistryRecord


def registry_records_for(user: User) -> QuerySet[RegistryRecord]:
    return RegistryRecord.objects.visible_to(user).select_related("study", "snapshot")


def registry_deadlines(user: User) -> list[dict]:
    """Registry obligations (FDAAA 801, EU CTR) of the studies in the user's scope, earliest due first.

    Each: study_id, study_code, recipient, rule, description, due_on, status ("open"|"done"|"late"),
    days_late (how many days past due, for a late item or one met late; else None).
    """
    today = timezone.now().date()
    records = list(registry_records_for(user))
    evidence = registry.evidence_for([record.study_id for record in records])
    rows = []
    for record in records:
        rows.extend(registry.deadline_rows(record.study, record, evidence[record.study_id], today))
    return sorted(rows, key=lambda row: (row["due_on"], row["study_code"]))
