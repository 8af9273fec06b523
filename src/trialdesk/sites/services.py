"""Writes for institutions and study sites, including the site status lifecycle."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from trialdesk.core import extensions, records
from trialdesk.core.models import User
from trialdesk.core.permissions import can_manage_institutions, can_manage_study, require
from trialdesk.sites import rules
from trialdesk.sites.models import Institution, SiteStatus, StudySite

INSTITUTION_FIELDS = ("name", "department", "city", "region", "postal_code", "country", "time_zone")
STUDY_SITE_FIELDS = (
    "institution",
    "site_number",
    "principal_investigator",
    "principal_investigator_person",
    "target_enrollment",
    "planned_activation_on",
    "activated_on",
)


def create_institution(*, by: User, reason: str = "", **values) -> Institution:
    require(can_manage_institutions(by), "Only administrators and CRMs add institutions.")
    return records.create_record(
        Institution(**records.only_fields(values, INSTITUTION_FIELDS)), by=by, reason=reason
    )


def update_institution(
    *, institution: Institution, changes: dict, by: User, reason: str, expected_version: int | None = None
) -> Institution:
    require(can_manage_institutions(by), "Only administrators and CRMs change institutions.")
    return records.update_record(
        institution,
        changes=records.only_fields(changes, INSTITUTION_FIELDS),
        by=by,
        reason=reason,
        expected_version=expected_version,
    )


def _with_investigator_name(values: dict) -> dict:
    """A PI who is one of Trialdesk's people gives the site its PI's name (what letters, checklists and
    exports print), so the two never disagree; only an active person may be made PI."""
    person = values.get("principal_investigator_person")
    if person is None:
        return values
    if not person.is_active:
        raise ValidationError(
            {
                "principal_investigator_person": gettext(
                    "This person's account is deactivated: choose an active one."
                )
            }
        )
    return {**values, "principal_investigator": person.get_full_name() or person.username}


def create_study_site(*, study, by: User, reason: str = "", **values) -> StudySite:
    require(can_manage_study(by, study.pk))
    values = _with_investigator_name(records.only_fields(values, STUDY_SITE_FIELDS))
    return records.create_record(StudySite(study=study, **values), by=by, reason=reason)


def update_study_site(
    *, study_site: StudySite, changes: dict, by: User, reason: str, expected_version: int | None = None
) -> StudySite:
    require(can_manage_study(by, study_site.study_id))
    return records.update_record(
        study_site,
        changes=_with_investigator_name(records.only_fields(changes, STUDY_SITE_FIELDS)),
        by=by,
        reason=reason,
        expected_version=expected_version,
    )


def delete_study_site(*, study_site: StudySite, by: User, reason: str, expected_version: int | None = None):
    """A site may be removed only while it is still being considered; later it is closed or terminated."""
    require(can_manage_study(by, study_site.study_id))
    if study_site.status not in (SiteStatus.IDENTIFIED, SiteStatus.UNDER_FEASIBILITY):
        raise ValidationError(
            {
                "status": gettext(
                    "Only a site still identified or under feasibility can be deleted; "
                    "terminate or close it instead."
                )
            }
        )
    records.delete_record(study_site, by=by, reason=reason, expected_version=expected_version)


@transaction.atomic
def change_site_status(
    *, study_site: StudySite, to: str, by: User, reason: str, on=None, expected_version: int | None = None
) -> StudySite:
    """Move a site along its lifecycle; refused with the allowed next statuses when not allowed."""
    require(can_manage_study(by, study_site.study_id))
    problem = rules.transition_problem(
        study_site.status, to, status_before_hold=study_site.status_before_hold
    )
    if problem:
        raise ValidationError({"status": problem})
    if gated := extensions.gate_problems(extensions.site_status_gates, study_site=study_site, to=to):
        raise ValidationError(gated)
    changes = {"status": to}
    if to == SiteStatus.ON_HOLD:
        changes["status_before_hold"] = study_site.status
    elif study_site.status == SiteStatus.ON_HOLD:
        changes["status_before_hold"] = ""
    if to == SiteStatus.ACTIVATED and not study_site.activated_on:
        changes["activated_on"] = on or study_site.local_today()
    return records.update_record(
        study_site,
        changes=changes,
        by=by,
        reason=reason,
        expected_version=expected_version,
        action="status_changed",
    )
