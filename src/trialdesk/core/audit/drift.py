"""Record drift: every regulated record compared with the state its audit events add up to.

A row changed, added or removed by SQL leaves the audit trail behind: the check folds each record's
events (`{field: [old, new]}` in order, the last `new` wins), compares the result with the row, and names
every record that differs, has no event, is present after its deletion, or is gone without one.

- Only the record's own events are folded (action `<model_name>.<verb>`); others about it (a download,
  a bulk event on a study site) say nothing about its fields.
- A field no event ever set was None when the last event was written, or did not exist yet: it may be
  None or the field's default, nothing else.
- A record gone without a deletion event is not drift when a parent it cascades from is gone too (the
  parent's own deletion is then checked).
- Records created in bulk without an event each (docs/adr/0004) are listed by the bulk event
  (`bulk_created`: their ids and a digest of their values at creation); their values at creation are
  rebuilt from the row and the `old` side of their later events, and compared with the digest as a group.
"""

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models
from django.db.models import BigIntegerField
from django.db.models.functions import Cast

from trialdesk.core.audit.trail import audited_fields, plain_value
from trialdesk.core.models import AuditEvent, RegulatedRecord

# The key, in a bulk event's changes, of the records it created without an event each.
BULK_KEY = "records_created"


def regulated_models() -> list[type[RegulatedRecord]]:
    """Every installed model inheriting RegulatedRecord, found through the app registry."""
    return [
        model
        for model in apps.get_models()
        if issubclass(model, RegulatedRecord) and model._meta.managed and not model._meta.proxy
    ]


# Bulk creation ---------------------------------------------------------------------------------------


def id_ranges(ids: Iterable[int]) -> list[list[int]]:
    """Sorted ids as [first, last] runs: [1, 2, 3, 7] -> [[1, 3], [7, 7]]."""
    runs: list[list[int]] = []
    for pk in sorted(set(ids)):
        if runs and pk == runs[-1][1] + 1:
            runs[-1][1] = pk
        else:
            runs.append([pk, pk])
    return runs


def row_line(pk: int, values: Iterable) -> bytes:
    """One record's line of a bulk digest: its id and values in the event's field order, as JSON."""
    return (json.dumps([pk, *values], separators=(",", ":"), default=plain_value) + "\n").encode()


def bulk_created(model: type[RegulatedRecord], ids: Iterable[int]) -> dict:
    """What a bulk event records about the rows it created without an event each: the model, the fields
    digested, their ids as runs, and a SHA-256 over their values as stored. Call it in the creating
    transaction."""
    runs = id_ranges(ids)
    digest = hashlib.sha256()
    fields = audited_fields(model)
    wanted = {pk for first, last in runs for pk in range(first, last + 1)}
    if runs:
        rows = (
            model._base_manager.filter(pk__gte=runs[0][0], pk__lte=runs[-1][1])
            .order_by("pk")
            .values_list("pk", *(f.attname for f in fields))
            .iterator(chunk_size=5000)
        )
        for pk, *values in rows:
            if pk in wanted:
                digest.update(row_line(pk, values))
    return {
        "model": model._meta.label_lower,
        "fields": [f.name for f in fields],
        "ids": runs,
        "digest": digest.hexdigest(),
    }


@dataclass
class _BulkGroup:
    event_id: int
    runs: list[list[int]]
    fields: list[str]
    digest: str
    hasher: "hashlib._Hash" = field(default_factory=hashlib.sha256)
    seen: int = 0

    @property
    def size(self) -> int:
        return sum(last - first + 1 for first, last in self.runs)

    def describe(self, label: str) -> str:
        return f"{label} #{self.runs[0][0]}–#{self.runs[-1][1]} (created in bulk by event #{self.event_id})"


def _bulk_groups() -> dict[str, list[_BulkGroup]]:
    groups: dict[str, list[_BulkGroup]] = {}
    events = AuditEvent.objects.filter(changes__has_key=BULK_KEY).order_by("id").values_list("id", "changes")
    for event_id, changes in events:
        created = (changes.get(BULK_KEY) or [None, None])[1]
        if isinstance(created, dict) and created.get("ids"):
            group = _BulkGroup(event_id, created["ids"], created.get("fields", []), created.get("digest", ""))
            groups.setdefault(created.get("model", ""), []).append(group)
    return groups


