"""Planning an import of a study's sites: each row's institution, status path and values checked."""

import datetime as dt
from dataclasses import dataclass

from trialdesk.core.models import User
from trialdesk.core.permissions import can_manage_study, require
from trialdesk.integrations.bulk.columns import SITE_COLUMNS, SITE_FIELD_LABELS, STUDY_SITES
from trialdesk.integrations.bulk.institutions import _Directory
from trialdesk.integrations.bulk.plans import (
    REFUSED,
    ImportPlan,
    PlannedRow,
    _changes,
    _form_problems,
    _read,
    _refuse,
)
from trialdesk.interop import tabular
from trialdesk.interop.tabular import Problem
from trialdesk.sites import rules as site_rules
from trialdesk.sites import services as site_services
from trialdesk.sites.forms import StudySiteForm
from trialdesk.sites.models import Institution, SiteStatus, StudySite
from trialdesk.sites.rules import site_status_path
from trialdesk.studies.models import Study


def plan_study_sites(content: bytes, filename: str, *, study: Study, by: User) -> ImportPlan:
    """What importing the file's sites into `study` would create and change; nothing is written."""
    require(can_manage_study(by, study.pk))
    plan = ImportPlan(STUDY_SITES, filename, study=study)
    rows = _read(content, filename, plan, SITE_COLUMNS)
    if rows is None:
        return plan
    if not {"institution_id", "institution"} & plan.present:
        plan.problems.append(
            Problem("the file needs an Institution id column or an Institution column (with City)")
        )
        return plan
    context = _SiteContext(
        study=study,
        directory=_Directory(Institution.objects.visible_to(by)),
        sites={s.site_number: s for s in StudySite.objects.filter(study=study).select_related("institution")},
    )
    seen: dict[str, int] = {}
    for row in rows:
        plan.problems.extend(row.problems)
        if row.problems:
            continue
        planned = _plan_site(row, context, plan, seen)
        if isinstance(planned, PlannedRow):
            plan.rows.append(planned)
    return plan


@dataclass
class _SiteContext:
    study: Study
    directory: "_Directory"
    sites: dict[str, StudySite]


def _plan_site(row: tabular.TypedRow, context: _SiteContext, plan: ImportPlan, seen: dict):
    values = row.values
    number = values.get("site_number") or ""
    if number and number in seen:
        return _refuse(plan, row.number, "Site number", f"site {number} is also on row {seen[number]}")
    seen[number] = row.number
    existing = context.sites.get(number)
    institution = _institution_for(row, context, plan, existing)
    status = _status_for(row, plan)
    if institution is REFUSED or status is REFUSED:
        return None
    data = _site_form_data(values, plan.present, existing, institution)
    if existing is not None:
        data |= {"version": existing.version, "reason": plan.reason}
        form = StudySiteForm(data, instance=existing, institutions=context.directory.queryset)
        before = _site_values(existing)
    else:
        form = StudySiteForm(
            data, instance=StudySite(study=context.study), institutions=context.directory.queryset
        )
        before = None
    if not form.is_valid():
        _form_problems(plan, row.number, form, SITE_FIELD_LABELS)
        return None
    current = existing.status if existing else SiteStatus.IDENTIFIED
    path = _status_path(plan, row.number, existing, status or current)
    if path is None:
        return None
    activated_on = values.get("activated_on") if existing is None else None
    if activated_on and SiteStatus.ACTIVATED not in path:
        return _refuse(
            plan,
            row.number,
            "Activation date",
            "a new site gets its activation date when its status reaches Activated; set the status too",
        )
    after = {
        name: form.cleaned_data[name] for name in site_services.STUDY_SITE_FIELDS if name in form.cleaned_data
    }
    shown_after = after | {"status": status or current}
    if activated_on:
        shown_after["activated_on"] = activated_on
    label = f"Site {number} ({after['institution']})"
    changes = _changes(before or {}, shown_after, SITE_FIELD_LABELS)
    action = "create" if existing is None else ("update" if changes else "unchanged")
    return PlannedRow(
        row.number,
        action,
        label,
        changes,
        values=after,
        record=existing,
        status_path=path,
        activated_on=activated_on,
    )


def _institution_for(row, context: _SiteContext, plan: ImportPlan, existing: StudySite | None):
    """The row's institution; None to keep the site's; REFUSED when a problem was said."""
    values = row.values
    if values.get("institution_id") is not None:
        found = context.directory.by_id.get(values["institution_id"])
        if found is None:
            return _refuse(
                plan,
                row.number,
                "Institution id",
                f"there is no institution with id {values['institution_id']}",
            )
        return found
    name, city = values.get("institution"), values.get("institution_city")
    if not name:
        if existing is not None:
            return None
        return _refuse(
            plan, row.number, "Institution", "give the Institution id, or the Institution and its City"
        )
    found = context.directory.named(name, city)
    where = f" in {city}" if city else ""
    if not found:
        return _refuse(
            plan,
            row.number,
            "Institution",
            f"no institution named '{name}'{where} is in the directory; import or add it first",
        )
    if len(found) > 1:
        return _refuse(
            plan,
            row.number,
            "Institution",
            f"several institutions are named '{name}'{where}; give the Institution id",
        )
    return found[0]


def _status_for(row, plan: ImportPlan):
    """The status the row asks for (its value or label, any case); None when empty; REFUSED on a problem."""
    given = row.values.get("status")
    if not given:
        return None
    wanted = tabular.header_key(given)
    for value, label in SiteStatus.choices:
        if wanted in (tabular.header_key(value), tabular.header_key(label)):
            return value
    names = ", ".join(label for _, label in SiteStatus.choices)
    return _refuse(plan, row.number, "Status", f"'{given}' is not a site status; use one of: {names}")


def _status_path(plan, row_number: int, existing: StudySite | None, target: str) -> list[str] | None:
    """The moves from the site's status to `target`; None, with the problem said, when there are none."""
    current = existing.status if existing else SiteStatus.IDENTIFIED
    before_hold = existing.status_before_hold if existing else ""
    path = site_status_path(current, target, status_before_hold=before_hold)
    if path is None:
        problem = site_rules.transition_problem(current, target, status_before_hold=before_hold)
        shown = SiteStatus(target).label
        _refuse(plan, row_number, "Status", f"the site cannot be moved to {shown} here: {problem}")
    return path


def _site_form_data(values: dict, present: set, existing: StudySite | None, institution) -> dict:
    """The form's fields as the row gives them; a column the file does not have keeps what is there."""
    if institution is None and existing is not None:
        institution = existing.institution
    data = {
        "institution": institution.pk if institution else "",
        "site_number": values.get("site_number") or "",
    }
    defaults = {"principal_investigator": "", "target_enrollment": 0, "planned_activation_on": None}
    if existing is not None:
        defaults = {name: getattr(existing, name) for name in (*defaults, "activated_on")}
    for name, default in defaults.items():
        value = values.get(name) if name in present else default
        data[name] = (
            "" if value is None else (value.isoformat() if isinstance(value, dt.date) else str(value))
        )
    return data


def _site_values(site: StudySite) -> dict:
    return {name: getattr(site, name) for name in (*site_services.STUDY_SITE_FIELDS, "status")}
