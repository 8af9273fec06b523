"""The incident pages, the obligations board's block and "my work": scoped, labelled with the zone."""

import datetime as dt

from django.utils import timezone

from trialdesk.core import work as core_work
from trialdesk.incidents.models import Incident
from trialdesk.incidents.tests.factories import make_incident

FORM = {
    "kind": "serious_breach",
    "title": "Dosing under a superseded protocol",
    "description": "Three participants dosed under version 2.0.",
    "sponsor_timezone": "America/New_York",
    "jurisdictions": ["EU"],
    "affected_individuals": "3",
    "risk_to_individuals": "risk",
    "hipaa_role": "not_covered",
}


def test_the_crm_records_an_incident_through_the_form(world, client_for):
    client = client_for(world.crm)
    aware = (timezone.now() - dt.timedelta(days=1)).astimezone(dt.timezone(dt.timedelta(hours=-5)))
    page = client.get(f"/studies/{world.study_a.pk}/incidents/new/")
    assert page.status_code == 200
    response = client.post(
        f"/studies/{world.study_a.pk}/incidents/new/", {**FORM, "aware_at": aware.strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Incident.objects.count() == 1
    detail = client.get(response["Location"])
    body = detail.content.decode()
    assert "Member States concerned" in body and "America/New_York" in body
    assert "Regulation (EU) No 536/2014 art. 52(1)" in body


def test_a_form_without_awareness_or_with_a_bad_zone_names_the_field_and_saves_nothing(world, client_for):
    client = client_for(world.crm)
    missing = client.post(f"/studies/{world.study_a.pk}/incidents/new/", FORM)
    assert missing.status_code == 200 and missing.context["form"].errors["aware_at"]
    bad_zone = client.post(
        f"/studies/{world.study_a.pk}/incidents/new/",
        {**FORM, "sponsor_timezone": "Mars/Base", "aware_at": "2026-01-05T10:00"},
    )
    assert "sponsor_timezone" in bad_zone.context["form"].errors
    negative = client.post(
        f"/studies/{world.study_a.pk}/incidents/new/",
        {**FORM, "affected_individuals": "-4", "aware_at": "2026-01-05T10:00"},
    )
    assert "affected_individuals" in negative.context["form"].errors
    assert Incident.objects.count() == 0


def test_the_list_sorts_and_pages(world, client_for, settings):
    settings.PAGE_SIZE = 2
    for hours, affected in ((5, 10), (30, 300), (50, 20)):
        make_incident(world.study_a, by=world.crm, hours_ago=hours, affected_individuals=affected)
    client = client_for(world.crm)
    page = client.get(f"/studies/{world.study_a.pk}/incidents/?sort=-affected")
    numbers = [i.affected_individuals for i in page.context["page"]]
    assert numbers == [300, 20] and page.context["page"].paginator.num_pages == 2
    second = client.get(f"/studies/{world.study_a.pk}/incidents/?sort=-affected&page=2")
    assert [i.affected_individuals for i in second.context["page"]] == [10]
    assert client.get(f"/studies/{world.study_a.pk}/incidents/?sort=nonsense").status_code == 200


def test_scoping_of_the_pages(world, client_for):
    incident = make_incident(world.study_a, by=world.crm, study_site=world.site_a2, title="Secret at A2")
    assert client_for(world.monitor).get(f"/incidents/{incident.pk}/").status_code == 404
    assert client_for(world.coordinator).get(f"/incidents/{incident.pk}/").status_code == 404
    assert client_for(world.sponsor_viewer).get(f"/incidents/{incident.pk}/").status_code == 404
    hidden = client_for(world.sponsor_viewer).get(f"/studies/{world.study_a.pk}/incidents/")
    assert "Secret at A2" not in hidden.content.decode() and "Hidden" in hidden.content.decode()
    assert client_for(world.auditor).get(f"/incidents/{incident.pk}/edit/").status_code == 403
    obligation = incident.obligations.first()
    assert client_for(world.auditor).post(f"/incident-obligations/{obligation.pk}/met/").status_code == 403


def test_marking_made_on_the_page(world, client_for):
    incident = make_incident(world.study_a, by=world.crm, hours_ago=3)
    obligation = incident.obligations.get(key="EU-GDPR-33")
    made = (timezone.now() - dt.timedelta(hours=1)).astimezone(obligation.zone)
    response = client_for(world.crm).post(
        f"/incident-obligations/{obligation.pk}/met/",
        {"submitted_at": made.strftime("%Y-%m-%dT%H:%M"), "reference_number": "LfD-88", "version": "1"},
    )
    assert response.status_code == 302
    obligation.refresh_from_db()
    assert obligation.status == "met" and obligation.reference_number == "LfD-88"


def test_notifications_are_on_the_board_and_in_the_crm_s_work(world, client_for):
    make_incident(world.study_a, by=world.crm, hours_ago=60, title="Laptop stolen")  # 72 h: due in 12 h
    board = client_for(world.crm).get("/safety/obligations/").content.decode()
    assert "Incident notifications" in board and "Laptop stolen" in board
    assert "Without undue delay" in board
    assert (
        "Laptop stolen" not in client_for(world.sponsor_viewer).get("/safety/obligations/").content.decode()
    )
    assert "Laptop stolen" not in client_for(world.coordinator).get("/safety/obligations/").content.decode()
    items = [
        i for i in core_work.work_for(world.crm, timezone.now().date()) if i.kind == "incident_notifications"
    ]
    assert any("Lead supervisory authority" in i.title and "Europe/Berlin" in i.title for i in items)
    auditor_items = core_work.work_for(world.auditor, timezone.now().date())
    assert not [i for i in auditor_items if i.kind == "incident_notifications"]


def test_the_study_tab_lists_incidents_and_hides_them_from_sponsor_viewers(world, client_for):
    make_incident(world.study_a, by=world.crm, title="Fax to the wrong number")
    url = f"/studies/{world.study_a.pk}/?tab=incidents"
    assert "Fax to the wrong number" in client_for(world.crm).get(url).content.decode()
    hidden = client_for(world.sponsor_viewer).get(url).content.decode()
    assert "Fax to the wrong number" not in hidden and "Hidden" in hidden


def test_the_detail_page_shows_awareness_and_due_times_in_the_sponsor_s_zone(world, client_for):
    aware = dt.datetime.fromisoformat("2026-03-28T10:00:00+01:00")
    incident = make_incident(world.study_a, by=world.crm, aware_at=aware, jurisdictions=["EU"])
    body = client_for(world.crm).get(f"/incidents/{incident.pk}/").content.decode()
    assert "2026-03-28 10:00" in body  # awareness, Berlin time (09:00 UTC)
    assert "2026-03-31 11:00" in body  # 72 hours later, after the change to summer time
