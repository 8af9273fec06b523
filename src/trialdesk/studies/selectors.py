"""Reads for the portfolio and study pages; every one starts from what the user may see."""

from dataclasses import dataclass
from datetime import date

from django.db.models import DurationField, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from trialdesk.core import extensions
from trialdesk.core.models import AuditEvent, User
from trialdesk.core.permissions import can_create_study
from trialdesk.core.scoping import is_administrator, role_facts
from trialdesk.studies import rules
from trialdesk.studies.models import (
    Arm,
    Milestone,
    MilestoneKind,
    Phase,
    Program,
    ProtocolVersion,
    Study,
    StudyStatus,
)

PORTFOLIO_SORTS = {
    "code": "code",
    "-code": "-code",
    "title": "title",
    "-title": "-title",
    "phase": "phase",
    "-phase": "-phase",
    "status": "status",
    "-status": "-status",
    "therapeutic_area": "therapeutic_area",
    "-therapeutic_area": "-therapeutic_area",
    "planned_enrollment": "planned_enrollment",
    "-planned_enrollment": "-planned_enrollment",
    # The next open milestone's variance against its baseline (issue 16), late first with "-variance".
    "variance": F("next_milestone_variance").asc(nulls_last=True),
    "-variance": F("next_milestone_variance").desc(nulls_last=True),
}
# The study's own fields a portfolio row carries (the page, the API's list item).
ROW_FIELDS = (
    "id",
    "code",
    "title",
    "acronym",
    "phase",
    "status",
    "therapeutic_area",
    "sponsor",
    "nct_number",
    "planned_enrollment",
    "blinded",
    "program_id",
    "version",
)
PHASE_LABELS = dict(Phase.choices)
STATUS_LABELS = dict(StudyStatus.choices)
MILESTONE_LABELS = dict(MilestoneKind.choices)


def portfolio_sorts() -> dict:
    """Every `sort` value the portfolio takes: the study's own fields and each sortable registered column
    (empty values last whichever the direction). Read after the apps have registered their columns."""
    sorts = dict(PORTFOLIO_SORTS)
    for column in extensions.portfolio_columns:
        if column.sort_by:
            sorts[column.key] = F(column.sort_by).asc(nulls_last=True)
            sorts[f"-{column.key}"] = F(column.sort_by).desc(nulls_last=True)
    return sorts


def studies_for(user: User) -> QuerySet[Study]:
    return Study.objects.visible_to(user)


def portfolio_studies_for(user: User) -> QuerySet[Study]:
    """The same studies as `studies_for`, named by id from the assignments already read for this request
    (core.scoping.role_facts): no scope subqueries to build or to run in each of the portfolio's queries."""
    if not user.is_authenticated or not user.is_active:
        return Study.objects.none()
    if is_administrator(user):
        return Study.objects.all()
    facts = role_facts(user)
    return Study.objects.filter(pk__in=sorted({*facts.study_roles, *facts.study_of_site.values()}))


def programs_for(user: User) -> QuerySet[Program]:
    """Programs are a shared directory for those who set up studies; others see their studies' programs."""
    if can_create_study(user):
        return Program.objects.all()
    return Program.objects.filter(pk__in=studies_for(user).values("program_id"))


def _filtered(user: User, *, status: str, phase: str, therapeutic_area: str, search: str) -> QuerySet[Study]:
    studies = portfolio_studies_for(user)
    if status:
        studies = studies.filter(status=status)
    if phase:
        studies = studies.filter(phase=phase)
    if therapeutic_area:
        studies = studies.filter(therapeutic_area__iexact=therapeutic_area)
    if search:
        studies = studies.filter(
            Q(code__icontains=search)
            | Q(title__icontains=search)
            | Q(acronym__icontains=search)
            | Q(nct_number__icontains=search)
        )
    return studies


def _column_annotations(user: User, *, for_values: bool = False) -> dict:
    """The columns' annotations; `for_values`: only those a row's values read (a column with its own
    `values` annotates only to sort, and a page's rows are already sorted)."""
    annotations = {}
    for column in extensions.portfolio_columns:
        if column.annotate is not None and not (for_values and column.values is not None):
            annotations.update(column.annotate())
        if column.annotate_for is not None:
            annotations.update(column.annotate_for(user))
    return annotations


