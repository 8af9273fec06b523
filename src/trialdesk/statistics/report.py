"""The Recruitment plan section of the stakeholder reports (core.extensions.report_sections): enrollment
and activations against the latest plan version, for the study, each country and each site the reader
may see. Counts only, so a sponsor viewer's report holds it too."""

from django.utils.translation import gettext, gettext_noop

from trialdesk.core.extensions import ReportBlock, ReportTable
from trialdesk.statistics import plans, rules

HEADINGS = (
    "",
    gettext_noop("Planned to date"),
    gettext_noop("Enrolled"),
    gettext_noop("Variance"),
    gettext_noop("Planned in all"),
    gettext_noop("Planned activations"),
    gettext_noop("Activated"),
)


def study_block(user, study, today) -> ReportBlock | None:
    """None while the study has no plan (the section is left out)."""
    plan = plans.plan_of(user, study)
    if plan is None:
        return None
    variance = plans.plan_variance(user, study, plan, as_of=today)
    month = rules.month_of(today)
    rows = []
    for group in variance.groups:
        done = [row for row in group.months if row["month"] <= month]
        planned = done[-1]["cumulative_planned"] if done else 0
        rows.append(
            (
                f"{gettext(plans.LEVEL_LABELS[group.level])} {group.key}",
                str(planned),
                str(group.actual_enrollment),
                f"{group.actual_enrollment - planned:+d}",
                str(group.planned_enrollment),
                str(group.planned_activations),
                str(group.actual_activations),
            )
        )
    head = rows[0] if rows else None
    summary = gettext("Plan version %(version)s (%(reason)s).") % {
        "version": plan.plan_version,
        "reason": plan.reason,
    }
    if head is not None:
        against = gettext(
            "%(level)s: %(enrolled)s enrolled against %(planned)s planned by %(month)s (%(variance)s)."
        )
        summary += " " + against % {
            "level": head[0],
            "enrolled": head[2],
            "planned": head[1],
            "month": month,
            "variance": head[3],
        }
    headings = tuple(gettext(heading) if heading else heading for heading in HEADINGS)
    return ReportBlock(summary=summary, tables=(ReportTable(headings, tuple(rows)),))
