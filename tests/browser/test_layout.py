"""The study page's grouped navigation fits a laptop and a phone: no page scrolls sideways at 1366 or
390 px (wide tables and tab rows scroll inside their own box), and each group opens its tabs."""

import pytest

from tests.browser.live import ARTIFACTS, PASSWORD

pytestmark = pytest.mark.browser

OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
# The elements that reach past the right edge (tag, id, classes, right edge), to say what is too wide.
TOO_WIDE = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .filter(e => !e.closest('.data, .tabs, pre, .chart'))
  .slice(0, 8)
  .map(e => `${e.tagName}#${e.id}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`)"""


@pytest.mark.parametrize("width, height", [(1366, 768), (390, 844)])
def test_no_page_is_wider_than_the_screen(server, page, width, height):
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": width, "height": height})
    page.goto(server + "/login/")
    page.fill("#id_username", "crm_anna")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#portfolio-table")).to_contain_text("ONC-A")
    assert page.evaluate(OVERFLOW) <= 0, f"the portfolio is too wide at {width} px: {page.evaluate(TOO_WIDE)}"
    page.locator("#portfolio-table").get_by_role("link", name="ONC-A").click()
    groups = page.locator(".tab-groups [role=tab]")
    expect(groups.first).to_have_attribute("aria-selected", "true")  # the overview
    assert page.evaluate(OVERFLOW) <= 0, f"the overview is too wide at {width} px: {page.evaluate(TOO_WIDE)}"
    for index in range(1, groups.count()):  # each click waits for the swap before the next
        group = groups.nth(index)
        group.click()
        expect(group).to_have_attribute("aria-selected", "true")
        name = group.inner_text()
        overflow = page.evaluate(OVERFLOW)
        if overflow > 0:
            page.screenshot(path=ARTIFACTS / f"layout-{width}-{index}.png", full_page=True)
        assert overflow <= 0, f"the study's {name} group is too wide at {width} px: {page.evaluate(TOO_WIDE)}"
