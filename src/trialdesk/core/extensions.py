"""The registry of what each app contributes to shared pages, commands and rules.

Core sits at the bottom of the layers (DEVELOPERS.md, "Layers"), so it never imports an app above it.
When a page or rule that lives low needs something from above — the study page a safety tab, the
portfolio an enrollment column, enrollment a check of the site's ethics approval — the app above
registers it here from its `AppConfig.ready()`, the way `django.contrib.admin` is filled by
`admin.site.register`. The study page, the portfolio, the API, the URL map and the demo iterate these
registries and import no app by name.

Every contribution is a small frozen dataclass (or a plain callable where the contract is one function),
ordered by its `order` and then by registration (INSTALLED_APPS) order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.utils.module_loading import import_string

T = TypeVar("T")


class Registry(Generic[T]):
    """One kind of contribution: apps `register` items, pages iterate them in order."""

    def __init__(self, kind: str, *, key: Callable[[T], str] | None = None):
        self.kind = kind
        self._items: list[T] = []
        self._key = key

    def register(self, item: T) -> T:
        """Add `item`; an item with the key of one already registered replaces it (ready() may run twice)."""
        if self._key is not None:
            key = self._key(item)
            self._items = [existing for existing in self._items if self._key(existing) != key]
        elif item in self._items:
            return item
        self._items.append(item)
        return item

    def __iter__(self) -> Iterator[T]:
        # Stable: equal orders keep registration (INSTALLED_APPS) order.
        return iter(sorted(self._items, key=lambda item: getattr(item, "order", 0)))

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: str) -> T | None:
        """The item registered under `key` (registries with keys only)."""
        assert self._key is not None, f"the {self.kind} registry has no keys"
        return next((item for item in self._items if self._key(item) == key), None)

    def keys(self) -> list[str]:
        assert self._key is not None, f"the {self.kind} registry has no keys"
        return [self._key(item) for item in self]

    def unregister(self, item: T) -> None:
        """Take `item` out again (tests that register a contribution of their own)."""
        self._items = [existing for existing in self._items if existing is not item]


def _keyed(item) -> str:
    return item.key


def lazy(path: str) -> Callable:
    """The function at the dotted `path`, imported when it is first called.

    For `ready()`: registering `lazy("trialdesk.statistics.tabs.kri_tab")` instead of the function leaves
    the tab's module (and the numpy, scipy or charts behind it) unimported until a page calls it, so a
    command that never shows the tab starts without them (trialdesk.cli, issue 19).
    """
    found: list[Callable] = []

    def call(*args, **kwargs):
        if not found:
            found.append(import_string(path))
        return found[0](*args, **kwargs)

    call.__name__ = call.__qualname__ = path.rpartition(".")[2]
    call.lazy_path = path
    return call


# Pages --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StudySection:
    """A tab of the study page (`?tab=key`), shown to everyone who may see the study.

    `context(request, study)` returns the template context of `template`; the study page has already
    answered 404 to anyone outside the study, so a section only narrows further (sites, subject level).
    `group` names the cluster of tabs it belongs to (Setup, Participants, Safety, Regulatory, Quality,
    Data) for navigation.
    """

    key: str
    label: str
    template: str
    context: Callable[[Any, Any], dict]
    order: int = 500
    group: str = "Study"


@dataclass(frozen=True)
class Panel:
    """A block of a shared page (the study overview, a study site's page, the portfolio's head).

    `context(request, obj)` returns the context of `template`, or None to leave the panel out.
    """

    key: str
    template: str
    context: Callable[..., dict | None]
    order: int = 500


@dataclass(frozen=True)
class PageLink:
    """A link from a record's page to a page of another app about the same record (url name + kwarg)."""

    key: str
    label: str
    url_name: str
    order: int = 500


