"""Investigational product in a real browser: the supply manager ships kits from the depot to an activated
site; the site's (blinded) coordinator confirms the receipt and dispenses a kit to a randomized participant,
seeing kit numbers only, never which kit type (arm) a kit is. Seeded by this module:
`python -m tests.browser.test_supply_flow`."""

import datetime as dt
import os
import re

import pytest

from tests.browser.live import ARTIFACTS, PASSWORD, live_server

pytestmark = pytest.mark.browser


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trialdesk.settings")
    django.setup()
    from tests.factories import build_world, make_user
    from trialdesk.core.roles import Role
    from trialdesk.core.services import assign_role
    from trialdesk.randomization import services as randomization
    from trialdesk.randomization.tests.factories import build_trial
    from trialdesk.supply.tests.factories import activate, make_supplies

    world = build_world()
    trial = build_trial(world, participants=1)
    activate(world.site_a1, by=world.admin)
    manager = make_user("supply_sue")
    assign_role(user=manager, role=Role.SUPPLY_MANAGER, study=world.study_a, by=world.admin)
    make_supplies(world.study_a, by=world.admin, kits_per_type=4)
    participant = trial.participants[0]
    randomization.randomize(participant=participant, factor_levels={"sex": "F"}, by=world.admin)
    print(f"study={world.study_a.pk} site={world.site_a1.pk} participant={participant.pk}")


@pytest.fixture(scope="module")
def supplied(tmp_path_factory):
    with live_server(
        tmp_path_factory.mktemp("trialdesk-supply"), [["-m", "tests.browser.test_supply_flow"]]
    ) as live:
        ids = dict(re.findall(r"(\w+)=(\d+)", live.seed_output))
        yield live.base_url, ids


def sign_in(page, server: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(server + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_ship_receive_and_dispense_without_unblinding(supplied, page):
    from playwright.sync_api import expect

    server, ids = supplied
    today = dt.date.today().isoformat()
    ARTIFACTS.mkdir(exist_ok=True)
    sign_in(page, server, "supply_sue")
    page.goto(f"{server}/studies/{ids['study']}/supply/shipments/new/")
    page.select_option("#id_study_site", value=ids["site"])
    page.select_option("#id_depot", index=1)
    page.fill("#id_kits", "KT-A=2, KT-B=2")
    page.fill("#id_shipped_on", today)
    page.fill("#id_courier", "MediCourier")
    page.fill("#id_tracking_number", "MC-4471")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("h1")).to_contain_text("SHP-")
    shipment_url = page.url

    sign_in(page, server, "coordinator_cleo")  # blinded: sees kit numbers, never kit types
    page.goto(shipment_url)
    expect(page.locator("#shipment-kits")).not_to_contain_text("Kit type")
    page.get_by_role("link", name="Confirm receipt").click()
    page.fill("#id_received_on", today)
    page.fill("#id_kits_received", "4")
    page.get_by_role("button", name="Confirm receipt").click()
    expect(page.locator("body")).to_contain_text("Received")
    page.screenshot(path=ARTIFACTS / "supply-1-received.png", full_page=True)

    page.goto(f"{server}/participants/{ids['participant']}/supply/")
    page.fill("#id_dispensed_on", today)
    page.get_by_role("button", name="Dispense").click()
    row = page.locator("#participant-dispensings tbody tr").first
    expect(row).to_contain_text(re.compile(r"\S+"))
    expect(row).to_contain_text(today)
    body = page.locator("main")
    for arm_revealing in ("KT-A", "KT-B", "Kit type"):
        expect(body).not_to_contain_text(arm_revealing)
    page.screenshot(path=ARTIFACTS / "supply-2-dispensed.png", full_page=True)


if __name__ == "__main__":
    main()
