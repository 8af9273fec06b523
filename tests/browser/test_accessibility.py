"""Every main page type checked with axe-core (WCAG 2 A and AA rules) in Chromium at 1366 px, signed in as
a CRM: no serious or critical violation. axe-core is vendored in tests/browser/assets (MPL-2.0) and put
into each page by Playwright with the page's Content-Security-Policy bypassed for the test alone."""

import re
from pathlib import Path

import pytest

from tests.browser.live import CHROMIUM, CHROMIUM_ARGS, PASSWORD

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "assets" / "axe.min.js"
SERIOUS = ("serious", "critical")
RUN_AXE = """async () => {
  const tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 4).map(n => n.target.join(" "))}));
}"""


@pytest.fixture
def axe_page():
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1366, "height": 768}, bypass_csp=True)
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()


def _violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return [v for v in page.evaluate(RUN_AXE) if v["impact"] in SERIOUS]


def test_main_pages_have_no_serious_accessibility_violation(server, axe_page):
    page = axe_page
    page.goto(server + "/login/")
    found = {"sign-in page": _violations(page)}
    page.fill("#id_username", "crm_anna")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")
    links = page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))")
    study_url = next(link for link in links if re.fullmatch(r"/studies/\d+/", link))
    pages = {
        "portfolio": "/",
        "my work": "/my-work/",
        "notifications": "/me/notifications/",
        "search": "/search/?q=ONC",
        "study overview": study_url,
        "study health": study_url.rstrip("/") + "/health/",
        "portfolio report": "/reports/portfolio/",
        "institutions": "/institutions/",
        "my page": "/me/",
    }
    for name, path in pages.items():
        page.goto(server + path)
        page.wait_for_load_state("networkidle")
        found[name] = _violations(page)
    page.goto(server + study_url)
    links = page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))")
    site_link = next((link for link in links if re.fullmatch(r"/study-sites/\d+/", link)), None)
    if site_link:
        page.goto(server + site_link)
        page.wait_for_load_state("networkidle")
        found["study site"] = _violations(page)
    failures = {name: v for name, v in found.items() if v}
    assert not failures, "\n".join(
        f"{name}: {v['id']} ({v['impact']}) {v['help']} at {v['targets']}"
        for name, violations in failures.items()
        for v in violations
    )


def test_a_long_list_gets_a_search_box_that_narrows_and_picks(server, axe_page):
    page = axe_page
    page.goto(server + "/login/")
    page.fill("#id_username", "crm_anna")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")
    page.goto(server + "/institutions/new/")
    search = page.get_by_role("searchbox", name="Search Country")
    search.fill("japa")
    assert page.eval_on_selector("#id_country", "s => s.value") == "JP"
    shown = page.eval_on_selector("#id_country", "s => [...s.options].filter(o => !o.hidden).length")
    assert shown == 2  # the empty choice and Japan
    assert not _violations(page)
