"""The study's quality tolerance limit parameters, computed from Trialdesk's own records (aggregate
figures: they name no participant), with each limit's status (rules.quality)."""

from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.utils.translation import gettext

from trialdesk.monitoring.models import MonitoringPlan, QtlParameter, QualityToleranceLimit
from trialdesk.monitoring.rules import quality as rules
from trialdesk.monitoring.selectors.due import local_todays
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Study
from trialdesk.subjects import rules as subject_rules
from trialdesk.subjects.models import Participant, ScreeningEntry, ScreeningOutcome
from trialdesk.visits.models import DeviationCategory, ProtocolDeviation, ScheduledVisit, VisitStatus

ENDED = ("completed", "withdrawn", "lost_to_follow_up", "died")


@dataclass(frozen=True)
class QtlReading:
    parameter: str
    label: str
    numerator: int
    denominator: int
    value: float | None
    qtl: QualityToleranceLimit | None
    status: str  # rules.quality: within, secondary, breach, no_data ("" without a limit)
    explanation: str

    def as_dict(self) -> dict:
        return {
            "parameter": self.parameter,
            "value": self.value,
            "limit": float(self.qtl.limit) if self.qtl else None,
            "secondary_limit": float(self.qtl.secondary_limit)
            if self.qtl and self.qtl.secondary_limit is not None
            else None,
            "status": self.status,
        }


def _participant_counts(study: Study) -> dict[str, int]:
    enrolled = Participant.objects.filter(study=study, status__in=subject_rules.COUNTS_AS_ENROLLED)
    counted = enrolled.aggregate(
        enrolled=Count("id"),
        discontinued=Count(
            "id", filter=Q(status__in=(subject_rules.WITHDRAWN, subject_rules.LOST_TO_FOLLOW_UP))
        ),
    )
    deviations = ProtocolDeviation.objects.filter(
        study=study, participant__status__in=subject_rules.COUNTS_AS_ENROLLED
    )
    counted |= deviations.aggregate(
        important=Count("participant", filter=Q(important=True), distinct=True),
        consent=Count("participant", filter=Q(category=DeviationCategory.CONSENT), distinct=True),
    )
    screened = ScreeningEntry.objects.filter(study=study).aggregate(
        failed=Count("id", filter=Q(outcome=ScreeningOutcome.FAILED)),
        decided=Count("id", filter=~Q(outcome=ScreeningOutcome.PENDING)),
    )
    return counted | screened


def _primary_endpoint_visits(study: Study, codes: list[str]) -> tuple[int, int]:
    """(missed, expected) primary-endpoint visits: not done with their window closed before the site's
    today (unless the participant had left by then), over those done plus those missed."""
    if not codes:
        return 0, 0
    visits = ScheduledVisit.objects.filter(participant__study=study, definition__code__in=codes)
    done = visits.filter(status=VisitStatus.DONE).count()
    left_first = Q(participant__status__in=ENDED, participant__status_changed_on__lte=F("window_end_on"))
    pending = (
        visits.filter(status=VisitStatus.SCHEDULED, window_end_on__isnull=False)
        .exclude(left_first)
        .values("participant__study_site_id", "window_end_on")
        .annotate(n=Count("id"))
        .order_by()
    )
    today_of = local_todays(StudySite.objects.filter(study=study).select_related("institution"))
    missed = sum(
        row["n"] for row in pending if row["window_end_on"] < today_of[row["participant__study_site_id"]]
    )
    return missed, done + missed


def study_qtl_readings(study: Study) -> list[QtlReading]:
    """Every QTL parameter's value for the study, with its limit and status where one is set."""
    counts = _participant_counts(study)
    plan = MonitoringPlan.objects.filter(study=study).order_by("-number").first()
    codes = plan.primary_endpoint_codes if plan else []
    missed, expected = _primary_endpoint_visits(study, codes)
    enrolled = counts["enrolled"]
    figures = {
        QtlParameter.IMPORTANT_DEVIATIONS: (
            counts["important"],
            enrolled,
            gettext("%(numerator)s of %(denominator)s enrolled participants with an important deviation"),
        ),
        QtlParameter.EARLY_DISCONTINUATION: (
            counts["discontinued"],
            enrolled,
            gettext("%(numerator)s of %(denominator)s enrolled participants withdrawn or lost to follow-up"),
        ),
        QtlParameter.MISSED_PRIMARY_ENDPOINT: (
            missed,
            expected,
            gettext("%(numerator)s of %(denominator)s primary-endpoint visits (%(codes)s) missed")
            if codes
            else gettext("%(numerator)s of %(denominator)s no primary-endpoint visits named in the plan"),
        ),
        QtlParameter.CONSENT_DEVIATIONS: (
            counts["consent"],
            enrolled,
            gettext("%(numerator)s of %(denominator)s enrolled participants with a consent deviation"),
        ),
        QtlParameter.SCREEN_FAILURE: (
            counts["failed"],
            counts["decided"],
            gettext("%(numerator)s of %(denominator)s screened people who failed screening"),
        ),
    }
    limits = {qtl.parameter: qtl for qtl in QualityToleranceLimit.objects.filter(study=study)}
    readings = []
    for parameter, (numerator, denominator, what) in figures.items():
        value = rules.percent(numerator, denominator)
        qtl = limits.get(parameter)
        status = rules.qtl_status(value, limit=qtl.limit, secondary_limit=qtl.secondary_limit) if qtl else ""
        readings.append(
            QtlReading(
                parameter=str(parameter),
                label=QtlParameter(parameter).label,
                numerator=numerator,
                denominator=denominator,
                value=value,
                qtl=qtl,
                status=status,
                explanation=what
                % {"numerator": numerator, "denominator": denominator, "codes": ", ".join(codes)},
            )
        )
    return readings