def next_milestone_variance_annotation() -> dict:
    """`next_milestone_variance`: the next open study-level milestone's (forecast, else baseline) minus its
    baseline, for sorting the portfolio (a subquery on the milestones' (study, actual_on) index)."""
    upcoming = (
        Milestone.objects.filter(study_id=OuterRef("pk"), study_site__isnull=True, actual_on__isnull=True)
        .annotate(due=Coalesce("forecast_on", "baseline_on"))
        .filter(due__isnull=False)
        .order_by("due", "forecast_on", "baseline_on", "id")
        .annotate(variance=ExpressionWrapper(F("due") - F("baseline_on"), output_field=DurationField()))
        .values("variance")[:1]
    )
    return {"next_milestone_variance": Subquery(upcoming, output_field=DurationField())}


def _ordering(sort: str) -> tuple:
    return (portfolio_sorts().get(sort, "code"), "pk")


def _sort_annotations(user: User, sort: str) -> dict:
    """Only the annotation the sort needs (none for the study's own fields)."""
    key = sort.lstrip("-")
    if key == "variance":
        return next_milestone_variance_annotation()
    for column in extensions.portfolio_columns:
        if column.key == key and column.sort_by:
            annotations = {}
            if column.annotate is not None:
                annotations.update(column.annotate())
            if column.annotate_for is not None:
                annotations.update(column.annotate_for(user))
            return {column.sort_by: annotations[column.sort_by]}
    return {}


def portfolio(
    user: User,
    *,
    status: str = "",
    phase: str = "",
    therapeutic_area: str = "",
    search: str = "",
    sort: str = "code",
) -> QuerySet[Study]:
    """The user's studies, filtered and sorted, with the portfolio columns' annotations (one query): every
    row at once, as the Excel export reads them. Pages use `portfolio_results`."""
    studies = _filtered(
        user, status=status, phase=phase, therapeutic_area=therapeutic_area, search=search
    ).select_related("program")
    annotations = _column_annotations(user) | _sort_annotations(user, sort)
    return studies.annotate(**annotations).order_by(*_ordering(sort))


class PortfolioStudy:
    """A study of a portfolio page, built from `values()`: its own fields (ROW_FIELDS) and the columns'
    annotations as attributes, the labels the page shows, and no model instance."""

    def __init__(self, values: dict):
        self.__dict__.update(values)

    @property
    def pk(self) -> int:
        return self.id

    def get_phase_display(self) -> str:
        return PHASE_LABELS.get(self.phase, self.phase)

    def get_status_display(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)


class PortfolioResults:
    """The user's filtered, sorted portfolio as a paginator reads it: a plain count of the filtered
    studies (no annotation, no join), then a page's ids in order (only the sort's own annotation), then
    the columns' annotations for those ids alone, read with `values()` into `PortfolioStudy` rows."""

    def __init__(self, user: User, **filters):
        sort = filters.pop("sort", "code") or "code"
        self.user = user
        self.filtered = _filtered(user, **filters)
        self.sorted = (
            self.filtered.annotate(**_sort_annotations(user, sort))
            .order_by(*_ordering(sort))
            .values_list("pk", flat=True)
        )
        self._count = None

    def count(self) -> int:
        if self._count is None:
            self._count = self.filtered.order_by().count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key):
        if not isinstance(key, slice):
            return self[key : key + 1][0]
        ids = list(self.sorted[key])
        if not ids:
            return []
        annotations = _column_annotations(self.user, for_values=True)
        rows = (
            Study.objects.filter(pk__in=ids)
            .annotate(**annotations)
            .order_by()
            .values(*ROW_FIELDS, *annotations)
        )
        by_id = {row["id"]: PortfolioStudy(row) for row in rows}
        return [by_id[pk] for pk in ids if pk in by_id]


def portfolio_results(
    user: User,
    *,
    status: str = "",
    phase: str = "",
    therapeutic_area: str = "",
    search: str = "",
    sort: str = "code",
) -> PortfolioResults:
    """The portfolio the page and the API page through (`PortfolioResults`); the same rows and order as
    `portfolio`, in a constant number of queries whatever the number of studies."""
    return PortfolioResults(
        user, status=status, phase=phase, therapeutic_area=therapeutic_area, search=search, sort=sort
    )


def therapeutic_areas_for(user: User) -> list[str]:
    return list(
        portfolio_studies_for(user)
        .order_by("therapeutic_area")
        .values_list("therapeutic_area", flat=True)
        .distinct()
    )


@dataclass(frozen=True)
class NextMilestone:
    """A study's next open study-level milestone, as the portfolio shows it."""

    label: str
    baseline_on: date | None
    forecast_on: date | None


