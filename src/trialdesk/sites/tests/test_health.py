"""A study site's health: the signals that can judge one site, on its page and in the API."""

from trialdesk.core.extensions import AMBER, RED


def test_site_health_reads_the_sites_own_milestones(world, client_for):
    crm = client_for(world.crm)
    tokyo = crm.get(f"/api/v1/study-sites/{world.site_a2.pk}/health").json()
    timeline = next(d for d in tokyo["dimensions"] if d["name"] == "timeline")
    assert timeline["status"] == RED and "Site activated by" in timeline["reasons"][0]["text"]
    assert tokyo["overall"] == RED
    names = {d["name"] for d in tokyo["dimensions"]}
    assert {"timeline", "safety", "compliance"} <= names and "budget" not in names
    # Site 101 has no milestone of its own: its timeline is unknown, so it is never green overall.
    other = crm.get(f"/api/v1/study-sites/{world.site_a1.pk}/health").json()
    assert other["overall"] in (AMBER, RED)


def test_site_health_is_404_outside_the_site_and_hidden_from_sponsor_viewers(world, client_for):
    assert client_for(world.monitor).get(f"/api/v1/study-sites/{world.site_a2.pk}/health").status_code == 404
    assert client_for(world.outsider).get(f"/api/v1/study-sites/{world.site_a1.pk}/health").status_code == 404
    sponsor = client_for(world.sponsor_viewer).get(f"/api/v1/study-sites/{world.site_a1.pk}/health").json()
    safety = next(d for d in sponsor["dimensions"] if d["name"] == "safety")
    assert safety["status"] == "unknown" and safety["reasons"][0]["text"].startswith(
        "Reporting obligations: hidden"
    )


def test_the_site_page_shows_its_health(world, client_for):
    page = client_for(world.crm).get(f"/study-sites/{world.site_a2.pk}/").content.decode()
    assert 'id="health-heading"' in page and "Site activated by" in page
