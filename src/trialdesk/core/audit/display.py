"""Audit events as a reader reads them: the action in words, each changed field by its label, values by
their display names (choices, related records, Yes/No, dates), the time with its zone.

Only for showing: the stored events, the exports and verification keep the raw codes, which are data.
Masks (core.extensions.mask_audit_events) must run first; a masked value ("blinded", "not shown") is
shown as it is. Model metadata is read through the app registry from each event's `object_type`, so
this module imports no app. Related records are named in bulk: one query per related model on the page
(for subject-level models, whose names only their readers see, with whether the reader sees each).
"""

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils.text import capfirst

from trialdesk.core import extensions
from trialdesk.core.audit.drift import BULK_KEY
from trialdesk.core.models import AuditEvent

EMPTY = "—"
ZONE = "UTC"


@dataclass(frozen=True)
class ChangeRow:
    """One changed field: its label, and its old and new values as words."""

    label: str
    old: str
    new: str


@dataclass(frozen=True)
class EventRow:
    """One audit event as the History tab shows it."""

    event: AuditEvent
    action: str
    record_type: str
    when: str
    changes: list[ChangeRow]


def model_for(object_type: str) -> type[models.Model] | None:
    """The model an event's `object_type` ("studies.milestone") names, or None when none is installed."""
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def record_type_label(object_type: str) -> str:
    """How the trail names a kind of record: its audit label, else its model's verbose name."""
    label = extensions.audit_label(object_type)
    if label != object_type:
        return label
    model = model_for(object_type)
    if model is not None:
        return capfirst(model._meta.verbose_name)
    return capfirst(object_type.rsplit(".", 1)[-1].replace("_", " "))


def action_label(event: AuditEvent) -> str:
    """The event's action in words: "Milestone updated", "Protocol version: status changed"."""
    verb = event.action.split(".", 1)[1] if "." in event.action else event.action
    words = verb.replace("_", " ").strip()
    noun = record_type_label(event.object_type)
    return f"{noun}: {words}" if " " in words else f"{noun} {words}"


def time_label(moment: dt.datetime) -> str:
    """A moment in UTC with its zone named: "2026-12-07 14:03 UTC"."""
    return f"{moment.astimezone(dt.UTC):%Y-%m-%d %H:%M} {ZONE}"


def _field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _is_foreign_key(field: models.Field | None) -> bool:
    return bool(field is not None and field.is_relation and field.concrete and field.related_model)


def _as_id(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


class RelatedNames:
    """The names of the related records an events page mentions, read in bulk per related model."""

    def __init__(self, events: list[AuditEvent], user):
        wanted: dict[type[models.Model], set[int]] = {}
        for event in events:
            model = model_for(event.object_type)
            for name, values in _pairs(event):
                field = _field(model, name)
                if _is_foreign_key(field):
                    ids = {_as_id(value) for value in values} - {None}
                    wanted.setdefault(field.related_model, set()).update(ids)
        subject_level = extensions.subject_level_types()
        self.names: dict[type[models.Model], dict[int, str]] = {}
        self.hidden: dict[type[models.Model], set[int]] = {}
        for related, ids in wanted.items():
            if not ids:
                continue
            found = related._base_manager.select_related().filter(pk__in=ids)
            visible_to = getattr(related._default_manager.all(), "visible_to", None)
            if related._meta.label_lower in subject_level and visible_to is not None:
                # Still one query: whether the reader may see each record, beside its name.
                readable = visible_to(user).filter(pk=OuterRef("pk"))
                found = found.annotate(readable_by_reader=Exists(readable))
            self.names[related] = {obj.pk: str(obj) for obj in found}
            self.hidden[related] = {obj.pk for obj in found if not getattr(obj, "readable_by_reader", True)}

    def name(self, related: type[models.Model], pk: int) -> str:
        """The record's name; "#id" where the reader may not see it; "#id (deleted)" where it is gone."""
        if pk in self.hidden.get(related, ()):
            return f"#{pk}"
        found = self.names.get(related, {}).get(pk)
        return found if found is not None else f"#{pk} (deleted)"


def _pairs(event: AuditEvent) -> list[tuple[str, list]]:
    changes = event.changes if isinstance(event.changes, dict) else {}
    return [
        (name, list(values) if isinstance(values, list | tuple) else [None, values])
        for name, values in changes.items()
    ]


def _is_empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def value_label(field: models.Field | None, value, related: RelatedNames) -> str:
    """A stored value in words: choices by label, related records by name, Yes/No, YYYY-MM-DD, "—"."""
    if _is_empty(value):
        return EMPTY
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if _is_foreign_key(field):
        pk = _as_id(value)
        return related.name(field.related_model, pk) if pk is not None else str(value)
    if field is not None and field.choices:
        labels = dict(field.flatchoices)
        if not isinstance(value, list | dict) and value in labels:
            return str(labels[value])
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        try:
            return time_label(dt.datetime.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(field, models.DateField) and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10]).isoformat()
        except ValueError:
            return value
    if isinstance(value, list):
        return ", ".join(EMPTY if _is_empty(item) else str(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def field_label(field: models.Field | None, name: str) -> str:
    """A changed field by its verbose name ("Forecast date"), else the key in words."""
    if field is not None and getattr(field, "verbose_name", None):
        return capfirst(str(field.verbose_name))
    return capfirst(name.replace("_", " "))


def _change_rows(event: AuditEvent, related: RelatedNames) -> list[ChangeRow]:
    model = model_for(event.object_type)
    rows = []
    for name, values in _pairs(event):
        old, new = (values + [None, None])[:2]
        if _is_empty(old) and _is_empty(new):
            continue
        if name == BULK_KEY and isinstance(new, dict):
            count = len(new.get("ids") or [])
            rows.append(ChangeRow("Records created", EMPTY, f"{count} {new.get('model', '')}".strip()))
            continue
        field = _field(model, name)
        rows.append(
            ChangeRow(
                field_label(field, name), value_label(field, old, related), value_label(field, new, related)
            )
        )
    return rows


def readable_events(events: Iterable[AuditEvent], user) -> list[EventRow]:
    """The (already masked) events as rows a CRM reads, related records named in bulk for the page."""
    events = list(events)
    related = RelatedNames(events, user)
    return [
        EventRow(
            event=event,
            action=action_label(event),
            record_type=record_type_label(event.object_type),
            when=time_label(event.occurred_at),
            changes=_change_rows(event, related),
        )
        for event in events
    ]
