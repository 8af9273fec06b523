"""The one write path for regulated records: validate, check the version, save and audit together."""

import functools

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection, models, transaction

from trialdesk.core import audit, extensions, strict_input
from trialdesk.core.models import RegulatedRecord, User


class StaleVersion(Exception):
    """The record changed since the caller read it; nothing was saved."""

    def __init__(self, *, current: int, given: int):
        super().__init__(
            f"This record was changed by someone else (now version {current}, you sent version {given}). "
            "Reload it and apply your change again."
        )
        self.current = current
        self.given = given


def require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "A reason for change is required."})
    return checked_reason(reason)


def checked_reason(reason: str) -> str:
    """A reason as given, refused (naming `reason`) when it cannot be kept on the audit trail."""
    problem = strict_input.text_problem(reason or "")
    if problem:
        raise ValidationError({"reason": problem})
    return reason or ""


def only_fields(values: dict, allowed: tuple[str, ...]) -> dict:
    """`values` unchanged when every key is a field the caller may set; else a ValidationError per key."""
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise ValidationError({name: "This field cannot be set here." for name in unknown})
    return values


def text_problems(instance: RegulatedRecord) -> dict[str, str]:
    """Text of `instance` that cannot be stored, by field: a lone surrogate anywhere (text or JSON), or
    free text longer than its field's max_length (TEXT_LIMIT when the model sets none). Checked before
    full_clean, whose uniqueness queries would fail on such text in the database driver."""
    problems = {}
    for field in instance._meta.concrete_fields:
        if isinstance(field, models.TextField):
            limit = field.max_length or strict_input.TEXT_LIMIT
        elif isinstance(field, models.CharField | models.JSONField):
            limit = None  # a CharField's max_length is full_clean's to check, with Django's message
        else:
            continue
        problem = strict_input.text_problem(field.value_from_object(instance), limit=limit)
        if problem:
            problems[field.name] = problem
    return problems


def validate(instance: RegulatedRecord) -> None:
    """The checks every regulated record passes before it is saved: its text, then the model's own."""
    problems = text_problems(instance)
    if problems:
        raise ValidationError(problems)
    instance.full_clean()


def _event_name(instance: RegulatedRecord, verb: str) -> str:
    return f"{instance._meta.model_name}.{verb}"


@transaction.atomic
def create_record(instance: RegulatedRecord, *, by: User | None, reason: str = "") -> RegulatedRecord:
    reason = checked_reason(reason)
    validate(instance)
    instance.save(force_insert=True)
    audit.record(
        target=instance,
        action=_event_name(instance, "created"),
        by=by,
        before=None,
        after=audit.snapshot(instance),
        reason=reason.strip() or "created",
        study_id=instance.audit_study_id(),
        study_site_id=instance.audit_study_site_id(),
    )
    extensions.notify_written(instance)
    return instance


class BatchRefused(ValidationError):
    """Rows of a batch that cannot be created; nothing of the batch was saved.

    `rows` maps each bad row (its index in the batch, from 0) to its error, by field; the error itself
    is the first bad row's, so a caller that reads it as one record's gets that row's fields.
    """

    def __init__(self, rows: dict[int, ValidationError]):
        self.rows = dict(sorted(rows.items()))
        self.row, first = next(iter(self.rows.items()))
        super().__init__(first.error_dict if hasattr(first, "error_dict") else first.error_list)

    def __str__(self) -> str:
        return "; ".join(f"row {row}: {_messages(error)}" for row, error in self.rows.items())