@dataclass(frozen=True)
class PortfolioRow:
    """One study of the portfolio: the study, each registered column's value, and its next milestone."""

    study: Study | PortfolioStudy
    values: dict  # portfolio column key -> value (extensions.portfolio_columns)
    next_milestone: NextMilestone | None
    next_milestone_variance_days: int | None
    next_milestone_late: bool

    @property
    def cells(self) -> list[tuple]:
        """(column, value) for each column shown on the page, in order."""
        return [(column, self.values.get(column.key)) for column in page_columns()]


def page_columns() -> list:
    """The registered portfolio columns the page shows, in order."""
    return [column for column in extensions.portfolio_columns if column.on_page]


def portfolio_rows(
    studies: list, *, user: User, today: date | None = None, on_page: bool = True
) -> list[PortfolioRow]:
    """Column values and next milestone for a page of annotated studies, in a constant number of queries.

    `studies` are Study instances or `PortfolioStudy` rows (anything with `pk` and the annotations).
    Columns the page shows but the API does not (`on_page` False skips them: the API does not pay for
    the forecast colouring) are filled only when `on_page`.
    """
    today = today or timezone.now().date()
    values: dict[int, dict] = {study.pk: {} for study in studies}
    for column in extensions.portfolio_columns:
        if column.annotate is not None and column.values is None:  # the annotation is the value
            for study in studies:
                values[study.pk][column.key] = getattr(study, column.key)
        if column.values is not None and (on_page or column.api_type is not None):
            found = column.values(user, studies)
            for study in studies:
                values[study.pk][column.key] = found.get(study.pk)
    upcoming = _next_milestones([s.pk for s in studies])
    rows = []
    for study in studies:
        milestone = upcoming.get(study.pk)
        standing = (
            rules.milestone_standing(
                baseline_on=milestone.baseline_on,
                forecast_on=milestone.forecast_on,
                actual_on=None,
                today=today,
            )
            if milestone
            else None
        )
        rows.append(
            PortfolioRow(
                study=study,
                values=values[study.pk],
                next_milestone=milestone,
                next_milestone_variance_days=standing.variance_days if standing else None,
                next_milestone_late=standing.is_late if standing else False,
            )
        )
    return rows


def _next_milestones(study_ids: list[int]) -> dict[int, NextMilestone]:
    """Each study's next open study-level milestone (earliest forecast, else baseline), in one query on
    the milestones' (study, actual_on) index, read with values()."""
    upcoming: dict[int, NextMilestone] = {}
    due_of: dict[int, date] = {}
    open_milestones = (
        Milestone.objects.filter(study_id__in=study_ids, actual_on__isnull=True, study_site__isnull=True)
        .order_by("study_id", "forecast_on", "baseline_on", "id")
        .values_list("study_id", "kind", "name", "baseline_on", "forecast_on")
    )
    for study_id, kind, name, baseline_on, forecast_on in open_milestones:
        due = forecast_on or baseline_on
        current = due_of.get(study_id)
        if due and (current is None or due < current):
            due_of[study_id] = due
            upcoming[study_id] = NextMilestone(
                name or MILESTONE_LABELS.get(kind, kind), baseline_on, forecast_on
            )
    return upcoming


def protocol_versions_for(user: User, study: Study) -> QuerySet[ProtocolVersion]:
    return ProtocolVersion.objects.visible_to(user).filter(study=study).order_by("version_date", "id")


def arms_for(user: User, study: Study) -> QuerySet[Arm]:
    return Arm.objects.visible_to(user).filter(study=study)


def milestones_for(user: User, study: Study) -> QuerySet[Milestone]:
    return (
        Milestone.objects.visible_to(user)
        .filter(study=study)
        .select_related("study_site__institution")
        .order_by("study_site_id", "baseline_on", "id")
    )


def study_sites_visible_to(user: User) -> QuerySet:
    """The study sites `user` may see, for a milestone's site.

    Studies sit below sites in the layers, so they do not import the site model: the milestone's own
    foreign key names it.
    """
    return Milestone._meta.get_field("study_site").related_model.objects.visible_to(user)


def audit_trail_for(user: User, study: Study) -> QuerySet[AuditEvent]:
    """The study's audit trail, newest first; site staff see study-wide events and their own sites'."""
    return AuditEvent.objects.visible_to(user).filter(study_id=study.pk).order_by("-id")
