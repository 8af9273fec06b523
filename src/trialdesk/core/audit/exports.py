"""Reading the audit trail out: one study's events, as documents (JSON) and as rows (CSV)."""

from collections.abc import Iterable, Iterator

from django.db import models

from trialdesk.core.audit.trail import plain_value
from trialdesk.core.models import AuditEvent
from trialdesk.interop import tabular


def study_trail(study_id: int) -> models.QuerySet[AuditEvent]:
    """The audit events of one study and everything recorded under it, oldest first."""
    return AuditEvent.objects.filter(study_id=study_id).order_by("id")


def event_document(event: AuditEvent) -> dict:
    """Everything an event holds, hashes included, so a reader of an export can re-check the chain."""
    return {
        "id": event.pk,
        "occurred_at": plain_value(event.occurred_at),
        "actor_id": event.actor_id,
        "actor_username": event.actor_username,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "study_id": event.study_id,
        "study_site_id": event.study_site_id,
        "changes": event.changes,
        "reason": event.reason,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
        "key_id": event.key_id,
    }


EXPORT_COLUMNS = (
    "id",
    "occurred_at",
    "actor_username",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "field",
    "old_value",
    "new_value",
    "reason",
    "hash",
)


def export_rows(events: Iterable[AuditEvent]) -> Iterator[dict]:
    """One human-readable row per changed field (an event with no field changes gives one row)."""
    for event in events:
        base = {
            "id": event.pk,
            "occurred_at": plain_value(event.occurred_at),
            "actor_username": event.actor_username,
            "action": event.action,
            "object_type": event.object_type,
            "object_id": event.object_id,
            "object_repr": event.object_repr,
            "reason": event.reason,
            "hash": event.hash,
        }
        changes = event.changes or {}
        if not changes:
            yield {**base, "field": "", "old_value": "", "new_value": ""}
        for field, (old, new) in changes.items():
            yield {**base, "field": field, "old_value": _cell(old), "new_value": _cell(new)}


def _cell(value) -> str:
    return "" if value is None else str(value)


def write_csv(handle, events: Iterable[AuditEvent]) -> int:
    """The events as CSV (export_rows, under the EXPORT_COLUMNS header) to the text `handle`, through the
    shared writer's formula guard: a reason or value typed as "=..." stays text in a spreadsheet.
    Returns how many rows (one per changed field)."""
    return tabular.write_csv_to(handle, tabular.columns_named(*EXPORT_COLUMNS), export_rows(events))
