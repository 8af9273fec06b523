"""The quality dimension of a study's health from its monitoring: QTL breaches, signals waiting for
triage, overdue action items and overdue reports (thresholds in rules below, read by the Health panel)."""

from django.urls import reverse
from django.utils.translation import gettext, gettext_noop

from trialdesk.core.extensions import AMBER, GREEN, RED, UNKNOWN, HealthReading, HealthSignal
from trialdesk.monitoring.models import (
    ActionItem,
    ActionStatus,
    MonitoringPlan,
    ReportStatus,
    Signal,
    SignalStatus,
    VisitReport,
)
from trialdesk.monitoring.permissions import may_read_sponsor_side
from trialdesk.monitoring.rules import quality as rules
from trialdesk.monitoring.selectors.qtls import study_qtl_readings

WORDS = {
    "breaches": gettext_noop("QTL breaches"),
    "secondary": gettext_noop("QTLs over their secondary limit"),
    "overdue_items": gettext_noop("action items overdue"),
    "overdue_reports": gettext_noop("visit reports overdue"),
    "untriaged": gettext_noop("signals to triage"),
}
HIDDEN = gettext_noop("hidden: monitoring is the study team's record")


def colour(*, breaches: int, secondary: int, overdue_items: int, overdue_reports: int, untriaged: int) -> str:
    """Red with a QTL breach; amber with a warning or anything overdue; green otherwise."""
    if breaches:
        return RED
    if secondary or overdue_items or overdue_reports or untriaged:
        return AMBER
    return GREEN


def read(user, study, today) -> HealthReading:
    url = f"{reverse('study_detail', kwargs={'study_id': study.pk})}?tab=rbqm"
    if not may_read_sponsor_side(user, study.pk):
        return HealthReading("quality", UNKNOWN, gettext(HIDDEN), "")
    if not MonitoringPlan.objects.filter(study=study).exists():
        return HealthReading("quality", UNKNOWN, gettext("no monitoring plan yet"), url)
    readings = study_qtl_readings(study)
    facts = {
        "breaches": sum(r.status == rules.BREACH for r in readings),
        "secondary": sum(r.status == rules.SECONDARY for r in readings),
        **_overdue(today, study=study),
        "untriaged": Signal.objects.filter(study=study, status=SignalStatus.OPEN).count(),
    }
    why = [f"{gettext(WORDS[key])}: {n}" for key, n in facts.items() if n]
    return HealthReading(
        "quality", colour(**facts), "; ".join(why) or gettext("QTLs within limits, nothing overdue"), url
    )


def read_site(user, study_site, today) -> HealthReading:
    """The site's own monitoring: overdue action items and visit reports (QTLs and signals are study-wide
    and stay on the study's reading)."""
    study = study_site.study
    url = f"{reverse('study_detail', kwargs={'study_id': study.pk})}?tab=monitoring"
    if not may_read_sponsor_side(user, study.pk):
        return HealthReading("quality", UNKNOWN, gettext(HIDDEN), "")
    facts = _overdue(today, study_site=study_site)
    why = [f"{gettext(WORDS[key])}: {n}" for key, n in facts.items() if n]
    found = colour(breaches=0, secondary=0, untriaged=0, **facts)
    return HealthReading(
        "quality", found, "; ".join(why) or gettext("no action item or visit report overdue"), url
    )


def _overdue(today, **where) -> dict[str, int]:
    """Open action items and unsubmitted visit reports past their due day, of a study or one site."""
    return {
        "overdue_items": ActionItem.objects.filter(
            status=ActionStatus.OPEN, due_on__lt=today, **where
        ).count(),
        "overdue_reports": VisitReport.objects.filter(
            status__in=(ReportStatus.DRAFT, ReportStatus.RETURNED), due_on__lt=today, **where
        ).count(),
    }


MONITORING = HealthSignal("monitoring", "Monitoring and QTLs", read, order=60, read_site=read_site)
