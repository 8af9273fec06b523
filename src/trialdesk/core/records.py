"""The one write path for regulated records: validate, check the version, save and audit together."""

from django.core.exceptions import ValidationError
from django.db import transaction

from trialdesk.core import audit
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
    return reason


def only_fields(values: dict, allowed: tuple[str, ...]) -> dict:
    """`values` unchanged when every key is a field the caller may set; else a ValidationError per key."""
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise ValidationError({name: "This field cannot be set here." for name in unknown})
    return values


def _event_name(instance: RegulatedRecord, verb: str) -> str:
    return f"{instance._meta.model_name}.{verb}"


@transaction.atomic
def create_record(instance: RegulatedRecord, *, by: User | None, reason: str = "") -> RegulatedRecord:
    instance.full_clean()
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
    current.full_clean()
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
