"""Bulk import of institutions and study sites from a spreadsheet: a plan first, then all of it or nothing.

`plan_institutions` and `plan_study_sites` read a file (interop.tabular) and check every row with the
same forms the pages use (sites.forms), so a bad value gets the message it gets when typed by hand.
The plan lists what would be created and changed (field: old → new) and every bad row, and writes
nothing. `apply_plan` writes a plan that has no problems in one transaction, the new records in one
batch (core.records.create_records), the changes through sites.services, each record audited with the
reason "Bulk import from FILE"; the first failure undoes it all.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from trialdesk.core import records
from trialdesk.core.models import User
from trialdesk.core.permissions import can_manage_institutions, can_manage_study, require
from trialdesk.core.records import StaleVersion
from trialdesk.integrations.bulk.columns import INSTITUTIONS, SITE_FIELD_LABELS, STUDY_SITES
from trialdesk.integrations.bulk.institutions import _institution_labels, plan_institutions
from trialdesk.integrations.bulk.plans import ImportPlan, ImportRefused, PlannedRow
from trialdesk.integrations.bulk.study_sites import plan_study_sites
from trialdesk.interop.tabular import Problem
from trialdesk.sites import services as site_services
from trialdesk.sites.models import Institution, SiteStatus, StudySite
from trialdesk.sites.services import INSTITUTION_FIELDS, STUDY_SITE_FIELDS
from trialdesk.studies.models import Study


def plan_import(
    kind: str, content: bytes, filename: str, *, by: User, study: Study | None = None
) -> ImportPlan:
    if kind == INSTITUTIONS:
        return plan_institutions(content, filename, by=by)
    return plan_study_sites(content, filename, study=study, by=by)


@transaction.atomic
def apply_plan(plan: ImportPlan, *, by: User) -> ImportPlan:
    """Write every create and change of a plan without problems, in one transaction; else nothing."""
    if plan.problems:
        raise ImportRefused(plan)
    creates = [row for row in plan.rows if row.action == "create"]
    try:
        created = _create_all(plan, creates, by=by)
    except records.BatchRefused as error:
        # Someone added a clashing record since the preview: say which rows, and undo the rest.
        for index, row_error in error.rows.items():
            plan.problems.extend(_write_problems(creates[index].row, row_error, plan))
        transaction.set_rollback(True)
        raise ImportRefused(plan) from error
    for row in plan.rows:
        if row.action == "unchanged":
            continue
        try:
            _apply_row(plan, row, by=by, created=created.get(row.row))
        except (ValidationError, StaleVersion) as error:
            # Someone changed a record since the preview: say which row, and undo the rest.
            plan.problems.extend(_write_problems(row.row, error, plan))
            transaction.set_rollback(True)
            raise ImportRefused(plan) from error
    return plan


def _create_all(plan: ImportPlan, rows: list[PlannedRow], *, by: User) -> dict[int, object]:
    """The plan's new records in one batch (core.records.create_records: each row validated and audited,
    uniqueness checked once for all), by file row."""
    if not rows:
        return {}
    if plan.kind == INSTITUTIONS:
        require(can_manage_institutions(by), "Only administrators and CRMs add institutions.")
    else:
        require(can_manage_study(by, plan.study.pk))
    new, refused = [], {}
    for index, row in enumerate(rows):
        try:
            if plan.kind == INSTITUTIONS:
                new.append(Institution(**records.only_fields(row.values, INSTITUTION_FIELDS)))
            else:
                values = {k: v for k, v in row.values.items() if k != "activated_on"}
                new.append(StudySite(study=plan.study, **records.only_fields(values, STUDY_SITE_FIELDS)))
        except ValidationError as error:
            refused[index] = error
    if refused:
        raise records.BatchRefused(refused)
    created = records.create_records(new, by=by, reason=plan.reason)
    return {row.row: record for row, record in zip(rows, created, strict=True)}


def _apply_row(plan: ImportPlan, row: PlannedRow, *, by: User, created=None) -> None:
    if plan.kind == INSTITUTIONS:
        if row.action != "create":
            site_services.update_institution(
                institution=row.record,
                changes=row.values,
                by=by,
                reason=plan.reason,
                expected_version=row.record.version,
            )
        return
    values = dict(row.values)
    if row.action == "create":
        site = created
    else:
        site = site_services.update_study_site(
            study_site=row.record,
            changes=values,
            by=by,
            reason=plan.reason,
            expected_version=row.record.version,
        )
    for status in row.status_path:
        on = row.activated_on if status == SiteStatus.ACTIVATED else None
        site = site_services.change_site_status(study_site=site, to=status, on=on, by=by, reason=plan.reason)


def _write_problems(row: int, error, plan: ImportPlan) -> list[Problem]:
    if isinstance(error, StaleVersion):
        return [Problem(str(error), row=row)]
    labels = SITE_FIELD_LABELS if plan.kind == STUDY_SITES else _institution_labels()
    if not hasattr(error, "error_dict"):
        return [Problem(message, row=row) for message in error.messages]
    return [
        Problem(message, row=row, column=None if name == NON_FIELD_ERRORS else labels.get(name, name))
        for name, messages in error.message_dict.items()
        for message in messages
    ]


def import_file(
    kind: str, content: bytes, filename: str, *, by: User, study: Study | None = None
) -> ImportPlan:
    """Plan and apply in one go (the command line and the API): all of it, or ImportRefused and nothing."""
    with transaction.atomic():
        plan = plan_import(kind, content, filename, by=by, study=study)
        return apply_plan(plan, by=by)
