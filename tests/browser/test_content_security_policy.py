"""Under the Content-Security-Policy (no inline script or style) the pages still work in a real browser:
htmx tabs and filters, the forecast chart, the CTCAE suggestion buttons (static/trialdesk/trialdesk.js) and
the Swagger UI of /api/v1/docs (ninja's bundled static files), with not one violation reported.

The server (tests/browser/live.py) runs with DEBUG=1, which leaves the policy on (only Django's debug
error pages go without it).
"""

import re

import pytest

from tests.browser.live import ARTIFACTS, PASSWORD, live_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    seeds = [["-m", "trialdesk.safety.tests.browser_seed"]]
    with live_server(tmp_path_factory.mktemp("trialdesk-csp"), seeds) as live:
        yield live.base_url, re.search(r"\(id (\d+)\)", live.seed_output).group(1)


@pytest.fixture
def violations(page):
    """What the browser refused (its console says "Content Security Policy") and any script error."""
    found = []
    page.on(
        "console",
        lambda message: found.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.on("pageerror", lambda error: found.append(f"script error: {error}"))
    return found


def test_pages_htmx_and_the_api_docs_work_without_a_policy_violation(server, page, violations):
    from playwright.sync_api import expect

    base_url, study_id = server
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(base_url + "/login/")
    page.fill("#id_username", "crm_anna")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#portfolio-table")).to_contain_text("ONC-A")

    page.goto(f"{base_url}/studies/{study_id}/")
    groups = page.locator(".tab-groups [role=tab]")
    # Every group (the first, the overview, is open already), then every tab of it (its first opens with
    # it); each click waits for its swap, so no request is dropped by the next.
    for index in range(1, groups.count()):
        group = groups.nth(index)
        group.click()
        expect(group).to_have_attribute("aria-selected", "true")  # htmx swapped the group in
        tabs = page.locator(".subtabs [role=tab]")
        for sub in range(1, tabs.count()):
            tab = tabs.nth(sub)
            tab.click()
            expect(tab).to_have_attribute("aria-selected", "true")

    page.goto(f"{base_url}/studies/{study_id}/?tab=safety")
    page.get_by_role("link", name="Record an adverse event").click()
    page.fill("#id_ctcae_term", "Pneumonit")
    suggestion = page.locator("#ctcae-help button", has_text="Pneumonitis")
    suggestion.click()  # fills the field through trialdesk.js, which tells htmx it changed
    expect(page.locator("#id_ctcae_term")).to_have_value("Pneumonitis")
    expect(page.locator("#ctcae-help strong")).to_have_text("Pneumonitis")

    page.goto(base_url + "/api/v1/docs")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    expect(page.locator(".swagger-ui")).to_contain_text("/api/v1/studies")
    page.screenshot(path=ARTIFACTS / "csp-api-docs.png", full_page=False)

    assert violations == []
