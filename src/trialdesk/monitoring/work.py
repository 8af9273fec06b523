""" "My work" from monitoring (core.extensions.my_work): each source gives what is due for the person.

| source | for whom | due |
|--- |--- |--- |
| action items | their owner | the item's due date |
| action items to verify | the site's monitors (CRAs) | VERIFY_DAYS after the owner resolved it |
| escalated action items | the study's CRM | the due date (overdue past escalation) |
| reports to write | the visit's CRA | the report's due date |
| reports to approve | the study's CRM | the plan's review days after submission |
| signals to triage | the study's CRM and the site's monitors | the plan's triage days after opening |
| issues | their owner | the due date (or the effectiveness check) |
| visits due | the site's CRA | the visit's due date, within VISIT_HORIZON |
"""

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext

from trialdesk.core.extensions import WorkItem, WorkSource
from trialdesk.core.roles import Role
from trialdesk.core.scoping import role_facts
from trialdesk.monitoring.models import (
    ActionItem,
    ActionStatus,
    Issue,
    IssueStatus,
    MonitoringPlan,
    ReportStatus,
    Signal,
    SignalStatus,
    SiteMonitoring,
    VisitReport,
)
from trialdesk.monitoring.rules import actions as action_rules
from trialdesk.monitoring.rules import reports as report_rules
from trialdesk.monitoring.selectors.due import due_visits
from trialdesk.monitoring.services.visits import holiday_calendar
from trialdesk.sites.models import StudySite

VERIFY_DAYS = 10
VISIT_HORIZON = dt.timedelta(days=14)
DEFAULT_DAYS = 5


def _crm_studies(user) -> list[int]:
    facts = role_facts(user)
    return [study_id for study_id, roles in facts.study_roles.items() if Role.CRM in roles]


def _monitored_sites(user) -> list[int]:
    return [site_id for site_id, roles in role_facts(user).site_roles.items() if Role.MONITOR in roles]


def _plans(study_ids) -> dict[int, MonitoringPlan]:
    found = {}
    for plan in MonitoringPlan.objects.filter(study_id__in=study_ids).order_by("number"):
        found[plan.study_id] = plan
    return found


def _item_url(item) -> str:
    return reverse("monitoring_action_item", kwargs={"action_item_id": item.pk})


def action_items(user, today) -> list[WorkItem]:
    items = ActionItem.objects.filter(owner=user, status=ActionStatus.OPEN).select_related(
        "study", "study_site__institution"
    )
    return [
        WorkItem(
            "monitoring_actions",
            gettext("%(i)s at site %(site_number)s: %(description)s")
            % {"i": i, "site_number": i.study_site.site_number, "description": i.description[:80]},
            i.due_on,
            _item_url(i),
            i.study.code,
            i.due_on < i.study_site.local_today(),
        )
        for i in items
    ]


def items_to_verify(user, today) -> list[WorkItem]:
    items = ActionItem.objects.filter(
        study_site_id__in=_monitored_sites(user), status=ActionStatus.RESOLVED
    ).select_related("study", "study_site__institution")
    found = []
    for item in items:
        due = (item.resolved_on or today) + dt.timedelta(days=VERIFY_DAYS)
        found.append(
            WorkItem(
                "monitoring_verify",
                gettext("Verify %(item)s at site %(site_number)s")
                % {"item": item, "site_number": item.study_site.site_number},
                due,
                _item_url(item),
                item.study.code,
                due < today,
            )
        )
    return found


def escalated_items(user, today) -> list[WorkItem]:
    studies = _crm_studies(user)
    plans = _plans(studies)
    items = ActionItem.objects.filter(
        study_id__in=studies, status=ActionStatus.OPEN, due_on__lt=today
    ).select_related("study", "study_site__institution")
    found = []
    for item in items:
        days = plans[item.study_id].escalation_days if item.study_id in plans else 0
        local = item.study_site.local_today()
        if action_rules.is_escalated(
            status=item.status, due_on=item.due_on, today=local, escalation_days=days
        ):
            where = f"{item} at site {item.study_site.site_number}"
            title = gettext("Escalated: %(where)s overdue since %(due_on)s") % {
                "where": where,
                "due_on": format(item.due_on, "%Y-%m-%d"),
            }
            found.append(
                WorkItem("monitoring_escalated", title, item.due_on, _item_url(item), item.study.code, True)
            )
    return found


