"""The site page's Start-up panel, the study's Start-up tab, ticking and overriding by page."""

import pytest

from tests.factories import PASSWORD
from trialdesk.startup.models import GateOverride
from trialdesk.startup.tests.factories import gated_study, walk_to

pytestmark = pytest.mark.django_db


def test_site_page_and_study_tab_show_the_tracker_and_overrides(world, client_for):
    crm = client_for(world.crm)
    page = crm.get(f"/study-sites/{world.site_a1.pk}/").content.decode()
    assert 'id="site-startup"' in page and "Confidentiality agreement signed" in page
    assert "Activation and close-out override for every site of the study" in page  # the test world's
    tab = crm.get(f"/studies/{world.study_a.pk}/?tab=startup").content.decode()
    assert "Start-up timeline" in tab or "Cycle times" in tab
    assert "Clinical trial agreement" in tab
    assert 'id="startup-site-cycles"' in tab and "ONC-A 101" in tab
    closure = crm.get(f"/studies/{world.study_a.pk}/?tab=startup&gate=closure").content.decode()
    assert "Close-out visit done" in closure


def test_tick_and_override_pages_write_through_the_service(world, client_for):
    study, site = gated_study(world)
    site = walk_to(site, "start_up", by=world.crm)
    crm = client_for(world.crm)
    empty = crm.post(f"/study-sites/{site.pk}/startup/tick/?gate=activation", {"item": "pharmacy_check"})
    assert empty.status_code == 200 and "Say where the evidence is" in empty.content.decode()
    done = crm.post(
        f"/study-sites/{site.pk}/startup/tick/?gate=activation",
        {"item": "pharmacy_check", "done_on": "2025-03-01", "done_by": "Dr Ngata", "evidence": "Receipt 77"},
    )
    assert done.status_code == 302
    refused = crm.post(f"/study-sites/{site.pk}/status/", {"to": "activated", "reason": "go"})
    assert "required item(s) pending" in refused.content.decode()
    signed = crm.post(
        f"/study-sites/{site.pk}/startup/override/",
        {"gate": "activation", "reason": "ISF on paper", "password": PASSWORD},
    )
    assert signed.status_code == 302 and GateOverride.objects.filter(study_site=site).exists()
    assert client_for(world.monitor).get(f"/study-sites/{site.pk}/startup/override/").status_code == 404


def test_the_study_report_lists_the_overrides_and_cycle_times(world):
    import datetime as dt

    from trialdesk.startup import report

    block = report.study_block(world.crm, world.study_a, dt.date(2025, 6, 1))
    assert dict(block.figures)["Gate overrides"] == "1"  # the test world's, for both gates
    overrides = block.tables[1]
    assert {row[1] for row in overrides.rows} == {"every site"}
    assert overrides.rows[0][4] == "Test world: checklists not built"
    assert [row[0] for row in block.tables[2].rows][0] == "Selection → Contract"


def test_the_timeline_chart_draws_a_bar_per_interval_reached():
    import datetime as dt

    from trialdesk.startup import cycles, rules

    cycle = rules.SiteCycle(
        1,
        "ONC-A 101",
        "DE",
        {"selected": dt.date(2025, 1, 1), "contract": dt.date(2025, 2, 1), "activated": dt.date(2025, 4, 1)},
    )
    spec = cycles.timeline_chart([cycle])
    rows = spec["data"]["values"] if "data" in spec else spec["datasets"]
    assert "Start-up timeline" in str(spec["title"]) and len(str(rows)) > 0
    assert cycles.timeline_chart([rules.SiteCycle(2, "x", "DE", {})]) is None
