"""Bulk import of institutions and study sites from a spreadsheet: a plan first, then all of it or nothing.

`plan_institutions` and `plan_study_sites` read a file (interop.tabular) and check every row with the
same forms the pages use (sites.forms), so a bad value gets the message it gets when typed by hand.
The plan lists what would be created and changed (field: old → new) and every bad row, and writes
nothing. `apply_plan` writes a plan that has no problems through sites.services, in one transaction,
each record audited with the reason "Bulk import from FILE"; the first failure undoes it all.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from trialdesk.core.models import User
from trialdesk.core.records import StaleVersion
from trialdesk.integrations.bulk.columns import INSTITUTIONS, SITE_FIELD_LABELS, STUDY_SITES
from trialdesk.integrations.bulk.institutions import _institution_labels, plan_institutions
from trialdesk.integrations.bulk.plans import ImportPlan, ImportRefused, PlannedRow
from trialdesk.integrations.bulk.study_sites import plan_study_sites
from trialdesk.interop.tabular import Problem
from trialdesk.sites import services as site_services
from trialdesk.sites.models import SiteStatus
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
    for row in plan.rows:
        if row.action == "unchanged":
            continue
        try:
            _apply_row(plan, row, by=by)
        except (ValidationError, StaleVersion) as error:
            # Someone changed a record since the preview: say which row, and undo the rest.
            plan.problems.extend(_write_problems(row.row, error, plan))
            transaction.set_rollback(True)
            raise ImportRefused(plan) from error
    return plan


def _apply_row(plan: ImportPlan, row: PlannedRow, *, by: User) -> None:
    if plan.kind == INSTITUTIONS:
        if row.action == "create":
            site_services.create_institution(by=by, reason=plan.reason, **row.values)
        else:
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
        values.pop("activated_on", None)
        site = site_services.create_study_site(study=plan.study, by=by, reason=plan.reason, **values)
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
