"""The CRM's everyday path in a real browser: sign in, portfolio, study, milestone change, history.

The server and the browser page come from tests/browser/conftest.py (a real server on a temporary SQLite
database, seeded by tests/browser/seed.py).
"""

import re

import pytest

from tests.browser.live import ARTIFACTS, PASSWORD

pytestmark = pytest.mark.browser


def test_crm_changes_a_milestone_date_and_sees_it_in_the_history(server, page):
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(server + "/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    page.fill("#id_username", "crm_anna")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    portfolio = page.locator("#portfolio-table")
    expect(portfolio).to_contain_text("ONC-A")
    expect(portfolio).not_to_contain_text("CARD-B")
    page.screenshot(path=ARTIFACTS / "smoke-1-portfolio.png", full_page=True)

    portfolio.get_by_role("link", name="ONC-A").click()
    expect(page.locator("h1")).to_contain_text("ONC-A")
    page.get_by_role("tab", name="Setup", exact=True).click()  # the study page's groups, then their tabs
    page.get_by_role("tab", name="Milestones").click()
    milestones = page.locator("#tab-milestones")
    expect(milestones).to_be_visible()
    expect(page).to_have_url(re.compile(r"tab=milestones"))  # htmx pushed the tab's address

    row = milestones.locator("tr", has_text="First participant in")
    expect(row).to_contain_text("2025-06-20")
    row.get_by_role("link", name="Edit").click()
    page.fill("#id_forecast_on", "2025-07-15")
    page.fill("#id_reason", "Two sites activated late")
    page.screenshot(path=ARTIFACTS / "smoke-2-milestone-form.png", full_page=True)
    page.get_by_role("button", name="Save").click()

    expect(page.locator(".messages")).to_contain_text("Milestone saved.")
    expect(page.locator("#tab-milestones tr", has_text="First participant in")).to_contain_text("2025-07-15")

    page.get_by_role("tab", name="History", exact=True).click()
    change = page.locator("#tab-history tbody > tr", has_text="Two sites activated late")
    expect(change).to_have_count(1)
    expect(change).to_contain_text("Milestone updated")
    expect(change).to_contain_text("crm_anna")
    expect(change.locator("tr", has_text="Forecast date")).to_contain_text("2025-06-20")
    expect(change.locator("tr", has_text="Forecast date")).to_contain_text("2025-07-15")
    page.screenshot(path=ARTIFACTS / "smoke-3-history.png", full_page=True)
