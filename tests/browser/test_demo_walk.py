"""A walk of the demo as its Clinical Research Manager (issue 16 §5): on the blinded phase III study that
is recruiting, every study section that its phase and status say must have something shows something (a
table row, a list item, a fact, a chart), never only its empty message.

The demo is loaded once for the module (`trialdesk demo`, this module run as the seed); loading it costs
more than 15 s on the shared machine, so the walk covers one study's sections: the study that uses the
most of them. The sections a study may leave empty are named with the reason.
"""

import re

import pytest

from tests.browser.live import live_server

pytestmark = pytest.mark.browser

STUDY = "ONC-301"  # phase III, randomised, double-blind, recruiting at many sites
DEMO_USER, DEMO_PASSWORD = "crm", "trialdesk-demo"  # core.demo: the demo CRM, on every study

# Sections with content for any study that has been set up (and chose its sites).
SET_UP = {"overview", "protocol", "arms", "milestones", "sites", "team", "startup", "feasibility", "history"}
# Sections with content once a study recruits: sites approved and staffed, participants screened, consented
# and seen, safety reported, the study monitored, registered and paid for.
RECRUITING = {
    "participants",
    "recruitment",
    "eligibility",
    "consent",
    "plan",
    "forecast",
    "safety",
    "regulatory",
    "documents",
    "staff",
    "registry",
    "monitoring",
    "kri",
    "rbqm",
    "deviations",
    "finance",
    "samples",
}
# A phase III study has a diversity plan (FDORA); a blinded one randomises and ships blinded kits; one
# implementing an amendment at its sites follows each site's checklist.
PHASE_III = {"diversity"}
BLINDED = {"randomization", "supply"}
IMPLEMENTING = {"amendments"}
# What a recruiting study may leave empty: no SUSAR, incident, data-subject request or re-consent need
# have happened.
MAY_BE_EMPTY = {"susars", "incidents", "privacy", "reconsent"}


def expected_sections(*, phase: str, status: str, blinded: bool, implementing: bool) -> set[str]:
    """The sections that must not be empty for such a study."""
    expected = set(SET_UP)
    if status in {"recruiting", "active_not_recruiting", "completed"}:
        expected |= RECRUITING
        if "III" in phase:
            expected |= PHASE_III
        if blinded:
            expected |= BLINDED
        if implementing:
            expected |= IMPLEMENTING
    return expected - MAY_BE_EMPTY


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    seeds = [["-m", "tests.browser.test_demo_walk"]]
    with live_server(tmp_path_factory.mktemp("trialdesk-demo-walk"), seeds) as live:
        yield live.base_url


def test_no_section_of_the_recruiting_phase_iii_study_is_empty(server, page):
    page.goto(server + "/login/")
    page.fill("#id_username", DEMO_USER)
    page.fill("#id_password", DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login/" not in url)
    page.goto(server + "/")
    page.get_by_role("link", name=STUDY, exact=True).first.click()
    page.wait_for_url(re.compile(r"/studies/\d+/"))
    study_url = page.url.split("?")[0]

    tabs = page.locator("nav.tab-groups a[role=tab]")
    sections = set()
    for href in [tabs.nth(i).get_attribute("href") for i in range(tabs.count())]:
        page.goto(server + href)
        sections |= {
            re.search(r"tab=([\w-]+)", link).group(1)
            for link in page.locator("nav.subtabs a[role=tab]").evaluate_all("(l) => l.map((a) => a.href)")
        }
        sections.add(re.search(r"tab=([\w-]+)", href).group(1))
    # ONC-301's amendment (protocol v2.0) took effect at its sites before the demo's window and v3.0 is a
    # draft: no amendment is being implemented, so its Amendments section may say so.
    expected = expected_sections(phase="III", status="recruiting", blinded=True, implementing=False)
    missing = expected - sections
    assert not missing, f"the study page has no section {sorted(missing)}"

    empty = []
    for key in sorted(expected):
        page.goto(f"{study_url}?tab={key}")
        panel = page.locator(f"section.tab-panel#tab-{key}")
        # A row that only says there is nothing (one cell across the table) is not content.
        shown = panel.locator(
            "tbody tr:not(:has(td[colspan])), li, dd, svg, script[type='application/json']"
        ).count()
        if not shown:
            empty.append(key)
    assert not empty, f"{STUDY} (recruiting, blinded phase III) shows nothing in: {', '.join(empty)}"


def main() -> None:
    """Seed: the whole demo, as `trialdesk demo` loads it."""
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trialdesk.settings")
    django.setup()
    from django.core.management import call_command

    call_command("demo")


if __name__ == "__main__":
    main()