def reports_to_write(user, today) -> list[WorkItem]:
    reports = VisitReport.objects.filter(
        visit__cra=user, status__in=(ReportStatus.DRAFT, ReportStatus.RETURNED)
    ).select_related("study", "study_site__institution", "visit")
    found = []
    for report in reports:
        what = (
            gettext("Rework the returned report")
            if report.status == ReportStatus.RETURNED
            else gettext("Write the report")
        )
        url = reverse("monitoring_report", kwargs={"visit_report_id": report.pk})
        overdue = report.due_on < report.study_site.local_today()
        found.append(
            WorkItem(
                "monitoring_reports",
                gettext("%(what)s of the %(visit)s at site %(site_number)s")
                % {"what": what, "visit": report.visit, "site_number": report.study_site.site_number},
                report.due_on,
                url,
                report.study.code,
                overdue,
            )
        )
    return found


def reports_to_approve(user, today) -> list[WorkItem]:
    studies = _crm_studies(user)
    plans = _plans(studies)
    reports = VisitReport.objects.filter(study_id__in=studies, status=ReportStatus.SUBMITTED).select_related(
        "study", "study_site__institution", "visit"
    )
    found = []
    for report in reports:
        days = plans[report.study_id].approval_due_working_days if report.study_id in plans else DEFAULT_DAYS
        due = report_rules.report_due_on(
            visit_ended_on=report.submitted_at.date(),
            working_days=days,
            calendar=holiday_calendar(report.study_site.institution.country),
        )
        url = reverse("monitoring_report", kwargs={"visit_report_id": report.pk})
        found.append(
            WorkItem(
                "monitoring_approvals",
                gettext("Review the report of the %(visit)s at site %(site_number)s")
                % {"visit": report.visit, "site_number": report.study_site.site_number},
                due,
                url,
                report.study.code,
                due < today,
            )
        )
    return found


def signals_to_triage(user, today) -> list[WorkItem]:
    studies = _crm_studies(user)
    signals = Signal.objects.filter(
        Q(study_id__in=studies) | Q(study_site_id__in=_monitored_sites(user)), status=SignalStatus.OPEN
    ).select_related("study", "study_site__institution")
    plans = _plans({s.study_id for s in signals})
    found = []
    for signal in signals:
        days = plans[signal.study_id].signal_triage_days if signal.study_id in plans else DEFAULT_DAYS
        due = signal.opened_on + dt.timedelta(days=days)
        url = reverse("monitoring_signal", kwargs={"signal_id": signal.pk})
        found.append(
            WorkItem(
                "monitoring_signals",
                gettext("Triage signal #%(pk)s: %(kri_key)s at site %(site_number)s")
                % {"pk": signal.pk, "kri_key": signal.kri_key, "site_number": signal.study_site.site_number},
                due,
                url,
                signal.study.code,
                due < today,
            )
        )
    return found


def issues_owned(user, today) -> list[WorkItem]:
    found = []
    for issue in Issue.objects.filter(owner=user).exclude(status=IssueStatus.CLOSED).select_related("study"):
        checking = issue.status == IssueStatus.EFFECTIVENESS_CHECK and issue.effectiveness_check_on
        due = issue.effectiveness_check_on if checking else issue.due_on
        what = (
            gettext("Check the CAPA of %(issue)s") % {"issue": issue}
            if checking
            else f"{issue} {issue.title}"
        )
        url = reverse("monitoring_issue", kwargs={"issue_id": issue.pk})
        found.append(WorkItem("monitoring_issues", what, due, url, issue.study.code, due < today))
    return found


def visits_due(user, today) -> list[WorkItem]:
    site_ids = SiteMonitoring.objects.filter(cra=user).values("study_site_id")
    sites = list(StudySite.objects.filter(pk__in=site_ids).select_related("study", "institution"))
    found = []
    for due in due_visits(sites):
        if due.due_on > today + VISIT_HORIZON:
            continue
        url = reverse("study_site_detail", kwargs={"study_site_id": due.site.pk})
        how = gettext(due.modality.replace("_", " "))  # "on site", "remote": listed in labels.py
        title = gettext("%(visit_type)s (%(how)s) at site %(site_number)s: %(reason)s") % {
            "visit_type": due.visit_type.upper(),
            "how": how,
            "site_number": due.site.site_number,
            "reason": due.reason,
        }
        found.append(
            WorkItem("monitoring_visits", title, due.due_on, url, due.study_code, due.overdue_days > 0)
        )
    return found


SOURCES = (
    WorkSource("monitoring_actions", "Action items", action_items, 300),
    WorkSource("monitoring_verify", "Action items to verify", items_to_verify, 310),
    WorkSource("monitoring_escalated", "Escalated action items", escalated_items, 320),
    WorkSource("monitoring_reports", "Visit reports to write", reports_to_write, 330),
    WorkSource("monitoring_approvals", "Visit reports to review", reports_to_approve, 340),
    WorkSource("monitoring_signals", "Signals to triage", signals_to_triage, 350),
    WorkSource("monitoring_issues", "Issues", issues_owned, 360),
    WorkSource("monitoring_visits", "Monitoring visits due", visits_due, 370),
)
