"""A CRM in a real browser cannot activate a site while a start-up item is pending, ticks it with its
evidence, and then activates the site. Seeded by this module: `python -m tests.browser.test_startup_gate`."""

import os
import re

import pytest

from tests.browser.live import ARTIFACTS, PASSWORD, live_server

pytestmark = pytest.mark.browser
PENDING = "No country rules ship for New Zealand"


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trialdesk.settings")
    django.setup()
    from tests.factories import build_world
    from trialdesk.startup import services
    from trialdesk.startup.tests.factories import gated_study, walk_to

    world = build_world()
    _, site = gated_study(world)
    site = walk_to(site, "start_up", by=world.crm)
    for item in ("pharmacy_check",):
        services.tick_item(
            study_site=site,
            gate="activation",
            item=item,
            done_on=site.local_today(),
            done_by="Dr Aroha Ngata",
            evidence="ISF tab 3",
            by=world.crm,
        )
    print(f"site={site.pk}")


@pytest.fixture(scope="module")
def gated(tmp_path_factory):
    with live_server(
        tmp_path_factory.mktemp("trialdesk-startup"), [["-m", "tests.browser.test_startup_gate"]]
    ) as live:
        site_id = re.search(r"site=(\d+)", live.seed_output).group(1)
        yield live.base_url, site_id


def test_a_site_is_activated_only_once_its_last_item_is_done(gated, page):
    from playwright.sync_api import expect

    server, site_id = gated
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(server + "/login/")
    page.fill("#id_username", "crm_anna")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{server}/study-sites/{site_id}/")
    panel = page.locator("#site-startup")
    expect(panel).to_contain_text("Activation blocked")
    page.fill("#id_reason", "Green light")
    page.get_by_role("button", name="Activated").click()
    expect(page.locator("body")).to_contain_text(PENDING)
    page.screenshot(path=ARTIFACTS / "startup-1-refused.png", full_page=True)

    page.goto(f"{server}/study-sites/{site_id}/")
    page.locator("#site-startup tr", has_text=PENDING).get_by_role("link", name="Tick…").click()
    page.fill("#id_done_by", "Dr Aroha Ngata")
    page.fill("#id_done_on", "2025-03-01")
    page.fill("#id_evidence", "Medsafe and HDEC requirements checked, memo 2025-014")
    page.get_by_role("button", name=re.compile("Save")).click()
    expect(page.locator(".messages")).to_contain_text("Item ticked.")
    expect(page.locator("#site-startup")).to_contain_text("ready")

    page.fill("#id_reason", "Green light")
    page.get_by_role("button", name="Activated").click()
    expect(page.locator(".messages")).to_contain_text("Site status changed.")
    expect(page.locator(".lede")).to_contain_text("Activated")
    page.screenshot(path=ARTIFACTS / "startup-2-activated.png", full_page=True)


if __name__ == "__main__":
    main()
