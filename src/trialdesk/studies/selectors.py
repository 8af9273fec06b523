"""Reads for the portfolio and study pages; every one starts from what the user may see."""

from dataclasses import dataclass
from datetime import date

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from trialdesk.core import extensions
from trialdesk.core.models import AuditEvent, User
from trialdesk.core.permissions import can_create_study
from trialdesk.studies.models import Arm, Milestone, Program, ProtocolVersion, Study

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
}


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


def programs_for(user: User) -> QuerySet[Program]:
    """Programs are a shared directory for those who set up studies; others see their studies' programs."""
    if can_create_study(user):
        return Program.objects.all()
    return Program.objects.filter(pk__in=studies_for(user).values("program_id"))


def portfolio(
    user: User,
    *,
    status: str = "",
    phase: str = "",
    therapeutic_area: str = "",
    search: str = "",
    sort: str = "code",
) -> QuerySet[Study]:
    """The user's studies, filtered and sorted, with the portfolio columns' annotations (one query)."""
    studies = studies_for(user).select_related("program")
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
    annotations = {}
    for column in extensions.portfolio_columns:
        if column.annotate is not None:
            annotations.update(column.annotate())
        if column.annotate_for is not None:
            annotations.update(column.annotate_for(user))
    return studies.annotate(**annotations).order_by(portfolio_sorts().get(sort, "code"), "pk")


def therapeutic_areas_for(user: User) -> list[str]:
    return list(
        studies_for(user).order_by("therapeutic_area").values_list("therapeutic_area", flat=True).distinct()
    )


@dataclass(frozen=True)
class PortfolioRow:
    """One study of the portfolio: the study, each registered column's value, and its next milestone."""

    study: Study
    values: dict  # portfolio column key -> value (extensions.portfolio_columns)
    next_milestone: Milestone | None
    next_milestone_variance_days: int | None
    next_milestone_late: bool

    @property
    def cells(self) -> list[tuple]:
        """(column, value) for each column shown on the page, in order."""
        return [
            (column, self.values.get(column.key)) for column in extensions.portfolio_columns if column.on_page
        ]


def portfolio_rows(
    studies: list[Study], *, user: User, today: date | None = None, on_page: bool = True
) -> list[PortfolioRow]:
    """Column values and next milestone for a page of annotated studies, in a constant number of queries.

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
        standing = milestone.standing(today) if milestone else None
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


def _next_milestones(study_ids: list[int]) -> dict[int, Milestone]:
    """Each study's next open study-level milestone (earliest forecast, else baseline), in one query."""
    upcoming: dict[int, Milestone] = {}
    open_milestones = Milestone.objects.filter(
        study_id__in=study_ids, study_site__isnull=True, actual_on__isnull=True
    ).order_by("study_id", "forecast_on", "baseline_on", "id")
    for milestone in open_milestones:
        current = upcoming.get(milestone.study_id)
        due = milestone.forecast_on or milestone.baseline_on
        if due and (current is None or due < (current.forecast_on or current.baseline_on)):
            upcoming[milestone.study_id] = milestone
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