@dataclass(frozen=True)
class PortfolioColumn:
    """A column of the portfolio (page, API list, Excel export), filled for a page of studies at once.

    `annotate()` returns queryset annotations (name -> expression) added to the portfolio query, so the
    column sorts in SQL and costs no extra query; `values(user, studies)` returns {study id: value} for a
    page of studies where an annotation cannot say it (one or two queries per page, never per study).
    `api_type` is the Python type of the value in the API's list item (None: the column is not in the
    API), `description` its description there. On the page, `cell` renders the value (`value`, and the
    whole `row` for columns that show two values) as one <td>; `on_page` False keeps a column off it.
    An annotation that joins a related table must be a subquery: two joined counts would multiply.
    `annotate_for(user)` is the same for an annotation that depends on the reader (e.g. a colour that
    leaves out what the reader may not see). `sort_by` names the annotation the column sorts by (the
    portfolio's `sort=key` / `sort=-key`, empty values last); empty: the column does not sort.
    """

    key: str
    label: str
    order: int = 500
    annotate: Callable[[], dict] | None = None
    values: Callable[[Any, list], dict[int, Any]] | None = None
    api_type: Any = None
    description: str = ""
    cell: str = "studies/portfolio/cell.html"
    head: str = "studies/portfolio/head.html"
    hint: str = ""  # a second line under the label ("active / planned")
    title: str = ""  # the header's tooltip
    numeric: bool = False
    on_page: bool = True
    annotate_for: Callable[[Any], dict] | None = None
    sort_by: str = ""


# Signals for people ---------------------------------------------------------------------------------


RED, AMBER, GREEN, UNKNOWN = "red", "amber", "green", "unknown"


@dataclass(frozen=True)
class HealthReading:
    """One dimension of a study's (or site's) health: its colour and why, with a link to the cause."""

    dimension: str
    colour: str  # RED, AMBER, GREEN or UNKNOWN (not enough data, or hidden from this reader)
    why: str
    url: str = ""


@dataclass(frozen=True)
class HealthSignal:
    """A health dimension an app measures: `read(user, study, today)` -> HealthReading.

    `read_site(user, study_site, today)` reads the same dimension for one study site where the signal
    can say it per site (None: the site page leaves it out). `subject_level` marks a signal counted over
    subject-level records, which a subject-blind reader (a sponsor viewer) sees as hidden; the stored
    portfolio health leaves such signals out of those readers' colour.
    """

    key: str
    label: str
    read: Callable[[Any, Any, Any], HealthReading]
    order: int = 500
    read_site: Callable[[Any, Any, Any], HealthReading] | None = None
    subject_level: bool = False


@dataclass(frozen=True)
class HealthThreshold:
    """A number a health signal judges by, which the study's CRM may change for the study (audited).

    `default` applies until the study sets its own; `minimum`/`maximum` bound what may be set, `unit`
    says what the number counts ("%", "days").
    """

    key: str
    label: str
    default: float
    unit: str = ""
    minimum: float = 0
    maximum: float | None = None
    order: int = 500


@dataclass(frozen=True)
class WorkItem:
    """Something due for a person: what, when, where it is, and the study it belongs to."""

    kind: str
    title: str
    due_on: Any  # a date (the reporting party's local day where a clock says so)
    url: str
    study_code: str = ""
    overdue: bool = False


@dataclass(frozen=True)
class WorkSource:
    """An app's "my work" items: `items(user, today)` -> list of WorkItem due for `user`."""

    key: str
    label: str
    items: Callable[[Any, Any], list[WorkItem]]
    order: int = 500


@dataclass(frozen=True)
class SearchResult:
    """One record found by the global search: what it is called, a line about it, and where it is."""

    title: str
    detail: str
    url: str


@dataclass(frozen=True)
class SearchHits:
    """What one kind of record gave for a query: the first `results`, how many matched in all, and
    whether records of this kind may exist that the reader is not allowed to see (the page says
    "hidden" rather than "no results")."""

    results: tuple[SearchResult, ...]
    count: int
    hidden: bool = False


@dataclass(frozen=True)
class SearchSource:
    """A kind of record in the global search (`/search/`, `GET /api/v1/search`).

    `search(user, query, limit)` gives SearchHits: at most `limit` results matching `query` (case-
    insensitive contains) among the records `user` may see, in a fixed number of queries.
    """

    key: str
    label: str
    search: Callable[[Any, str, int], SearchHits]
    order: int = 500


# Rules owned above, checked below ------------------------------------------------------------------


