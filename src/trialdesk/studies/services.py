"""Writes for studies and their setup; each checks permission, validates, saves and audits together."""

import math
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from trialdesk.core import extensions, records
from trialdesk.core.models import User
from trialdesk.core.permissions import can_create_study, can_manage_study, require
from trialdesk.core.roles import Role
from trialdesk.core.services import assign_creator_as_crm
from trialdesk.studies import rules, thresholds
from trialdesk.studies.models import (
    Arm,
    HealthThreshold,
    Milestone,
    Program,
    ProtocolStatus,
    ProtocolVersion,
    Study,
)

STUDY_FIELDS = (
    "program",
    "code",
    "title",
    "acronym",
    "phase",
    "therapeutic_area",
    "sponsor",
    "nct_number",
    "status",
    "planned_enrollment",
    "blinded",
    "description",
    "participant_number_format",
    "allow_over_enrollment",
    "reconsent_window_days",
)
PROTOCOL_FIELDS = ("number", "version_date", "amendment_number", "summary_of_changes")
ARM_FIELDS = ("code", "name", "arm_type", "description", "allocation_ratio")
MILESTONE_FIELDS = ("study_site", "kind", "name", "baseline_on", "forecast_on", "actual_on", "note")


@transaction.atomic
def create_program(*, name: str, description: str = "", by: User) -> Program:
    require(can_create_study(by), "Only administrators and CRMs set up programs.")
    return records.create_record(Program(name=name, description=description), by=by)


@transaction.atomic
def create_study(*, by: User, reason: str = "", **values) -> Study:
    """Set up a new study; its creator (unless an administrator) becomes its CRM."""
    require(can_create_study(by), "Only administrators and CRMs set up studies.")
    study = records.create_record(Study(**records.only_fields(values, STUDY_FIELDS)), by=by, reason=reason)
    if not by.is_superuser and not by.role_assignments.filter(role=Role.ADMINISTRATOR).exists():
        assign_creator_as_crm(study=study, by=by)
    return study


def update_study(*, study: Study, changes: dict, by: User, reason: str, expected_version: int | None = None):
    require(can_manage_study(by, study.pk))
    return records.update_record(
        study,
        changes=records.only_fields(changes, STUDY_FIELDS),
        by=by,
        reason=reason,
        expected_version=expected_version,
    )


def delete_study(*, study: Study, by: User, reason: str, expected_version: int | None = None) -> None:
    """Only a study that never got past planning, with no sites, may be deleted; others are closed."""
    require(can_manage_study(by, study.pk))
    if study.status != "planned" or study.sites.exists():
        raise ValidationError(
            {
                "status": "Only a planned study without sites can be deleted; "
                "change its status to withdrawn or terminated instead."
            }
        )
    records.delete_record(study, by=by, reason=reason, expected_version=expected_version)


def create_protocol_version(*, study: Study, by: User, reason: str = "", **values) -> ProtocolVersion:
    require(can_manage_study(by, study.pk))
    version = ProtocolVersion(study=study, **records.only_fields(values, PROTOCOL_FIELDS))
    return records.create_record(version, by=by, reason=reason)


def _check_protocol_dates(protocol_version: ProtocolVersion, changes: dict) -> None:
    """Refuse `changes` that would leave the version's dates contradicting each other (studies.rules)."""
    dates = {
        name: changes.get(name, getattr(protocol_version, name))
        for name in ("version_date", "submitted_on", "approved_on", "effective_on")
    }
    if not isinstance(dates["version_date"], date):
        return  # a missing or malformed version date is full_clean's to name
    problems = rules.protocol_dates_problems(**dates)
    if problems:
        # A status change names the date it sets `on`; an edit names the field it changed.
        if "status" in changes:
            problems = {("on" if name in changes else name): text for name, text in problems.items()}
        raise ValidationError(problems)


def update_protocol_version(
    *,
    protocol_version: ProtocolVersion,
    changes: dict,
    by: User,
    reason: str,
    expected_version: int | None = None,
) -> ProtocolVersion:
    require(can_manage_study(by, protocol_version.study_id))
    changes = records.only_fields(changes, PROTOCOL_FIELDS)
    _check_protocol_dates(protocol_version, changes)
    return records.update_record(
        protocol_version,
        changes=changes,
        by=by,
        reason=reason,
        expected_version=expected_version,
    )


