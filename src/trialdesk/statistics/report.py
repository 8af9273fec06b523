"""The Recruitment plan section of the stakeholder reports (core.extensions.report_sections): enrollment
and activations against the latest plan version, for the study, each country and each site the reader
may see. Counts only, so a sponsor viewer's report holds it too."""

from trialdesk.core.extensions import ReportBlock, ReportTable
from trialdesk.statistics import plans, rules

HEADINGS = (
    "",
    "Planned to date",
    "Enrolled",
    "Variance",
    "Planned in all",
    "Planned activations",
    "Activated",
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
                f"{plans.LEVEL_LABELS[group.level]} {group.key}",
                str(planned),
                str(group.actual_enrollment),
                f"{group.actual_enrollment - planned:+d}",
                str(group.planned_enrollment),
                str(group.planned_activations),
                str(group.actual_activations),
            )
        )
    head = rows[0] if rows else None
    summary = f"Plan version {plan.plan_version} ({plan.reason})."
    if head is not None:
        summary += f" {head[0]}: {head[2]} enrolled against {head[1]} planned by {month} ({head[3]})."
    return ReportBlock(summary=summary, tables=(ReportTable(HEADINGS, tuple(rows)),))
