"""Milestones as a timeline (a Gantt from baseline to actual or forecast) and their variance."""

from django.utils.translation import gettext

from trialdesk.core import charts
from trialdesk.core.extensions import ReportBlock, ReportTable
from trialdesk.studies.models import Milestone


def _day(day) -> str:
    return day.isoformat() if day else ""


def _milestones(user, studies):
    return (
        Milestone.objects.visible_to(user)
        .filter(study__in=studies)
        .select_related("study", "study_site")
        .order_by("baseline_on", "forecast_on", "pk")
    )


def study_block(user, study, today) -> ReportBlock | None:
    milestones = list(_milestones(user, [study]))
    if not milestones:
        return ReportBlock(summary=gettext("No milestones recorded."))
    standings = [(m, m.standing(today)) for m in milestones]
    chart = charts.milestone_timeline(
        [
            {
                "label": m.label if not m.study_site_id else f"{m.label} (site {m.study_site.site_number})",
                "baseline_on": m.baseline_on,
                "forecast_on": m.forecast_on,
                "actual_on": m.actual_on,
                "late": s.is_late,
            }
            for m, s in standings
        ],
        today=today,
    )
    rows = tuple(
        (
            m.label,
            m.study_site.site_number if m.study_site_id else gettext("study"),
            _day(m.baseline_on),
            _day(m.forecast_on),
            _day(m.actual_on),
            "" if s.variance_days is None else f"{s.variance_days:+d}",
            gettext("late") if s.is_late else (gettext("done") if s.is_done else gettext("on track")),
        )
        for m, s in standings
    )
    late = sum(s.is_late for _, s in standings)
    return ReportBlock(
        summary=gettext(
            "%(late)s of %(milestones)s milestones late (variance in calendar days; positive is late)."
        )
        % {"late": late, "milestones": len(milestones)},
        tables=(
            ReportTable(
                ("Milestone", "Site", "Baseline", "Forecast", "Actual", "Variance", "Standing"), rows
            ),
        ),
        charts=(chart,) if chart else (),
    )


def portfolio_block(user, studies, today) -> ReportBlock | None:
    if not studies:
        return None
    late: dict[int, int] = {}
    total: dict[int, int] = {}
    for milestone in _milestones(user, studies):
        total[milestone.study_id] = total.get(milestone.study_id, 0) + 1
        late[milestone.study_id] = late.get(milestone.study_id, 0) + milestone.standing(today).is_late
    rows = tuple((s.code, str(total.get(s.pk, 0)), str(late.get(s.pk, 0))) for s in studies)
    return ReportBlock(
        tables=(ReportTable((gettext("Study"), gettext("Milestones"), gettext("Late")), rows),)
    )
