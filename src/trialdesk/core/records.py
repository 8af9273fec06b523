"""The one write path for regulated records: validate, check the version, save and audit together."""

from django.core.exceptions import ValidationError
from django.db import models, transaction

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
