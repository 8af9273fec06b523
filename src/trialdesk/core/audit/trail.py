"""Appending to the keyed, hash-chained audit trail and walking the chain (21 CFR Part 11 style).

Each event's `hash` is HMAC-SHA-256, under the signing key named in its `key_id`, of the previous event's
hash and the event's canonical JSON; rewriting the trail therefore needs the key, which is kept outside
the database (core.audit.keys). Events written before keys existed have an empty `key_id` and a plain
SHA-256 `hash`; they still verify, but only as a prefix of the chain (docs/adr/0001).
"""

import datetime as dt
import decimal
import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection, models, transaction
from django.utils import timezone

from trialdesk.core.audit import keys
from trialdesk.core.models import AuditEvent, User

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


def audited_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields whose values an event records: every concrete field but the key and the bookkeeping."""
    return [f for f in model._meta.concrete_fields if not f.primary_key and f.name not in UNAUDITED_FIELDS]


def snapshot(instance: models.Model) -> dict:
    """The audited field values of a record, keyed by field name (foreign keys by id)."""
    return {f.name: plain_value(getattr(instance, f.attname)) for f in audited_fields(type(instance))}


def diff(before: dict | None, after: dict | None) -> dict:
    """Changed fields as {field: [old, new]}; a create has old None, a delete new None."""
    before, after = before or {}, after or {}
    return {
        name: [before.get(name), after.get(name)]
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }


def as_stored(value):
    """`value` as the database gives it back from a JSON column (tuples become lists, dates text)."""
    return json.loads(json.dumps(value, default=plain_value))


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
    """The unkeyed hash of events written before audit keys existed (key_id empty)."""
    return hashlib.sha256((prev_hash + content).encode("utf-8")).hexdigest()


def event_hash(ring: keys.KeyRing, key_id: str, prev_hash: str, content: str) -> str:
    """The hash an event with `key_id` must carry: HMAC-SHA-256 under that key, or plain SHA-256 for ''."""
    if not key_id:
        return chain_hash(prev_hash, content)
    return ring.mac(key_id, prev_hash + content)


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
    ring = keys.keyring(create=True)
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
        # Round-trip through JSON so the hash covers exactly what the database will give back.
        changes=as_stored(diff(before, after)),
        reason=reason,
        prev_hash=last or GENESIS_HASH,
        key_id=ring.signing_key_id,
    )
    event.hash = event_hash(ring, event.key_id, event.prev_hash, canonical_content(event))
    event.save(force_insert=True)
    return event


@dataclass(frozen=True)
class Change:
    """One change for `record_many`: what `record` takes, less the actor."""

    target: models.Model
    action: str
    before: dict | None
    after: dict | None
    reason: str = ""
    study_id: int | None = None
    study_site_id: int | None = None


def record_many(changes: list[Change], *, by: User | None) -> list[AuditEvent]:
    """Append one audit event per change, in order, as `record` does each: the chain is locked once, its
    links computed in memory and the events inserted together. Must run inside the changes' transaction."""
    if not changes:
        return []
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record_many must be called inside the transaction that makes the changes")
    ring = keys.keyring(create=True)
    _lock_chain()
    prev_hash = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS_HASH
    occurred_at = timezone.now()
    username = by.username if by else "system"
    events = []
    for change in changes:
        event = AuditEvent(
            occurred_at=occurred_at,
            actor=by,
            actor_username=username,
            action=change.action,
            object_type=change.target._meta.label_lower,
            object_id=str(change.target.pk),
            object_repr=str(change.target)[:255],
            study_id=change.study_id,
            study_site_id=change.study_site_id,
            changes=as_stored(diff(change.before, change.after)),
            reason=change.reason,
            prev_hash=prev_hash,
            key_id=ring.signing_key_id,
        )
        event.hash = prev_hash = event_hash(ring, event.key_id, event.prev_hash, canonical_content(event))
        events.append(event)
    AuditEvent.objects.bulk_create(events)
    ids = [event.pk for event in events]
    # The chain is walked in id order: the ids must follow the order the links were computed in.
    if None not in ids and ids != sorted(ids):
        raise RuntimeError("audit events were given ids out of their chain order; nothing was written")
    return events


@dataclass(frozen=True)
class ChainBreak:
    event_id: int
    problem: str


@dataclass(frozen=True)
class UnknownKeyUse:
    """Events signed with a key that is not configured here: their content cannot be checked."""

    key_id: str
    first_event_id: int
    last_event_id: int
    events: int


@dataclass(frozen=True)
class ChainReport:
    events_checked: int
    first_break: ChainBreak | None
    keyed: int = 0
    unkeyed: int = 0
    unknown_keys: tuple[UnknownKeyUse, ...] = ()
    head_id: int | None = None
    head_hash: str = GENESIS_HASH

    @property
    def intact(self) -> bool:
        return self.first_break is None and not self.unknown_keys


@dataclass
class _Walk:
    expected_prev: str = GENESIS_HASH
    count: int = 0
    keyed: int = 0
    head_id: int | None = None
    unknown: dict[str, list[int]] = field(default_factory=dict)  # key id -> [first, last, count]

    def report(self, first_break: ChainBreak | None = None) -> ChainReport:
        unknown = tuple(UnknownKeyUse(k, first, last, n) for k, (first, last, n) in self.unknown.items())
        return ChainReport(
            self.count,
            first_break,
            self.keyed,
            self.count - self.keyed,
            unknown,
            self.head_id,
            self.expected_prev,
        )


class _StoredEvent:
    """An event as read for verification: the fields only, without a model instance (a third faster)."""

    FIELDS = (
        "id", "occurred_at", "actor_id", "actor_username", "action", "object_type", "object_id",
        "object_repr", "study_id", "study_site_id", "changes", "reason", "prev_hash", "hash", "key_id",
    )  # fmt: skip
    __slots__ = FIELDS

    def __init__(self, row: tuple):
        for name, value in zip(self.FIELDS, row, strict=True):
            setattr(self, name, value)

    @property
    def pk(self) -> int:
        return self.id


def stored_events() -> Iterable[_StoredEvent]:
    rows = AuditEvent.objects.order_by("id").values_list(*_StoredEvent.FIELDS).iterator(chunk_size=5000)
    return map(_StoredEvent, rows)


def verify_chain(events: Iterable[AuditEvent] | None = None, ring: keys.KeyRing | None = None) -> ChainReport:
    """Walk the chain in order; report the first event whose content or link does not match.

    Unkeyed events are accepted only before the first keyed one: an unkeyed event after it is a break
    (someone wrote or rewrote it without the key). Events under a key not configured here are counted
    per key id, and the walk goes on along their links.
    """
    events = events if events is not None else stored_events()
    ring = ring or keys.keyring()
    walk = _Walk()
    for event in events:
        walk.count += 1
        if event.prev_hash != walk.expected_prev:
            return walk.report(ChainBreak(event.pk, "link to the previous event does not match"))
        if event.key_id:
            walk.keyed += 1
        elif walk.keyed:
            return walk.report(
                ChainBreak(event.pk, "unkeyed event after keyed events (written without the key)")
            )
        try:
            expected = event_hash(ring, event.key_id, event.prev_hash, canonical_content(event))
        except keys.UnknownKey:
            first, _, n = walk.unknown.get(event.key_id, [event.pk, event.pk, 0])
            walk.unknown[event.key_id] = [first, event.pk, n + 1]
            expected = event.hash
        if expected != event.hash:
            return walk.report(ChainBreak(event.pk, "content does not match its hash"))
        walk.expected_prev = event.hash
        walk.head_id = event.pk
    return walk.report()
