"""The demo's monitoring: plans for every study, past visits with signed reports, open and overdue
action items, a triaged signal, a QTL breach and its issue, and carbon totals."""

import io

import pytest
from django.core.management import call_command

from trialdesk.monitoring.models import (
    ActionItem,
    Issue,
    MonitoringPlan,
    MonitoringVisit,
    ReportSignature,
    Signal,
    VisitReport,
)
from trialdesk.monitoring.selectors.qtls import study_qtl_readings
from trialdesk.studies.models import Study

pytestmark = pytest.mark.django_db


def test_the_demo_has_monitoring_at_every_stage(clock):
    call_command("demo", stdout=io.StringIO(), stderr=io.StringIO())
    assert MonitoringPlan.objects.count() == Study.objects.count()
    assert VisitReport.objects.filter(status="approved").exists()
    assert {"draft", "submitted", "returned", "approved"} <= set(
        VisitReport.objects.values_list("status", flat=True)
    )
    assert ReportSignature.objects.filter(reauthenticated=True, meaning="approval").exists()
    assert ReportSignature.objects.filter(reauthenticated=False).exists()
    today = clock.today()
    assert ActionItem.objects.filter(status="open", due_on__lt=today).exists()
    assert ActionItem.objects.filter(status="open", due_on__gte=today).exists()
    assert ActionItem.objects.filter(status="resolved").exists()
    signal = Signal.objects.get(status="triaged")
    assert MonitoringVisit.objects.filter(signal=signal, visit_type="for_cause", status="planned").exists()
    onc = Study.objects.get(code="ONC-301")
    assert any(r.status == "breach" for r in study_qtl_readings(onc))
    assert Issue.objects.filter(study=onc, source="qtl").exists()
    assert MonitoringVisit.objects.filter(modality="on_site", status="conducted", kg_co2e__gt=0).exists()
