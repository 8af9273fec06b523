"""Bulk import of institutions and study sites from a spreadsheet: a plan first, then all of it or nothing.

`plan_institutions` and `plan_study_sites` read a file (interop.tabular) and check every row with the
same forms the pages use (sites.forms), so a bad value gets the message it gets when typed by hand.
The plan lists what would be created and changed (field: old → new) and every bad row, and writes
nothing. `apply_plan` writes a plan that has no problems through sites.services, in one transaction,
each record audited with the reason "Bulk import from FILE"; the first failure undoes it all.
"""

import datetime as dt
from dataclasses import dataclass, field

import pycountry
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from trialdesk.core.models import User
from trialdesk.core.permissions import can_manage_institutions, can_manage_study, require
from trialdesk.core.records import StaleVersion
from trialdesk.interop import tabular
from trialdesk.interop.tabular import DATE, INTEGER, Column, Problem
from trialdesk.sites import rules as site_rules
from trialdesk.sites import services as site_services
from trialdesk.sites.forms import InstitutionForm, StudySiteForm
from trialdesk.sites.models import Institution, SiteStatus, StudySite
from trialdesk.sites.rules import site_status_path
from trialdesk.studies.models import Study

INSTITUTIONS, STUDY_SITES = "institutions", "sites"
# What a check returns once it has put its problem on the plan.
REFUSED = object()

INSTITUTION_COLUMNS = (
    Column("id", "Institution id", INTEGER, help="Leave empty for a new institution; keep it to change one."),
    Column("name", "Name", required=True, help="The hospital, clinic or research centre.", width=36),
    Column("department", "Department", help="Optional, e.g. Department of Oncology."),
    Column("city", "City", required=True),
    Column("region", "State / region"),
    Column("postal_code", "Postal code"),
    Column("country", "Country", required=True, help="ISO 3166-1 alpha-2 code (DE, US, JP) or English name."),
    Column("time_zone", "Time zone", required=True, help="IANA name, e.g. Europe/Berlin.", width=22),
)
SITE_COLUMNS = (
    Column("site_number", "Site number", required=True, help="The study's number for the site, e.g. 101."),
    Column("institution_id", "Institution id", INTEGER, help="The institution's id in Trialdesk, or:"),
    Column("institution", "Institution", help="The institution's name, as in the directory.", width=36),
    Column("institution_city", "City", help="The institution's city (with its name)."),
    Column("principal_investigator", "Principal investigator", width=26),
    Column(
        "status",
        "Status",
        choices=tuple(label for _, label in SiteStatus.choices),
        help="A new site starts as Identified and is moved along its lifecycle to this status.",
    ),
    Column("planned_activation_on", "Planned activation", DATE, help="A date (YYYY-MM-DD)."),
    Column(
        "activated_on",
        "Activation date",
        DATE,
        help="Set when the status reaches Activated (default: today).",
    ),
    Column("target_enrollment", "Target enrollment", INTEGER, help="Participants the site should enroll."),
)
INSTITUTION_TEXTS = ("name", "department", "city", "region", "postal_code", "country", "time_zone")
SITE_FIELD_LABELS = {c.key: c.label for c in SITE_COLUMNS} | {"institution": "Institution"}


def max_upload_bytes() -> int:
    """The largest file accepted, in bytes (setting IMPORT_MAX_BYTES, from TRIALDESK_IMPORT_MAX_BYTES)."""
    return int(settings.IMPORT_MAX_BYTES)


def too_large_message(size: int | None = None) -> str:
    limit = max_upload_bytes() / (1024 * 1024)
    given = f" ({size / (1024 * 1024):,.1f} MB)" if size else ""
    return f"The file is too large{given}; the limit is {limit:g} MB. Split it and import each part."


@dataclass(frozen=True)
class Change:
    """One field of a record as it is and as the import would leave it, shown as text."""

    field: str
    old: str
    new: str


@dataclass
class PlannedRow:
    """What one row of the file would do: create a record, change one, or nothing."""

    row: int
    action: str  # "create" | "update" | "unchanged"
    label: str
    changes: list[Change] = field(default_factory=list)
    values: dict = field(default_factory=dict, repr=False)
    record: object = field(default=None, repr=False)
    status_path: list[str] = field(default_factory=list)
    activated_on: dt.date | None = None

    @property
    def status_steps(self) -> list[str]:
        """The statuses the site passes through, as the preview names them."""
        return [SiteStatus(status).label for status in self.status_path]


@dataclass
class ImportPlan:
    """Everything an import of one file would do, and everything wrong with the file."""

    kind: str
    filename: str
    study: Study | None = None
    rows: list[PlannedRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    ignored_columns: tuple[str, ...] = ()
    # The keys of the columns the file has: a column it lacks leaves that field of a record as it is.
    present: set[str] = field(default_factory=set)

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def created(self) -> int:
        return self.count("create")

    @property
    def changed(self) -> int:
        return self.count("update")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    @property
    def can_apply(self) -> bool:
        return not self.problems and bool(self.created or self.changed)

    @property
    def reason(self) -> str:
        return f"Bulk import from {self.filename}"

    def located_problems(self) -> list[str]:
        return [problem.located(self.filename) for problem in self.problems]


class ImportRefused(Exception):
    """The file has problems; nothing was written."""

    def __init__(self, plan: ImportPlan):
        super().__init__(f"{plan.filename}: {len(plan.problems)} problem(s); nothing was imported.")
        self.plan = plan


def plan_import(
    kind: str, content: bytes, filename: str, *, by: User, study: Study | None = None
) -> ImportPlan:
    if kind == INSTITUTIONS:
        return plan_institutions(content, filename, by=by)
    return plan_study_sites(content, filename, study=study, by=by)


def _read(content: bytes, filename: str, plan: ImportPlan, columns) -> list[tabular.TypedRow] | None:
    """The file's typed rows, or None with the plan's problems said when the file as a whole is unusable."""
    if len(content) > max_upload_bytes():
        plan.problems.append(Problem(too_large_message(len(content))))
        return None
    try:
        table = tabular.read_table(content, filename)
    except tabular.TableError as error:
        plan.problems.append(Problem(str(error).removeprefix(f"{filename}: ")))
        return None
    match = tabular.match_columns(table, columns)
    plan.ignored_columns = match.ignored
    plan.problems.extend(match.problems)
    if match.problems:
        return None
    if not table.rows:
        plan.problems.append(Problem("the file has a header row but no rows to import"))
        return None
    plan.present = set(match.positions)
    return tabular.typed_rows(table, columns, match)


# Institutions -------------------------------------------------------------------------------------


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


# Study sites --------------------------------------------------------------------------------------


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


# Shared --------------------------------------------------------------------------------------------


def _refuse(plan: ImportPlan, row: int, column: str | None, message: str):
    plan.problems.append(Problem(message, row=row, column=column))
    return REFUSED


def _form_problems(plan: ImportPlan, row: int, form, labels: dict) -> None:
    for name, messages in form.errors.items():
        column = None if name == NON_FIELD_ERRORS else labels.get(name, name)
        for message in messages:
            plan.problems.append(Problem(message, row=row, column=column))


def _changes(before: dict, after: dict, labels: dict) -> list[Change]:
    found = []
    for name, new in after.items():
        old = before.get(name)
        if _shown(old) != _shown(new) and not (old is None and new in ("", None) and not before):
            found.append(Change(labels.get(name, name), _shown(old, name), _shown(new, name)))
    return found


def _shown(value, name: str = "") -> str:
    if value is None:
        return ""
    if name == "status":
        return SiteStatus(value).label
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# Applying ------------------------------------------------------------------------------------------


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
