"""An amendment walked through two sites in two countries, in a real browser.

The CRM approves protocol v2.0, starts its implementation, records Berlin's ethics approval and the
authority's authorisation (EU CTR: not on submission) and sees Berlin's checklist advance while Tokyo
stays blocked; then the new consent is approved at Berlin, a
participant re-consents, and the count of participants still to re-consent drops.

A real server runs as a subprocess on a temporary SQLite database (as in test_smoke.py), seeded by
trialdesk.regulatory.tests.browser_seed.
"""

import datetime as dt
import re

import pytest

from tests.browser.live import ARTIFACTS, PASSWORD, live_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    seeds = [["-m", "trialdesk.regulatory.tests.browser_seed"]]
    with live_server(tmp_path_factory.mktemp("trialdesk-amendment"), seeds) as live:
        yield live.base_url, re.search(r"\(id (\d+)\)", live.seed_output).group(1)


def day(days_ago: int) -> str:
    return (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=days_ago)).isoformat()


def test_amendment_through_two_sites_in_two_countries(server, page):
    from playwright.sync_api import expect

    base_url, study_id = server
    study_url = f"{base_url}/studies/{study_id}/"
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(base_url + "/login/")
    page.fill("#id_username", "crm_anna")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # The sponsor approves protocol v2.0.
    page.goto(study_url + "?tab=protocol")
    page.locator("tr", has_text="Amendment 1").get_by_role("link", name="Change status").click()
    page.select_option("#id_to", "approved")
    page.fill("#id_on", day(6))
    page.fill("#id_reason", "Sponsor sign-off")
    page.get_by_role("button", name="Save").click()

    # Its implementation starts: every site gets a checklist, both blocked.
    page.goto(study_url + "?tab=amendments")
    page.get_by_role("link", name="Implement protocol v2.0 at the sites").click()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("every site has its checklist")
    page.goto(study_url + "?tab=amendments")
    berlin, tokyo = page.locator('tr[data-site="101"]'), page.locator('tr[data-site="102"]')
    expect(berlin.locator(".item-ec_approval")).to_contain_text("blocked")
    expect(tokyo.locator(".item-ec_approval")).to_contain_text("blocked")
    expect(page.locator(".sites-without-approval")).to_have_text("2")
    expect(page.locator(".reconsent-count")).to_have_text("3")
    page.screenshot(path=ARTIFACTS / "amendment-1-started.png", full_page=True)

    # Berlin's ethics committee approves the amendment.
    page.goto(study_url + "?tab=regulatory")
    page.get_by_role("link", name="New submission").click()
    page.select_option("#id_study_site", label="Site 101")
    page.select_option("#id_ethics_committee", label="Ethik-Kommission Berlin")
    page.select_option("#id_kind", label="Amendment")
    page.select_option("#id_protocol_version", label="Protocol v2.0")
    page.fill("#id_submitted_on", day(5))
    page.select_option("#id_outcome", label="Approved")
    page.fill("#id_decided_on", day(3))
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Submission recorded.")
    expect(page.locator("table.submissions")).to_contain_text("Ethik-Kommission Berlin")
    page.screenshot(path=ARTIFACTS / "amendment-2a-regulatory-tab.png", full_page=True)

    page.goto(study_url + "?tab=amendments")
    expect(berlin.locator(".item-ec_approval")).to_contain_text("done")
    # Berlin is in the EU: the new version is used only once the Member State has authorised it.
    expect(berlin.locator(".item-authority_approval")).to_contain_text("blocked")
    expect(berlin.locator(".item-consent_approval")).to_contain_text("blocked")
    expect(berlin.locator(".progress")).to_contain_text("2/")

    # BfArM authorises the substantial modification.
    page.goto(study_url + "?tab=regulatory")
    page.get_by_role("link", name="New submission").click()
    page.select_option("#id_study_site", label="Site 101")
    page.select_option("#id_authority", label="BfArM")
    page.select_option("#id_kind", label="Amendment")
    page.select_option("#id_protocol_version", label="Protocol v2.0")
    page.fill("#id_submitted_on", day(5))
    page.select_option("#id_outcome", label="Approved")
    page.fill("#id_decided_on", day(3))
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Submission recorded.")

    page.goto(study_url + "?tab=amendments")
    expect(berlin.locator(".item-authority_approval")).to_contain_text("done")
    expect(berlin.locator(".item-consent_approval")).to_contain_text("pending")
    expect(berlin.locator(".progress")).to_contain_text("4/")
    expect(tokyo.locator(".item-ec_approval")).to_contain_text("blocked")
    expect(tokyo.locator(".item-consent_approval")).to_contain_text("blocked")
    expect(page.locator(".sites-without-approval")).to_have_text("1")
    page.screenshot(path=ARTIFACTS / "amendment-2-berlin-approved.png", full_page=True)

    # The new consent is approved at Berlin, and one participant there re-consents.
    page.goto(study_url + "?tab=consent")
    page.get_by_role("link", name="v2.0").click()
    page.select_option("#id_study_site", label="101 — Hospital ONC-A-101, Berlin")
    page.fill("#id_approved_on", day(2))
    page.get_by_role("button", name="Record approval").click()
    page.goto(study_url + "?tab=amendments")
    expect(berlin.locator(".item-consent_approval")).to_contain_text("done")
    expect(berlin.locator(".item-reconsent")).to_contain_text("pending")

    page.goto(study_url + "?tab=reconsent")
    page.get_by_role("link", name="Record consent").first.click()
    page.select_option("#id_consent_version", label="Consent v2.0 (en)")
    page.fill("#id_signed_on", day(1))
    page.fill("#id_signed_time", "10:00")
    page.get_by_role("button", name="Save").click()

    page.goto(study_url + "?tab=amendments")
    expect(page.locator(".reconsent-count")).to_have_text("2")
    expect(berlin.locator(".reconsent")).not_to_contain_text("—")
    expect(tokyo.locator(".item-reconsent")).to_contain_text("blocked")
    page.screenshot(path=ARTIFACTS / "amendment-3-reconsented.png", full_page=True)
