"""Feasibility in a real browser: a candidate site's coordinator answers the questionnaire in Trialdesk and
submits it; the CRM sees the site on the ranked list with its score and records the selection decision
with its rationale (the site moves to "selected"). Seeded by this module:
`python -m tests.browser.test_feasibility_flow`."""

import datetime as dt
import os
import re

import pytest

from tests.browser.live import ARTIFACTS, PASSWORD, live_server

pytestmark = pytest.mark.browser
ANSWERS = {
    "eligible_patients_per_year": "150",
    "expected_enrollment": "20",
    "competing_studies": "0",
    "dedicated_coordinator": "yes",
    "investigator_experience": "More than 5",
    "equipment_available": "yes",
    "storage_2_8": "yes",
    "ethics_turnaround": "Under 30 days",
    "prior_enrollment_met": "yes",
}


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trialdesk.settings")
    django.setup()
    from tests.factories import build_world, make_user
    from trialdesk.core.roles import Role
    from trialdesk.core.services import assign_role
    from trialdesk.feasibility import services
    from trialdesk.feasibility.tests.factories import make_executed_cda, make_template

    world = build_world()
    coordinator = make_user("coordinator_a1")
    assign_role(user=coordinator, role=Role.COORDINATOR, study_site=world.site_a1, by=world.admin)
    make_executed_cda(world.site_a1, by=world.crm)
    world.site_a1.refresh_from_db()
    template = make_template(world.study_a, by=world.crm)
    questionnaire = services.send_questionnaire(template=template, study_site=world.site_a1, by=world.crm)
    print(f"study={world.study_a.pk} site={world.site_a1.pk} questionnaire={questionnaire.pk}")


@pytest.fixture(scope="module")
def round_sent(tmp_path_factory):
    with live_server(
        tmp_path_factory.mktemp("trialdesk-feasibility"), [["-m", "tests.browser.test_feasibility_flow"]]
    ) as live:
        yield live.base_url, dict(re.findall(r"(\w+)=(\d+)", live.seed_output))


def sign_in(page, server: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(server + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_the_site_answers_and_the_crm_ranks_and_selects(round_sent, page):
    from playwright.sync_api import expect

    server, ids = round_sent
    ARTIFACTS.mkdir(exist_ok=True)
    sign_in(page, server, "coordinator_a1")
    page.goto(f"{server}/feasibility-questionnaires/{ids['questionnaire']}/")
    for key, value in ANSWERS.items():
        field = page.locator(f"#id_{key}")
        if field.evaluate("element => element.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    page.get_by_role("button", name="Submit to the sponsor").click()
    expect(page.locator("body")).to_contain_text("Submitted")

    sign_in(page, server, "crm_anna")
    page.goto(f"{server}/studies/{ids['study']}/?tab=feasibility")
    row = page.locator("#feasibility-ranking tbody tr", has_text="101")
    expect(row).to_contain_text("100")
    expect(row.locator("td").first).to_have_text("1")
    page.screenshot(path=ARTIFACTS / "feasibility-1-ranked.png", full_page=True)
    row.get_by_role("link", name="Decide").click()
    page.check("input[name=outcome][value=selected]")
    page.fill("#id_rationale", "Highest score: large eligible population and a dedicated coordinator.")
    if page.locator("#id_decided_on").count():
        page.fill("#id_decided_on", dt.date.today().isoformat())
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Decision recorded")
    expect(page.locator("#feasibility-ranking tbody tr", has_text="101")).to_contain_text("Selected")
    page.goto(f"{server}/study-sites/{ids['site']}/")
    expect(page.locator("#site-feasibility")).to_contain_text("Highest score")
    page.screenshot(path=ARTIFACTS / "feasibility-2-selected.png", full_page=True)


if __name__ == "__main__":
    main()