@dataclass(frozen=True)
class Gate:
    """A rule an app above imposes on a write below (e.g. a lapsed ethics approval blocks enrollment).

    `check(**facts)` returns None when the write may go ahead, else the reason it may not, in words a
    coordinator understands; the service that does the write raises it as a validation error on `field`.
    `check_many(records, **facts)`, where given, answers for many records at once (an import): each
    record's pk to its reason or None, in a fixed number of queries (gate_problems_many).
    """

    key: str
    check: Callable[..., str | None]
    field: str = "__all__"
    order: int = 500
    check_many: Callable[..., dict] | None = None


@dataclass(frozen=True)
class Hook:
    """Work an app above does in the same transaction after a write below (e.g. schedule visits)."""

    key: str
    run: Callable[..., None]
    order: int = 500


@dataclass(frozen=True)
class RecordListener:
    """Work an app above does after a regulated record of one of `object_types` ("visits.scheduledvisit")
    is created, updated or deleted through core.records (e.g. finance earns what a recorded visit is paid).
    `run(instance)` is called inside the write's transaction and should defer its work with
    `transaction.on_commit`, so that a failure of its own never undoes the write it follows.
    `run_many(instances)`, where given, is called instead for records written together (an import)."""

    key: str
    object_types: tuple[str, ...]
    run: Callable[[Any], None]
    order: int = 500
    run_many: Callable[[list], None] | None = None


@dataclass(frozen=True)
class AmendmentItem:
    """An item another app adds to each site's amendment implementation checklist (regulatory), e.g. the
    budget or the visit calendar an amendment changes, once that app keeps those records.

    `states(protocol_version, sites)` returns {study site id: (state, detail)} with a state of the
    checklist's words ("done", "pending", "blocked", "not_required", "unknown"); a site left out has
    nothing of this item to change ("not_required"). One call per amendment, whatever the number of sites.
    """

    key: str
    label: str
    states: Callable[..., dict[int, tuple[str, str]]]
    order: int = 500


# Statistics -----------------------------------------------------------------------------------------


@dataclass
class KriContext:
    """What every KRI source counts over: the study, each of its sites' local today, and a memo.

    `once(name, compute)` runs `compute()` the first time a name is asked for and keeps the result,
    so two sources that need the same grouped query (enrolled participants per site) share it.
    """

    study: Any
    today_of: dict  # site id -> the site's local date
    memo: dict

    def once(self, name: str, compute: Callable[[], Any]) -> Any:
        if name not in self.memo:
            self.memo[name] = compute()
        return self.memo[name]


@dataclass(frozen=True)
class KriSource:
    """Key risk indicators an app counts: their definitions (analytics.kri.KriDefinition) and `counts`.

    `counts(context: KriContext)` returns {kri key: {site id: (numerator, denominator)}} for every site
    of the study that has any, in a fixed number of queries whatever the number of sites.
    """

    key: str
    definitions: tuple
    counts: Callable[[Any], dict[str, dict[int, tuple[float, float]]]]
    order: int = 500


# Reports --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportTable:
    """A table of a report section: column headings and rows of text (already "hidden" where hidden)."""

    headings: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class ReportBlock:
    """What a report section says, the same in the page and the PDF: a sentence, labelled figures
    (("Overdue obligations", "3"), or "hidden"), tables, and charts (Vega-Lite specs from core.charts)."""

    summary: str = ""
    figures: tuple[tuple[str, str], ...] = ()
    tables: tuple[ReportTable, ...] = ()
    charts: tuple[dict, ...] = ()


@dataclass(frozen=True)
class ReportSection:
    """A section of the stakeholder reports (reporting): `study(user, study, today)` gives its
    ReportBlock in a study's status report, `portfolio(user, studies, today)` in the portfolio report
    (None, or returning None: the section is left out). Both read only what `user` may see; a reader who
    may not see subject-level records gets counts (or "hidden"), never a participant or an event."""

    key: str
    title: str
    study: Callable[[Any, Any, Any], ReportBlock | None] | None = None
    portfolio: Callable[[Any, list, Any], ReportBlock | None] | None = None
    order: int = 500


# The audit trail ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditLabel:
    """How the audit trail names a kind of record (`object_type`, e.g. "subjects.participant")."""

    object_type: str
    label: str
    # Records of this kind are about a participant: roles that may not see subject-level data see
    # neither the records nor their audit events.
    subject_level: bool = False