def _messages(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{name}: {' '.join(m)}" for name, m in error.message_dict.items())
    return " ".join(error.messages)


@transaction.atomic
def create_records(
    instances: list[RegulatedRecord], *, by: User | None, reason: str = ""
) -> list[RegulatedRecord]:
    """Create records of one model as create_record creates each, in bulk: every row is validated (its
    text, fields, clean(), constraints), uniqueness and foreign keys once for the batch (within it and
    against the table), then the rows are inserted together and one audit event per record appended to
    the chain under one lock. A bad row refuses the whole batch (BatchRefused names every bad row)."""
    instances = list(instances)
    if not instances:
        return instances
    model = type(instances[0])
    if any(type(instance) is not model for instance in instances):
        raise TypeError("create_records takes records of one model")
    reason = checked_reason(reason)
    problems = _batch_problems(model, instances)
    if problems:
        raise BatchRefused(problems)
    _insert(model, instances)
    action = f"{model._meta.model_name}.created"
    audit.record_many(
        [
            audit.Change(
                target=instance,
                action=action,
                before=None,
                after=audit.snapshot(instance),
                reason=reason.strip() or "created",
                study_id=instance.audit_study_id(),
                study_site_id=instance.audit_study_site_id(),
            )
            for instance in instances
        ],
        by=by,
    )
    extensions.notify_written_many(instances)
    return instances


def _insert(model: type[RegulatedRecord], instances: list[RegulatedRecord]) -> None:
    """One multi-row INSERT (ids returned, SQLite 3.35+ and PostgreSQL); a save per row where the model
    saves in its own way, inherits a table, or the database cannot return the new ids."""
    own_save = any("save" in vars(cls) for cls in model.__mro__[: model.__mro__.index(RegulatedRecord)])
    if own_save or model._meta.parents or not connection.features.can_return_rows_from_bulk_insert:
        for instance in instances:
            instance.save(force_insert=True)
        return
    model._base_manager.bulk_create(instances)


# Validation of a batch ------------------------------------------------------------------------------


def _batch_problems(
    model: type[RegulatedRecord], instances: list[RegulatedRecord]
) -> dict[int, ValidationError]:
    """Each bad row's error, by field: what `validate` checks for one record, with the uniqueness and
    foreign-key queries made once for the batch."""
    unique_sets, others = _unique_sets(model)
    foreign_keys = [
        f for f in model._meta.concrete_fields if f.many_to_one and not f.remote_field.parent_link
    ]
    errors: dict[int, dict[str, list]] = {}
    for row, instance in enumerate(instances):
        found = _row_errors(instance, foreign_keys, others)
        if found:
            errors[row] = found
    for field in foreign_keys:
        _missing_targets(field, instances, errors)
    for unique in unique_sets:
        _duplicates(model, unique, instances, errors)
    return {row: ValidationError(found) for row, found in errors.items()}


def _row_errors(instance: RegulatedRecord, foreign_keys: list, constraints: list) -> dict[str, list]:
    """full_clean for one row, less the queries done for the batch (foreign keys exist, uniqueness)."""
    problems = text_problems(instance)
    if problems:
        return {name: [message] for name, message in problems.items()}
    errors: dict[str, list] = {}
    try:
        instance.clean_fields(exclude={f.name for f in foreign_keys})
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    for field in foreign_keys:
        raw = getattr(instance, field.attname)
        if field.blank and raw in field.empty_values:
            continue
        try:
            value = field.to_python(raw)
            models.Field.validate(field, value, instance)  # null, blank, choices: not the query
            field.run_validators(value)
        except ValidationError as error:
            errors.setdefault(field.name, []).extend(error.error_list)
    try:
        instance.clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    exclude = set(errors) - {NON_FIELD_ERRORS}
    for model_class, constraint in constraints:
        try:
            constraint.validate(model_class, instance, exclude=exclude)
        except ValidationError as error:
            fields = getattr(constraint, "fields", ())
            errors.setdefault(fields[-1] if fields else NON_FIELD_ERRORS, []).extend(error.error_list)
    return errors


@functools.cache
def _unique_sets(model: type[RegulatedRecord]) -> tuple[list[tuple], list[tuple]]:
    """(the uniqueness rules checked for a whole batch as (fields, error key, constraint or None), the
    constraints each row checks itself: conditional or expression ones, checks). Unique fields and
    unique_together as validate_unique has them; plain UniqueConstraints with the error on their last
    field, as RegulatedRecord.validate_constraints puts it."""
    unique_checks, date_checks = model()._get_unique_checks()
    if date_checks:
        raise NotImplementedError(f"{model.__name__}: unique_for_date is not checked in bulk")
    sets = [
        (tuple(fields), fields[0] if len(fields) == 1 else NON_FIELD_ERRORS, None)
        for _, fields in unique_checks
    ]
    others = []
    for model_class, constraints in model().get_constraints():
        for constraint in constraints:
            plain = (
                isinstance(constraint, models.UniqueConstraint)
                and constraint.fields
                and constraint.condition is None
                and constraint.nulls_distinct is not False
                and not any(model._meta.get_field(name).generated for name in constraint.fields)
            )
            if plain:
                sets.append((tuple(constraint.fields), constraint.fields[-1], constraint))
            else:
                others.append((model_class, constraint))
    return sets, others


def _missing_targets(field, instances: list, errors: dict[int, dict[str, list]]) -> None:
    """A foreign key pointing at no row (as ForeignKey.validate says it), checked with one query."""
    values = {}
    for row, instance in enumerate(instances):
        value = getattr(instance, field.attname)
        if value is not None and field.name not in errors.get(row, {}):
            values.setdefault(value, []).append(row)
    if not values:
        return
    target = field.remote_field.field_name
    found = set(
        field.remote_field.model._base_manager.filter(**{f"{target}__in": list(values)})
        .complex_filter(field.get_limit_choices_to())
        .values_list(target, flat=True)
    )
    for value, rows in values.items():
        if value in found:
            continue
        params = {
            "model": field.remote_field.model._meta.verbose_name,
            "pk": value,
            "field": target,
            "value": value,
        }
        for row in rows:
            error = ValidationError(field.error_messages["invalid"], code="invalid", params=params)
            errors.setdefault(row, {}).setdefault(field.name, []).append(error)


def _duplicates(model, unique: tuple, instances: list, errors: dict[int, dict[str, list]]) -> None:
    """Rows repeating a unique value, within the batch or already in the table (one query a chunk)."""
    names, key, constraint = unique
    fields = [model._meta.get_field(name) for name in names]
    rows: dict[tuple, list[int]] = {}
    for row, instance in enumerate(instances):
        if set(names) & set(errors.get(row, {})):
            continue  # as full_clean: a field already wrong is not checked for uniqueness
        value = tuple(getattr(instance, f.attname) for f in fields)
        if None in value:
            continue  # NULL is distinct from NULL
        rows.setdefault(value, []).append(row)
    taken = set()
    if rows:
        # The rows that could clash, found by the field whose values differ most within the batch (the
        # others equal where they have one value): exact matches are picked out here, not in SQL.
        distinct = [{value[i] for value in rows} for i in range(len(fields))]
        same = {f.attname: next(iter(d)) for f, d in zip(fields, distinct, strict=True) if len(d) == 1}
        widest = max(range(len(fields)), key=lambda i: len(distinct[i]))
        values = sorted(distinct[widest], key=repr)
        for start in range(0, len(values), 500):
            candidates = model._default_manager.filter(
                **same, **{f"{fields[widest].attname}__in": values[start : start + 500]}
            ).values_list(*(f.attname for f in fields))
            taken.update(tuple(value) for value in candidates)
    for value, found_rows in rows.items():
        duplicate = found_rows if value in taken else found_rows[1:]
        for row in duplicate:
            message = _unique_message(model, instances[row], names, constraint)
            errors.setdefault(row, {}).setdefault(key, []).append(message)


def _unique_message(model, instance, names: tuple, constraint) -> ValidationError:
    if constraint is None or constraint.violation_error_message == constraint.default_violation_error_message:
        return instance.unique_error_message(model, names)
    return ValidationError(constraint.get_violation_error_message(), code=constraint.violation_error_code)


@transaction.atomic
def update_record(
    instance: RegulatedRecord,
    *,
    changes: dict,
    by: User | None,
    reason: str,
    expected_version: int | None = None,
    action: str = "updated",
) -> RegulatedRecord:
    """Apply `changes` to a fresh, locked copy of `instance`; refuse a stale `expected_version`."""
    reason = require_reason(reason)
    current = type(instance).objects.select_for_update().get(pk=instance.pk)
    if expected_version is not None and current.version != expected_version:
        raise StaleVersion(current=current.version, given=expected_version)
    before = audit.snapshot(current)
    for name, value in changes.items():
        setattr(current, name, value)
    validate(current)
    after = audit.snapshot(current)
    if before == after:
        return current
    current.version += 1
    current.save()
    audit.record(
        target=current,
        action=_event_name(current, action),
        by=by,
        before=before,
        after=after,
        reason=reason,
        study_id=current.audit_study_id(),
        study_site_id=current.audit_study_site_id(),
    )
    extensions.notify_written(current)
    return current


@transaction.atomic
def delete_record(
    instance: RegulatedRecord, *, by: User | None, reason: str, expected_version: int | None = None
) -> None:
    reason = require_reason(reason)
    current = type(instance).objects.select_for_update().get(pk=instance.pk)
    if expected_version is not None and current.version != expected_version:
        raise StaleVersion(current=current.version, given=expected_version)
    before = audit.snapshot(current)
    audit.record(
        target=current,
        action=_event_name(current, "deleted"),
        by=by,
        before=before,
        after=None,
        reason=reason,
        study_id=current.audit_study_id(),
        study_site_id=current.audit_study_site_id(),
    )
    current.delete()
    extensions.notify_written(current)