class _Coverage:
    """Which bulk group a row belongs to, for rows read in id order."""

    def __init__(self, groups: list[_BulkGroup]):
        self.spans = sorted(((first, last, g) for g in groups for first, last in g.runs), key=lambda s: s[0])
        self.at = 0

    def group_of(self, pk: int) -> _BulkGroup | None:
        while self.at < len(self.spans) and self.spans[self.at][1] < pk:
            self.at += 1
        if self.at < len(self.spans) and self.spans[self.at][0] <= pk:
            return self.spans[self.at][2]
        return None


# Folding events ----------------------------------------------------------------------------------------


@dataclass
class _Fold:
    values: dict = field(default_factory=dict)
    first_old: dict = field(default_factory=dict)
    last_event_id: int = 0
    deleted_by: int | None = None


def _folds(model: type[RegulatedRecord]) -> Iterator[tuple[int, _Fold]]:
    """(record id, folded state) for each record with events of its own, in id order."""
    own = model._meta.model_name + "."
    events = (
        AuditEvent.objects.filter(object_type=model._meta.label_lower)
        .annotate(record_id=Cast("object_id", BigIntegerField()))
        .order_by("record_id", "id")
        .values_list("record_id", "id", "action", "changes")
        .iterator(chunk_size=5000)
    )
    current_id, fold = None, None
    for record_id, event_id, action, changes in events:
        if not action.startswith(own):
            continue
        if record_id != current_id:
            if fold is not None:
                yield current_id, fold
            current_id, fold = record_id, _Fold()
        fold.last_event_id = event_id
        if action.endswith(".deleted"):
            fold.deleted_by = event_id
            continue
        fold.deleted_by = None
        for name, pair in (changes or {}).items():
            if isinstance(pair, list) and len(pair) == 2:
                fold.first_old.setdefault(name, pair[0])
                fold.values[name] = pair[1]
    if fold is not None:
        yield current_id, fold


# Comparing -------------------------------------------------------------------------------------------------


def _same(model_field: models.Field, expected, current) -> bool:
    if expected == current:
        return True
    try:  # "1.5" and "1.50", or one instant written in two time zones
        return model_field.to_python(expected) == model_field.to_python(current)
    except Exception:  # noqa: BLE001 - a value the field cannot read is simply not the same
        return False


def _is_default(model_field: models.Field, current) -> bool:
    return model_field.has_default() and _same(model_field, plain_value(model_field.get_default()), current)


def _shown(value) -> str:
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."


@dataclass
class DriftReport:
    records_checked: int = 0
    models_checked: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def check_records() -> DriftReport:
    """Compare every regulated record with its audit events (see the module's docstring)."""
    report = DriftReport()
    bulk = _bulk_groups()
    for model in sorted(regulated_models(), key=lambda m: m._meta.label_lower):
        _ModelCheck(model, bulk.get(model._meta.label_lower, []), report).run()
        report.models_checked += 1
    return report