# Demo and tests ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoLoader:
    """A step of `trialdesk demo`: `load(demo)` adds the app's records, after the steps it names.

    `demo` is a demo.context.DemoContext (today, the demo users, a random generator per step, and a
    shared dict where earlier steps leave what later ones need). `after=("*",)` runs the step after
    every other one.
    """

    key: str
    label: str
    load: Callable[[Any], None]
    after: tuple[str, ...] = ()
    before: tuple[str, ...] = ()


@dataclass(frozen=True)
class CommandAction:
    """A sub-command an app above adds to a command owned below it (`trialdesk rbqm qtl`, from monitoring,
    beside statistics' own `rbqm score`): the command iterates these and never imports the app.

    `add_arguments(parser)` fills the sub-command's parser; `handle(command, options)` runs it, writing
    to `command.stdout` and raising CommandError for bad input.
    """

    command: str
    key: str
    help: str
    add_arguments: Callable[[Any], None]
    handle: Callable[[Any, dict], None]
    order: int = 500


@dataclass(frozen=True)
class RouteSet:
    """An app's pages and API: the dotted paths of its URLconf and of the module holding its ninja
    `router` (either may be empty). Paths, not modules, so registering imports no view."""

    key: str
    urls: str = ""
    api: str = ""
    order: int = 500


study_sections: Registry[StudySection] = Registry("study page sections", key=_keyed)
# The study page's navigation: its sections' groups in this order, with the label each shows; a group
# an app names that is not here comes after them, under its own name.
STUDY_PAGE_GROUPS: dict[str, str] = {
    "Overview": "Overview",
    "Setup": "Setup",
    "Sites": "Sites",
    "Participants": "Participants",
    "Safety": "Safety",
    "Regulatory": "Regulatory & documents",
    "Quality": "Quality",
    "Finance": "Finance",
    "Data": "Data",
    "History": "History",
}
study_overview_panels: Registry[Panel] = Registry("study overview panels", key=_keyed)
site_panels: Registry[Panel] = Registry("study site page panels", key=_keyed)
portfolio_panels: Registry[Panel] = Registry("portfolio panels", key=_keyed)
# Blocks of the obligations board (safety) from apps above it, e.g. incident notifications: the panel's
# context(request) gives what it shows, or None.
obligations_board_panels: Registry[Panel] = Registry("obligations board panels", key=_keyed)
participant_links: Registry[PageLink] = Registry("participant page links", key=_keyed)
portfolio_columns: Registry[PortfolioColumn] = Registry("portfolio columns", key=_keyed)
health_signals: Registry[HealthSignal] = Registry("health signals", key=_keyed)
health_thresholds: Registry[HealthThreshold] = Registry("health thresholds", key=_keyed)
my_work: Registry[WorkSource] = Registry("my work", key=_keyed)
search_sources: Registry[SearchSource] = Registry("search sources", key=_keyed)
enrollment_gates: Registry[Gate] = Registry("enrollment gates", key=_keyed)
consent_gates: Registry[Gate] = Registry("consent gates", key=_keyed)
# A site's move to a new status, checked by sites.services.change_site_status: check(study_site=, to=)
# (e.g. start-up refusing activation while items are pending).
site_status_gates: Registry[Gate] = Registry("site status gates", key=_keyed)
enrollment_hooks: Registry[Hook] = Registry("after enrollment", key=_keyed)
amendment_checklist_items: Registry[AmendmentItem] = Registry("amendment checklist items", key=_keyed)
record_listeners: Registry[RecordListener] = Registry("record listeners", key=_keyed)
# Callables (participant_ids, *, after) -> {participant id: date or None}: each participant's next
# scheduled visit after a day (the visits app), for the re-consent due date kept by subjects.
next_visit_dates: Registry[Callable] = Registry("next visit dates")
kris: Registry[KriSource] = Registry("key risk indicators", key=_keyed)
audit_labels: Registry[AuditLabel] = Registry("audit labels", key=lambda item: item.object_type)
# Callables (events, user) -> events that hide from a reader what they may not see in an event's values.
audit_masks: Registry[Callable] = Registry("audit masks")
demo_loaders: Registry[DemoLoader] = Registry("demo loaders", key=_keyed)
# Demo work an app does as each demo site reaches a status: run(demo=, site=, status=) (e.g. approve the
# consent version when the site is activated, screen and enroll people while it enrolls).
demo_site_steps: Registry[Hook] = Registry("demo site steps", key=_keyed)
# Dotted paths of test modules with a `scoping_cases(world)` for tests/test_scoping_every_route.py.
scoping_cases: Registry[str] = Registry("scoping cases")
routes: Registry[RouteSet] = Registry("routes", key=_keyed)
report_sections: Registry[ReportSection] = Registry("report sections", key=_keyed)
command_actions: Registry[CommandAction] = Registry(
    "command actions", key=lambda item: f"{item.command} {item.key}"
)


