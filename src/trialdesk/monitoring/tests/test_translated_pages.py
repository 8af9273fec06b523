"""The monitoring pages in the reader's language (issue 20 §6): a CRM who chose German reads the study's
monitoring tab and a visit report in German."""

import datetime as dt

import pytest
from django.utils import translation

from trialdesk.monitoring.models import VisitReport
from trialdesk.monitoring.rules import schedule, tiers
from trialdesk.monitoring.tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_german_crm_reads_the_monitoring_pages_in_german(world, client_for):
    f.plan(world)
    f.set_up(world)
    visit = f.conducted(world, day=dt.date(2025, 3, 10))
    report = VisitReport.objects.get(visit=visit)
    world.crm.language = "de"
    world.crm.save(update_fields=["language"])
    client = client_for(world.crm)
    with translation.override("en"):  # the pages activate German; the tests after these read English
        tab = client.get(f"/studies/{world.study_a.pk}/?tab=monitoring").content.decode()
        assert "Monitoringplan" in tab and "Letzte Besuche" in tab
        page = client.get(f"/monitoring/reports/{report.pk}/").content.decode()
        assert "Besuchsbericht" in page and "Feststellungen" in page


def test_the_due_reasons_and_tier_reasons_follow_the_readers_language():
    site = schedule.SiteHistory(status="under_feasibility", tier="low", today=dt.date(2025, 3, 10))
    plan = schedule.PlanSchedule(first_imv_weeks=6, cov_within_days=30, qualification_required=True, tiers={})
    with translation.override("de"):
        assert schedule.next_due(site, plan).reason == "vor der Auswahl (kein geplantes Aktivierungsdatum)"
        assert tiers.site_tier(open_issues={"major": 2}).reasons == ("2 offene schwere Probleme (+4)",)
    with translation.override("en"):
        assert schedule.next_due(site, plan).reason == "before selection (no planned activation date)"
