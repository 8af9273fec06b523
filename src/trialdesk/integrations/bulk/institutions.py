"""Planning an import of institutions: each row matched to the directory and checked by the page's form."""

import pycountry

from trialdesk.core.models import User
from trialdesk.core.permissions import can_manage_institutions, require
from trialdesk.integrations.bulk.columns import INSTITUTION_COLUMNS, INSTITUTION_TEXTS, INSTITUTIONS
from trialdesk.integrations.bulk.plans import ImportPlan, PlannedRow, _changes, _form_problems, _read, _refuse
from trialdesk.interop import tabular
from trialdesk.sites import services as site_services
from trialdesk.sites.forms import InstitutionForm
from trialdesk.sites.models import Institution


def plan_institutions(content: bytes, filename: str, *, by: User) -> ImportPlan:
    """What importing the file's institutions would create and change; nothing is written."""
    require(can_manage_institutions(by), "Only administrators and CRMs add institutions.")
    plan = ImportPlan(INSTITUTIONS, filename)
    rows = _read(content, filename, plan, INSTITUTION_COLUMNS)
    if rows is None:
        return plan
    directory = _Directory(Institution.objects.visible_to(by))
    seen: dict[tuple, int] = {}
    for row in rows:
        plan.problems.extend(row.problems)
        if row.problems:
            continue
        planned = _plan_institution(row, directory, plan, seen)
        if isinstance(planned, PlannedRow):
            plan.rows.append(planned)
    return plan


class _Directory:
    """The institutions the user sees, loaded once and looked up by id, by identity or by name."""

    def __init__(self, institutions):
        self.queryset = institutions
        self.by_id: dict[int, Institution] = {}
        self.by_identity: dict[tuple, Institution] = {}
        self.by_name: dict[str, list[Institution]] = {}
        for institution in institutions:
            self.by_id[institution.pk] = institution
            identity = (institution.name, institution.department, institution.city, institution.country)
            self.by_identity[_folded(*identity)] = institution
            self.by_name.setdefault(institution.name.casefold(), []).append(institution)

    def named(self, name: str, city: str | None) -> list[Institution]:
        found = self.by_name.get(name.casefold(), [])
        return [i for i in found if i.city.casefold() == city.casefold()] if city else found


def _folded(*texts: str) -> tuple[str, ...]:
    return tuple((text or "").strip().casefold() for text in texts)


def _plan_institution(row: tabular.TypedRow, directory: _Directory, plan: ImportPlan, seen: dict):
    values = dict(row.values)
    values["country"] = _country_code(values.get("country"))
    existing = None
    if values.get("id") is not None:
        existing = directory.by_id.get(values["id"])
        if existing is None:
            return _refuse(
                plan, row.number, "Institution id", f"there is no institution with id {values['id']}"
            )
    data = {name: "" if values.get(name) is None else str(values[name]) for name in INSTITUTION_TEXTS}
    if existing is None:
        existing = directory.by_identity.get(
            _folded(data["name"], data["department"], data["city"], data["country"])
        )
    key = (
        (existing.pk,)
        if existing
        else tuple(data[n].casefold() for n in ("name", "department", "city", "country"))
    )
    if key in seen:
        return _refuse(plan, row.number, None, f"the same institution as row {seen[key]}")
    seen[key] = row.number
    before = _institution_values(existing) if existing else None
    if existing is not None:
        # A column the file does not have leaves that field as it is.
        data |= {name: getattr(existing, name) for name in INSTITUTION_TEXTS if name not in plan.present}
        data |= {"version": existing.version, "reason": plan.reason}
    form = InstitutionForm(data, instance=existing)
    if not form.is_valid():
        _form_problems(plan, row.number, form, {c.key: c.label for c in INSTITUTION_COLUMNS})
        return None
    after = {name: form.cleaned_data[name] for name in site_services.INSTITUTION_FIELDS}
    label = f"{after['name']}, {after['city']} ({after['country']})"
    if before is None:
        return PlannedRow(
            row.number, "create", label, _changes({}, after, _institution_labels()), values=after
        )
    changes = _changes(before, after, _institution_labels())
    return PlannedRow(
        row.number, "update" if changes else "unchanged", label, changes, values=after, record=existing
    )


def _country_code(value) -> str | None:
    """A country's ISO code from its code or English name; left as given when it is neither."""
    if not value or len(value) == 2:
        return value
    try:
        return pycountry.countries.lookup(value).alpha_2
    except LookupError:
        return value


def _institution_values(institution: Institution) -> dict:
    return {name: getattr(institution, name) for name in site_services.INSTITUTION_FIELDS}


def _institution_labels() -> dict:
    return {c.key: c.label for c in INSTITUTION_COLUMNS}