def actions_of(command: str) -> list[CommandAction]:
    """The sub-commands apps above add to `command`, in order."""
    return [action for action in command_actions if action.command == command]


def subject_level_types() -> frozenset[str]:
    """The object types whose audit events are subject-level (hidden from sponsor viewers and the like)."""
    return frozenset(label.object_type for label in audit_labels if label.subject_level)


def audit_label(object_type: str) -> str:
    """How the audit trail names `object_type` ("Participant"); the type itself when no app named it."""
    found = audit_labels.get(object_type)
    return found.label if found else object_type


def gate_problems(gates: Registry[Gate], **facts) -> dict[str, list[str]]:
    """Every gate's refusal for these facts, keyed by the field it is about (empty when all pass)."""
    problems: dict[str, list[str]] = {}
    for gate in gates:
        if (reason := gate.check(**facts)) is not None:
            problems.setdefault(gate.field, []).append(reason)
    return problems


def gate_problems_many(gates: Registry[Gate], records: list, *, record: str, **facts) -> dict[int, dict]:
    """gate_problems for each of `records` (passed to a gate's check as `record`=), by pk; a record all
    gates let through is left out. Gates with `check_many` answer for all records at once."""
    found: dict[int, dict[str, list[str]]] = {}
    for gate in gates:
        if gate.check_many is not None:
            reasons = gate.check_many(records, **facts)
        else:
            reasons = {item.pk: gate.check(**{record: item}, **facts) for item in records}
        for pk, reason in reasons.items():
            if reason is not None:
                found.setdefault(pk, {}).setdefault(gate.field, []).append(reason)
    return found


def notify_written(instance) -> None:
    """Tell the apps listening for records of this kind that one was written (core.records calls it)."""
    object_type = instance._meta.label_lower
    for listener in record_listeners:
        if object_type in listener.object_types:
            listener.run(instance)


def notify_written_many(instances: list) -> None:
    """notify_written for records of one kind written together (core.records.create_records)."""
    if not instances:
        return
    object_type = instances[0]._meta.label_lower
    for listener in record_listeners:
        if object_type not in listener.object_types:
            continue
        if listener.run_many is not None:
            listener.run_many(instances)
        else:
            for instance in instances:
                listener.run(instance)


def run_hooks(hooks: Registry[Hook], **facts) -> None:
    for hook in hooks:
        hook.run(**facts)


def demo_order() -> list[DemoLoader]:
    """The demo loaders, each after the steps it names in `after` and before those in `before`
    (registration order otherwise)."""
    pending = list(demo_loaders)
    keys = {loader.key for loader in pending}
    # after=("*",): after every step that does not itself wait for all (e.g. what sums the whole demo up).
    waits = {
        loader.key: {k for k in keys if "*" not in demo_loaders.get(k).after} - {loader.key}
        if "*" in loader.after
        else set(loader.after)
        for loader in pending
    }
    for loader in pending:
        missing = (set(loader.after) | set(loader.before)) - keys - {"*"}
        assert not missing, f"demo step {loader.key} names unknown steps {sorted(missing)}"
        for later in loader.before:
            waits[later].add(loader.key)
    done: list[DemoLoader] = []
    while pending:
        ready = next((item for item in pending if waits[item.key] <= {d.key for d in done}), None)
        assert ready is not None, f"demo steps wait for each other: {[item.key for item in pending]}"
        done.append(ready)
        pending.remove(ready)
    return done


def mask_audit_events(events, user):
    """The audit events as `user` may read them: each registered mask hides what they may not see."""
    for mask in audit_masks:
        events = mask(events, user)
    return events
