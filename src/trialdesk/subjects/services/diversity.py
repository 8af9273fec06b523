"""Writes for a study's diversity plan: target shares of enrolled participants by group."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from trialdesk.core import records
from trialdesk.core.models import User
from trialdesk.core.permissions import require
from trialdesk.subjects.models import DiversityDimension, DiversityTarget
from trialdesk.subjects.permissions import can_manage_consent_versions

DIVERSITY_TARGET_FIELDS = ("dimension", "group", "target_percent")
CRM_ONLY = "Only the study's CRM or an administrator changes the diversity plan."


def _check_total(target: DiversityTarget, *, exclude_pk: int | None = None) -> None:
    """The groups of one dimension do not overlap (age bands may), so their targets add up to 100% at most."""
    if target.dimension == DiversityDimension.AGE or target.target_percent is None:
        return
    others = DiversityTarget.objects.filter(study_id=target.study_id, dimension=target.dimension)
    if exclude_pk:
        others = others.exclude(pk=exclude_pk)
    total = sum((t.target_percent for t in others), Decimal(target.target_percent))
    if total > 100:
        raise ValidationError(
            {
                "target_percent": gettext("The %(value)s targets would add up to %(total)s%%.")
                % {"value": gettext(target.get_dimension_display()).lower(), "total": total}
            }
        )


@transaction.atomic
def create_diversity_target(*, study, by: User, reason: str = "", **values) -> DiversityTarget:
    require(can_manage_consent_versions(by, study.pk), CRM_ONLY)
    target = DiversityTarget(study=study, **records.only_fields(values, DIVERSITY_TARGET_FIELDS))
    _check_total(target)
    return records.create_record(target, by=by, reason=reason)


@transaction.atomic
def update_diversity_target(
    *,
    diversity_target: DiversityTarget,
    changes: dict,
    by: User,
    reason: str,
    expected_version: int | None = None,
) -> DiversityTarget:
    require(can_manage_consent_versions(by, diversity_target.study_id), CRM_ONLY)
    changes = records.only_fields(changes, DIVERSITY_TARGET_FIELDS)
    proposed = DiversityTarget(
        study_id=diversity_target.study_id,
        **{name: changes.get(name, getattr(diversity_target, name)) for name in DIVERSITY_TARGET_FIELDS},
    )
    _check_total(proposed, exclude_pk=diversity_target.pk)
    return records.update_record(
        diversity_target, changes=changes, by=by, reason=reason, expected_version=expected_version
    )


def delete_diversity_target(
    *, diversity_target: DiversityTarget, by: User, reason: str, expected_version: int | None = None
) -> None:
    require(can_manage_consent_versions(by, diversity_target.study_id), CRM_ONLY)
    records.delete_record(diversity_target, by=by, reason=reason, expected_version=expected_version)
