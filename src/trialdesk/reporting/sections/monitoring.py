"""Open issues and risks (monitoring): the study team's record, so only readers of its sponsor side see
it; an issue's title may name a participant, so the list of issues is for subject-level readers only."""

from django.db.models import Count
from django.utils.translation import gettext

from trialdesk.core.extensions import ReportBlock, ReportTable
from trialdesk.core.permissions import can_see_subject_level
from trialdesk.monitoring.models import (
    ActionItem,
    ActionStatus,
    Issue,
    IssueStatus,
    Risk,
    RiskStatus,
    Severity,
)
from trialdesk.monitoring.permissions import may_read_sponsor_side


def _day(day) -> str:
    return day.isoformat() if day else ""


def study_block(user, study, today) -> ReportBlock:
    if not may_read_sponsor_side(user, study.pk):
        return ReportBlock(summary=gettext("hidden: monitoring is the study team's record."))
    issues = Issue.objects.visible_to(user).filter(study=study).exclude(status=IssueStatus.CLOSED)
    risks = Risk.objects.visible_to(user).filter(study=study, status=RiskStatus.OPEN)
    items = ActionItem.objects.visible_to(user).filter(study=study, status=ActionStatus.OPEN)
    by_severity = dict(issues.values_list("severity").annotate(n=Count("pk")).values_list("severity", "n"))
    figures = (
        (gettext("Open issues"), str(sum(by_severity.values()))),
        *(
            (
                gettext("Open issues, %(severity)s") % {"severity": gettext(label).lower()},
                str(by_severity.get(value, 0)),
            )
            for value, label in Severity.choices
        ),
        (gettext("Open risks"), str(risks.count())),
        (gettext("Open action items"), str(items.count())),
        (gettext("Overdue action items"), str(items.filter(due_on__lt=today).count())),
    )
    tables = [
        ReportTable(
            (gettext("Risk"), "Category", "Likelihood × impact", "Mitigation"),
            tuple(
                (
                    f"R-{r.number} {r.title}",
                    gettext(r.get_category_display()),
                    f"{r.likelihood} × {r.impact}",
                    r.mitigation,
                )
                for r in risks.order_by("-likelihood", "-impact", "number")[:30]
            ),
        )
    ]
    if can_see_subject_level(user, study.pk):
        tables.insert(
            0,
            ReportTable(
                (gettext("Issue"), "Severity", "Status", "Due"),
                tuple(
                    (
                        f"I-{i.number} {i.title}",
                        gettext(i.get_severity_display()),
                        gettext(i.get_status_display()),
                        _day(i.due_on),
                    )
                    for i in issues.order_by("due_on", "number")[:30]
                ),
            ),
        )
    return ReportBlock(figures=figures, tables=tuple(t for t in tables if t.rows))
