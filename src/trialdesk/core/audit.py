"""Writing and verifying the hash-chained audit trail (21 CFR Part 11 style)."""

import datetime as dt
import decimal
import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import connection, models, transaction
from django.utils import timezone

from trialdesk.core.models import AuditEvent, User
from trialdesk.interop import tabular

GENESIS_HASH = "0" * 64
# Bookkeeping fields that change on every save and say nothing about the record itself.
UNAUDITED_FIELDS = frozenset({"version", "created_at", "updated_at"})
# Arbitrary constant key for the PostgreSQL advisory lock that serialises appends to the chain.
_CHAIN_LOCK_KEY = 7_311_042


def plain_value(value):
    """A JSON-safe form of a field value, stable across databases."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(instance: models.Model) -> dict:
    """The audited field values of a record, keyed by field name (foreign keys by id)."""
    values = {}
    for field in instance._meta.concrete_fields:
        if field.primary_key or field.name in UNAUDITED_FIELDS:
            continue
        values[field.name] = plain_value(getattr(instance, field.attname))
    return values


def diff(before: dict | None, after: dict | None) -> dict:
    """Changed fields as {field: [old, new]}; a create has old None, a delete new None."""
    before, after = before or {}, after or {}
    return {
        name: [before.get(name), after.get(name)]
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }


def canonical_content(event: AuditEvent) -> str:
    """The canonical JSON of everything an event asserts, the input to its hash."""
    content = {
        "occurred_at": plain_value(event.occurred_at),
        "actor_id": event.actor_id,
        "actor_username": event.actor_username,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": str(event.object_id),
        "object_repr": event.object_repr,
        "study_id": event.study_id,
        "study_site_id": event.study_site_id,
        "changes": event.changes,
        "reason": event.reason,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(prev_hash: str, content: str) -> str:
    return hashlib.sha256((prev_hash + content).encode("utf-8")).hexdigest()


def _lock_chain() -> None:
    # SQLite runs writes in IMMEDIATE transactions, which already serialise writers.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])


def record(
    *,
    target: models.Model,
    action: str,
    by: User | None,
    before: dict | None,
    after: dict | None,
    reason: str = "",
    study_id: int | None = None,
    study_site_id: int | None = None,
) -> AuditEvent:
    """Append one audit event for a change to `target`; must run inside the change's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must be called inside the transaction that makes the change")
    _lock_chain()
    last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    event = AuditEvent(
        occurred_at=timezone.now(),
        actor=by,
        actor_username=by.username if by else "system",
        action=action,
        object_type=target._meta.label_lower,
        object_id=str(target.pk),
        object_repr=str(target)[:255],
        study_id=study_id,
        study_site_id=study_site_id,
        changes=diff(before, after),
        reason=reason,
        prev_hash=last or GENESIS_HASH,
    )
    # Round-trip through JSON so the hash covers exactly what the database will give back.
    event.changes = json.loads(json.dumps(event.changes, default=plain_value))
    event.hash = chain_hash(event.prev_hash, canonical_content(event))
    event.save(force_insert=True)
    return event


@dataclass(frozen=True)
class ChainBreak:
    event_id: int
    problem: str


@dataclass(frozen=True)
class ChainReport:
    events_checked: int
    first_break: ChainBreak | None

    @property
    def intact(self) -> bool:
        return self.first_break is None


def verify_chain(events: Iterable[AuditEvent] | None = None) -> ChainReport:
    """Walk the chain in order; report the first event whose content or link does not match."""
    events = events if events is not None else AuditEvent.objects.order_by("id").iterator(chunk_size=2000)
    expected_prev = GENESIS_HASH
    count = 0
    for event in events:
        count += 1
        if event.prev_hash != expected_prev:
            return ChainReport(count, ChainBreak(event.pk, "link to the previous event does not match"))
        if chain_hash(event.prev_hash, canonical_content(event)) != event.hash:
            return ChainReport(count, ChainBreak(event.pk, "content does not match its hash"))
        expected_prev = event.hash
    return ChainReport(count, None)


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
