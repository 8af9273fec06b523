"""The study status report in a real browser: every chart box is drawn by the vendored vega-embed (an
<svg> appears inside it) under the Content-Security-Policy, with no console error; the PDF downloads."""

import re

import pytest

from tests.browser.live import ARTIFACTS, PASSWORD, live_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    seeds = [["-m", "trialdesk.reporting.tests.browser_seed"]]
    with live_server(tmp_path_factory.mktemp("trialdesk-reports"), seeds) as live:
        yield live.base_url, re.search(r"\(id (\d+)\)", live.seed_output).group(1)


@pytest.fixture
def console_errors(page):
    found = []
    page.on("console", lambda message: found.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: found.append(f"script error: {error}"))
    return found


def sign_in(page, base_url, username="crm_anna"):
    page.goto(base_url + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def test_study_report_draws_every_chart_with_vega_embed(server, page, console_errors):
    from playwright.sync_api import expect

    base_url, study_id = server
    sign_in(page, base_url)
    page.goto(f"{base_url}/studies/{study_id}/")
    page.get_by_role("link", name="Report", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Study status report")
    boxes = page.locator(".chart-box")
    assert boxes.count() >= 3
    for index in range(boxes.count()):
        expect(boxes.nth(index).locator("svg, canvas").first).to_be_visible()
    activation = page.locator(
        ".chart-box", has=page.locator("svg", has_text="Site activation: planned and actual")
    )
    expect(activation).to_have_count(1)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "study-report.png", full_page=True)

    pdf = page.request.get(base_url + page.get_by_role("link", name="Download PDF").get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert console_errors == []


def test_portfolio_report_page_opens_from_the_portfolio(server, page, console_errors):
    from playwright.sync_api import expect

    base_url, _ = server
    sign_in(page, base_url)
    page.get_by_role("link", name="Report", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Portfolio report")
    expect(page.locator("#report-health")).to_be_visible()
    assert console_errors == []
