"""Writes of the privacy records the data protection officer keeps for a study: the study's privacy
settings, purposes with their legal bases, transfer safeguards and legal holds. Each goes through
core.records (validated, versioned, audited in the same transaction) after the permission check."""

from django.core.exceptions import ValidationError
from django.db import transaction

from trialdesk.core import records
from trialdesk.core.models import User
from trialdesk.core.permissions import require
from trialdesk.privacy.models import LegalHold, ProcessingPurpose, StudyPrivacy, TransferSafeguard
from trialdesk.privacy.permissions import ONLY_KEEPERS, can_keep_privacy
from trialdesk.studies.models import Study

SETTINGS_FIELDS = ("sponsor_country", "trial_ended_on")
PURPOSE_FIELDS = ("category", "purpose", "legal_basis", "special_condition", "note")
SAFEGUARD_FIELDS = ("from_country", "to_country", "safeguard", "reference")
HOLD_FIELDS = ("person", "reason", "placed_on", "lifted_on")


def require_keeper(by: User, study: Study) -> None:
    """403 unless `by` keeps the study's privacy records (asked before the input is looked at)."""
    require(can_keep_privacy(by, study.pk), ONLY_KEEPERS)


_may_keep = require_keeper


@transaction.atomic
def save_settings(
    *, study: Study, values: dict, by: User, reason: str = "", expected_version=None
) -> StudyPrivacy:
    """Record (or change) the study's sponsor country, end of trial and candidate pool period."""
    _may_keep(by, study)
    records.only_fields(values, SETTINGS_FIELDS)
    current = StudyPrivacy.objects.filter(study=study).first()
    if current is None:
        return records.create_record(StudyPrivacy(study=study, **values), by=by, reason=reason)
    return records.update_record(
        current, changes=values, by=by, reason=reason, expected_version=expected_version
    )


def create_purpose(*, study: Study, values: dict, by: User) -> ProcessingPurpose:
    _may_keep(by, study)
    records.only_fields(values, PURPOSE_FIELDS)
    return records.create_record(ProcessingPurpose(study=study, **values), by=by)


def create_safeguard(*, study: Study, values: dict, by: User) -> TransferSafeguard:
    _may_keep(by, study)
    records.only_fields(values, SAFEGUARD_FIELDS)
    return records.create_record(TransferSafeguard(study=study, **values), by=by)


def _person_on_study(person: User | None, study: Study) -> None:
    from trialdesk.privacy.services.holds import studies_of

    if person is not None and study.pk not in studies_of(person):
        raise ValidationError({"person": f"{person} holds no role on {study.code}."})


def place_hold(*, study: Study, values: dict, by: User) -> LegalHold:
    _may_keep(by, study)
    records.only_fields(values, HOLD_FIELDS)
    _person_on_study(values.get("person"), study)
    return records.create_record(LegalHold(study=study, **values), by=by)


def lift_hold(*, hold: LegalHold, lifted_on, by: User, reason: str, expected_version=None) -> LegalHold:
    _may_keep(by, hold.study)
    if hold.lifted_on is not None:
        raise ValidationError({"lifted_on": f"This hold was already lifted on {hold.lifted_on}."})
    return records.update_record(
        hold, changes={"lifted_on": lifted_on}, by=by, reason=reason, expected_version=expected_version
    )
