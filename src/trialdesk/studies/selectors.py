"""Reads for the portfolio and study pages; every one starts from what the user may see."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from trialdesk.core.models import AuditEvent, User
from trialdesk.core.permissions import can_create_study
from trialdesk.sites import rules as site_rules
from trialdesk.sites.models import StudySite
from trialdesk.statistics.forecasts import latest_forecasts
from trialdesk.studies.models import Arm, Milestone, Program, ProtocolVersion, Study
from trialdesk.subjects.selectors import enrolled_count

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
    """The user's studies, filtered and sorted, with site and participant counts annotated (one query)."""
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
    studies = studies.annotate(
        sites_active=Count("sites", filter=Q(sites__status__in=site_rules.ACTIVE_STATUSES)),
        sites_planned=Count("sites", filter=~Q(sites__status="terminated")),
        enrolled=enrolled_count(),
    )
    return studies.order_by(PORTFOLIO_SORTS.get(sort, "code"), "pk")


def therapeutic_areas_for(user: User) -> list[str]:
    return list(
        studies_for(user).order_by("therapeutic_area").values_list("therapeutic_area", flat=True).distinct()
    )


@dataclass(frozen=True)
class PortfolioRow:
    study: Study
    countries: tuple[str, ...]
    sites_active: int
    sites_planned: int
    enrolled: int
    next_milestone: Milestone | None
    next_milestone_variance_days: int | None
    next_milestone_late: bool
    # Stored probability of reaching the target by the planned last participant in (None: no forecast).
    forecast_probability: float | None = None


def portfolio_rows(
    studies: list[Study], *, today: date | None = None, with_forecasts: bool = True
) -> list[PortfolioRow]:
    """Countries and next milestone for a page of annotated studies, in a constant number of queries."""
    today = today or timezone.now().date()
    ids = [s.pk for s in studies]
    countries = defaultdict(set)
    for study_id, country in (
        StudySite.objects.filter(study_id__in=ids).values_list("study_id", "institution__country").distinct()
    ):
        countries[study_id].add(country)
    upcoming: dict[int, Milestone] = {}
    open_milestones = Milestone.objects.filter(
        study_id__in=ids, study_site__isnull=True, actual_on__isnull=True
    ).order_by("study_id", "forecast_on", "baseline_on", "id")
    for milestone in open_milestones:
        current = upcoming.get(milestone.study_id)
        due = milestone.forecast_on or milestone.baseline_on
        if due and (current is None or due < (current.forecast_on or current.baseline_on)):
            upcoming[milestone.study_id] = milestone
    # One more query, for the page's colouring; the API, which does not show it, skips it.
    forecasts = latest_forecasts(ids) if with_forecasts else {}
    rows = []
    for study in studies:
        milestone = upcoming.get(study.pk)
        standing = milestone.standing(today) if milestone else None
        rows.append(
            PortfolioRow(
                study=study,
                countries=tuple(sorted(countries[study.pk])),
                sites_active=study.sites_active,
                sites_planned=study.sites_planned,
                enrolled=study.enrolled,
                next_milestone=milestone,
                next_milestone_variance_days=standing.variance_days if standing else None,
                next_milestone_late=standing.is_late if standing else False,
                forecast_probability=(
                    forecasts[study.pk].probability_by_planned_end if study.pk in forecasts else None
                ),
            )
        )
    return rows


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


def sites_for(user: User, study: Study) -> QuerySet[StudySite]:
    return StudySite.objects.visible_to(user).filter(study=study).select_related("institution")


def audit_trail_for(user: User, study: Study) -> QuerySet[AuditEvent]:
    """The study's audit trail, newest first; site staff see study-wide events and their own sites'."""
    return AuditEvent.objects.visible_to(user).filter(study_id=study.pk).order_by("-id")