@transaction.atomic
def change_protocol_status(
    *,
    protocol_version: ProtocolVersion,
    to: str,
    by: User,
    reason: str,
    on=None,
    expected_version: int | None = None,
) -> ProtocolVersion:
    """Move a protocol version along draft → submitted → approved → effective → superseded.

    When a version becomes effective, the version that was effective before it is superseded.
    """
    require(can_manage_study(by, protocol_version.study_id))
    problem = rules.protocol_transition_problem(protocol_version.status, to)
    if problem:
        raise ValidationError({"status": problem})
    changes = {"status": to}
    if to == ProtocolStatus.SUBMITTED:
        changes["submitted_on"] = on or timezone.localdate()
    if to == ProtocolStatus.APPROVED:
        changes["approved_on"] = on or protocol_version.approved_on
    if to == ProtocolStatus.EFFECTIVE:
        changes["effective_on"] = on or protocol_version.effective_on
    _check_protocol_dates(protocol_version, changes)
    if to == ProtocolStatus.EFFECTIVE:
        previous = ProtocolVersion.objects.filter(
            study_id=protocol_version.study_id, status=ProtocolStatus.EFFECTIVE
        ).exclude(pk=protocol_version.pk)
        for older in previous:
            records.update_record(
                older,
                changes={"status": ProtocolStatus.SUPERSEDED},
                by=by,
                reason=f"Superseded by protocol v{protocol_version.number}: {reason}",
                action="status_changed",
            )
    return records.update_record(
        protocol_version,
        changes=changes,
        by=by,
        reason=reason,
        expected_version=expected_version,
        action="status_changed",
    )


def create_arm(*, study: Study, by: User, reason: str = "", **values) -> Arm:
    require(can_manage_study(by, study.pk))
    return records.create_record(
        Arm(study=study, **records.only_fields(values, ARM_FIELDS)), by=by, reason=reason
    )


def update_arm(*, arm: Arm, changes: dict, by: User, reason: str, expected_version: int | None = None) -> Arm:
    require(can_manage_study(by, arm.study_id))
    return records.update_record(
        arm,
        changes=records.only_fields(changes, ARM_FIELDS),
        by=by,
        reason=reason,
        expected_version=expected_version,
    )


def delete_arm(*, arm: Arm, by: User, reason: str, expected_version: int | None = None) -> None:
    require(can_manage_study(by, arm.study_id))
    records.delete_record(arm, by=by, reason=reason, expected_version=expected_version)


def create_milestone(*, study: Study, by: User, reason: str = "", **values) -> Milestone:
    require(can_manage_study(by, study.pk))
    return records.create_record(
        Milestone(study=study, **records.only_fields(values, MILESTONE_FIELDS)), by=by, reason=reason
    )


def update_milestone(
    *, milestone: Milestone, changes: dict, by: User, reason: str, expected_version: int | None = None
) -> Milestone:
    require(can_manage_study(by, milestone.study_id))
    return records.update_record(
        milestone,
        changes=records.only_fields(changes, MILESTONE_FIELDS),
        by=by,
        reason=reason,
        expected_version=expected_version,
    )


def delete_milestone(
    *, milestone: Milestone, by: User, reason: str, expected_version: int | None = None
) -> None:
    require(can_manage_study(by, milestone.study_id))
    records.delete_record(milestone, by=by, reason=reason, expected_version=expected_version)


def set_health_thresholds(*, study: Study, values: dict, by: User, reason: str) -> list[dict]:
    """Set the study's health thresholds ({key: number, or None for the default}), all or none; returns
    every threshold as it now stands (studies.thresholds.rows_of).

    Each change is audited with the reason (a row created, updated, or deleted to go back to the
    default); a key no app registered, a value that is not a finite number, or one outside the
    threshold's bounds is refused, naming the key, and nothing is saved.
    """
    require(can_manage_study(by, study.pk))
    reason = records.require_reason(reason)
    errors = {}
    for key, value in values.items():
        definition = extensions.health_thresholds.get(key)
        if definition is None:
            errors[key] = "No health threshold has this name."
        elif value is not None:
            problem = _threshold_problem(definition, value)
            if problem:
                errors[key] = problem
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        existing = {row.key: row for row in HealthThreshold.objects.select_for_update().filter(study=study)}
        for key, value in values.items():
            row = existing.get(key)
            if value is None or value == extensions.health_thresholds.get(key).default:
                if row is not None:
                    records.delete_record(row, by=by, reason=reason)
            elif row is None:
                records.create_record(
                    HealthThreshold(study=study, key=key, value=value), by=by, reason=reason
                )
            elif row.value != value:
                records.update_record(row, changes={"value": value}, by=by, reason=reason)
    study.__dict__.pop("_health_thresholds", None)
    return thresholds.rows_of(study)


def _threshold_problem(definition, value) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return "Enter a number."
    if value < definition.minimum:
        return f"Enter {definition.minimum:g} or more."
    if definition.maximum is not None and value > definition.maximum:
        return f"Enter {definition.maximum:g} or less."
    return None