class _ModelCheck:
    def __init__(self, model: type[RegulatedRecord], groups: list[_BulkGroup], report: DriftReport):
        self.model, self.groups, self.report = model, groups, report
        self.label = model._meta.label_lower
        self.fields = audited_fields(model)
        self.coverage = _Coverage(groups)
        self.gone: list[tuple[int, _Fold]] = []  # events, no row, no deletion event
        self.deleted: set[int] = set()  # records whose last own event deleted them

    def problem(self, pk: int, text: str) -> None:
        self.report.problems.append(f"record drifted: {self.label} #{pk}: {text}")

    def run(self) -> None:
        rows = (
            self.model._base_manager.order_by("pk")
            .values_list("pk", *(f.attname for f in self.fields))
            .iterator(chunk_size=5000)
        )
        folds = _folds(self.model)
        next_fold = next(folds, None)
        for pk, *values in rows:
            self.report.records_checked += 1
            while next_fold is not None and next_fold[0] < pk:
                self._without_row(*next_fold)
                next_fold = next(folds, None)
            fold = None
            if next_fold is not None and next_fold[0] == pk:
                fold = next_fold[1]
                next_fold = next(folds, None)
            self._compare(pk, [plain_value(v) for v in values], fold)
        while next_fold is not None:
            self._without_row(*next_fold)
            next_fold = next(folds, None)
        self._finish_bulk()
        self._report_gone()

    def _without_row(self, pk: int, fold: _Fold) -> None:
        if fold.deleted_by is not None:
            self.deleted.add(pk)
        else:
            self.gone.append((pk, fold))

    def _compare(self, pk: int, current: list, fold: _Fold | None) -> None:
        group = self.coverage.group_of(pk)
        if group is not None:
            self._add_to_bulk(group, pk, current, fold)
        if fold is None:
            if group is None:
                self.problem(pk, "no audit event (written outside the application)")
            return
        if fold.deleted_by is not None:
            self.problem(pk, f"deleted by audit event #{fold.deleted_by}, yet present in the database")
            return
        differences = []
        for model_field, value in zip(self.fields, current, strict=True):
            name = model_field.name
            if name in fold.values:
                if not _same(model_field, fold.values[name], value):
                    differences.append(
                        f"{name} is {_shown(value)}, the audit trail says {_shown(fold.values[name])}"
                    )
            elif group is None and value is not None and not _is_default(model_field, value):
                differences.append(f"{name} is {_shown(value)}, the audit trail never set it")
        if differences:
            self.problem(pk, "; ".join(differences) + f" (last event #{fold.last_event_id})")

    def _add_to_bulk(self, group: _BulkGroup, pk: int, current: list, fold: _Fold | None) -> None:
        """Add the record's values at creation (today's, or the `old` side of its first later event that
        changed them) to its group's digest, in the fields the bulk event named."""
        state = {f.name: value for f, value in zip(self.fields, current, strict=True)}
        if fold is not None:
            state.update(fold.first_old)
        group.hasher.update(row_line(pk, (state.get(name) for name in group.fields)))
        group.seen += 1

    def _finish_bulk(self) -> None:
        for group in self.groups:
            if group.seen < group.size:
                self._bulk_rows_missing(group)
            elif missing := sorted(set(group.fields) - {f.name for f in self.fields}):
                self.report.notes.append(
                    f"{group.describe(self.label)}: not compared, the field(s) {', '.join(missing)} are gone"
                )
            elif group.hasher.hexdigest() != group.digest:
                self.report.problems.append(
                    f"record drifted: {group.describe(self.label)}: their values at creation no longer "
                    "match the digest the bulk event recorded (a row was changed outside the application)"
                )

    def _bulk_rows_missing(self, group: _BulkGroup) -> None:
        present = set()
        for first, last in group.runs:
            present.update(
                self.model._base_manager.filter(pk__gte=first, pk__lte=last).values_list("pk", flat=True)
            )
        absent = [pk for first, last in group.runs for pk in range(first, last + 1) if pk not in present]
        unexplained = [pk for pk in absent if pk not in self.deleted]
        for pk in unexplained:
            self.problem(pk, f"created in bulk by event #{group.event_id}, missing without a deletion event")
        if not unexplained:
            self.report.notes.append(
                f"{group.describe(self.label)}: {len(absent)} were deleted since; "
                "the others' values at creation were not compared"
            )

    def _report_gone(self) -> None:
        if not self.gone:
            return
        cascading = [
            f
            for f in self.model._meta.concrete_fields
            if f.is_relation and f.remote_field.on_delete is models.CASCADE
        ]
        for pk, fold in self.gone:
            if not _parent_gone(cascading, fold):
                self.problem(
                    pk,
                    f"missing from the database, but its audit trail has no deletion "
                    f"(last event #{fold.last_event_id})",
                )


def _parent_gone(cascading: list[models.Field], fold: _Fold) -> bool:
    """Whether a parent this record is deleted with (on_delete=CASCADE) is gone too."""
    for model_field in cascading:
        parent_id = fold.values.get(model_field.name)
        if parent_id is not None:
            parent = model_field.related_model._base_manager.filter(pk=parent_id)
            if not parent.exists():
                return True
    return False
