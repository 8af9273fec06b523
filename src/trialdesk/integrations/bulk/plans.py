"""An import's plan: what each row of a file would do and what is wrong with it, written nowhere yet."""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS

from trialdesk.interop import tabular
from trialdesk.interop.tabular import Problem
from trialdesk.sites.models import SiteStatus
from trialdesk.studies.models import Study

# What a check returns once it has put its problem on the plan.
REFUSED = object()


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
