"""A visit report's round trip in a real browser: the CRA writes it with two findings and an action item
and signs it, the CRM returns it, the CRA fixes and resubmits it, the CRM signs it; the site's
coordinator resolves the action item and the CRA verifies and closes it.

A real server runs as a subprocess on a temporary SQLite database (as in test_smoke.py), seeded by
trialdesk.monitoring.tests.browser_seed.
"""

import datetime as dt
import re

import pytest

from tests.browser.live import ARTIFACTS, PASSWORD, live_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    seeds = [["-m", "trialdesk.monitoring.tests.browser_seed"]]
    with live_server(tmp_path_factory.mktemp("trialdesk-monitoring"), seeds) as live:
        yield live.base_url, re.search(r"report \(id (\d+)\)", live.seed_output).group(1)


def sign_in(page, base_url, username):
    page.context.clear_cookies()
    page.goto(base_url + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_report_returned_fixed_signed_and_the_action_item_closed(server, page):
    from playwright.sync_api import expect

    base_url, report_id = server
    report_url = f"{base_url}/monitoring/reports/{report_id}/"
    ARTIFACTS.mkdir(exist_ok=True)

    # The CRA answers the template, adds two findings and an action item, and signs.
    sign_in(page, base_url, "monitor_mia")
    page.goto(report_url)
    for select in page.locator("#report-form select").all():
        select.select_option("yes")
    page.fill("#id_summary", "Site well organised.")
    page.get_by_role("button", name="Save report").click()
    expect(page.locator(".messages")).to_contain_text("Report saved.")
    for category, severity, text in (
        ("consent", "major", "Two participants signed ICF v1.0 after v2.0"),
        ("isf", "minor", "Delegation log not updated"),
    ):
        page.get_by_role("link", name="Add a finding").click()
        page.select_option("#id_category", category)
        page.select_option("#id_severity", severity)
        page.fill("#id_description", text)
        page.get_by_role("button", name="Save").click()
    expect(page.locator("#findings tbody tr")).to_have_count(2)
    page.locator("#findings tr", has_text="ICF v1.0").get_by_role("link", name="Action item").click()
    page.fill("#id_description", "Re-consent both participants on v2.0")
    page.select_option("#id_owner", label="Coordinator A1 (coordinator_a1)")
    page.fill("#id_due_on", (dt.date.today() + dt.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Action item raised.")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign and submit").click()
    expect(page.locator("#report-status")).to_have_text("Submitted")
    page.screenshot(path=ARTIFACTS / "monitoring-1-submitted.png", full_page=True)

    # The CRM returns it with comments.
    sign_in(page, base_url, "crm_anna")
    page.goto(report_url)
    page.select_option("#id_decision", "return")
    page.fill("#id_comments", "Name the consent versions in the summary.")
    page.get_by_role("button", name="Record review").click()
    expect(page.locator("#report-status")).to_have_text("Returned with comments")

    # The CRA fixes it and signs again.
    sign_in(page, base_url, "monitor_mia")
    page.goto(report_url)
    expect(page.locator("#review-comments")).to_contain_text("Name the consent versions")
    page.fill("#id_summary", "Site well organised. Consent versions: v1.0 (superseded) and v2.0.")
    page.get_by_role("button", name="Save report").click()
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign and submit").click()
    expect(page.locator("#report-status")).to_have_text("Submitted")

    # The CRM approves with their signature.
    sign_in(page, base_url, "crm_anna")
    page.goto(report_url)
    page.select_option("#id_decision", "approve")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Record review").click()
    expect(page.locator("#report-status")).to_have_text("Approved")
    expect(page.locator("#signatures li")).to_have_count(3)
    expect(page.locator("#signatures")).to_contain_text("Reviewer: I have reviewed and approve this report")
    page.screenshot(path=ARTIFACTS / "monitoring-2-approved.png", full_page=True)

    # The coordinator resolves the action item; the CRA verifies and closes it.
    sign_in(page, base_url, "coordinator_a1")
    page.goto(f"{base_url}/my-work/")
    page.get_by_role("link", name=re.compile("Re-consent both participants")).click()
    page.fill("#id_resolution", "Both re-consented on v2.0; forms filed.")
    page.get_by_role("button", name="Mark resolved").click()
    expect(page.locator("#item-status")).to_have_text("Resolved (awaiting verification)")
    item_url = page.url
    sign_in(page, base_url, "monitor_mia")
    page.goto(item_url)
    page.get_by_role("button", name="Verify and close").click()
    expect(page.locator("#item-status")).to_have_text("Verified and closed")
    page.screenshot(path=ARTIFACTS / "monitoring-3-item-closed.png", full_page=True)
