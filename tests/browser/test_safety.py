"""A serious adverse event recorded in a real browser: its obligations appear, one is marked submitted.

A real server runs as a subprocess on a temporary SQLite database (as in test_smoke.py), seeded by
trialdesk.safety.tests.browser_seed (study ONC-A with sites in Berlin and Tokyo: EU and Japan).
"""

import re

import pytest

from tests.browser.live import ARTIFACTS, PASSWORD, live_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    seeds = [["-m", "trialdesk.safety.tests.browser_seed"]]
    with live_server(tmp_path_factory.mktemp("trialdesk-safety"), seeds) as live:
        yield live.base_url, re.search(r"\(id (\d+)\)", live.seed_output).group(1)


def test_record_a_serious_event_see_its_obligations_and_mark_one_submitted(server, page):
    from playwright.sync_api import expect

    base_url, study_id = server
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(base_url + "/login/")
    page.fill("#id_username", "crm_anna")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.goto(f"{base_url}/studies/{study_id}/?tab=safety")
    page.get_by_role("link", name="Record an adverse event").click()
    page.select_option("#id_participant", label="101-001")
    page.fill("#id_verbatim_term", "short of breath, admitted")
    page.fill("#id_ctcae_term", "Pneumonit")
    expect(page.locator("#ctcae-help")).to_contain_text("Pneumonitis")  # the htmx suggestions
    page.fill("#id_ctcae_term", "Pneumonitis")
    page.select_option("#id_grade", "3")
    expect(page.locator("#ctcae-help")).to_contain_text("Grade 3: Severe symptoms")
    page.fill("#id_onset_on", "2025-03-09")
    page.get_by_label("Hospitalization (initial or prolonged)").check()
    page.select_option("#id_causality", "probably")
    page.select_option("#id_expected", "no")
    page.fill("#id_site_aware_at", "2025-03-10T10:00")
    page.fill("#id_sponsor_aware_at", "2025-03-10T15:00")
    page.get_by_role("button", name="Save").click()

    expect(page.locator(".messages")).to_contain_text("AE-0001 recorded")
    obligations = page.locator("#obligations")
    expect(obligations).to_contain_text("EudraVigilance")
    expect(obligations).to_contain_text("Regulation (EU) No 536/2014 art. 42(2)(b)")
    expect(obligations).to_contain_text("PMDA")
    expect(obligations.locator("tr", has_text="Sponsor")).to_contain_text("2025-03-11 10:00")
    page.screenshot(path=ARTIFACTS / "safety-1-obligations.png", full_page=True)

    page.locator("tr", has_text="EudraVigilance").get_by_role("link", name="Mark submitted").click()
    page.fill("#id_submitted_at", "2025-03-20T09:30")
    page.fill("#id_reference_number", "EU-EC-000123")
    page.get_by_role("button", name="Mark submitted").click()

    expect(page.locator(".messages")).to_contain_text("marked submitted")
    row = page.locator("#obligations tr", has_text="EudraVigilance")
    expect(row).to_contain_text("met")  # submitted on time (issue 13's statuses: open, met, missed)
    expect(row).to_contain_text("EU-EC-000123")
    page.screenshot(path=ARTIFACTS / "safety-2-submitted.png", full_page=True)
