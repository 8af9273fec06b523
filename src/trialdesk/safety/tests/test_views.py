"""The safety pages: record an AE, see its obligations, follow up, mark submitted, listings, board, feed."""

import datetime as dt

import pytest
from icalendar import Calendar

from tests.factories import make_participant
from trialdesk.core.models import AuditEvent
from trialdesk.people.tests.factories import keep_delegation_log
from trialdesk.safety import services
from trialdesk.safety.models import AdverseEvent, ReportingObligation
from trialdesk.safety.tests.factories import AWARE, make_adverse_event


@pytest.fixture
def participant(world):
    return make_participant(world.site_a1, "101-001", by=world.admin)


FORM = {
    "verbatim_term": "breathless",
    "ctcae_term": "Pneumonitis",
    "grade": "3",
    "onset_on": "2025-03-09",
    "seriousness": ["hospitalization"],
    "causality": "possibly",
    "expected": "no",
    "action_taken": "interrupted",
    "outcome": "recovering",
    "site_aware_at": "2025-03-10T10:00",
    "sponsor_aware_at": "2025-03-10T12:00",
}


def test_record_an_adverse_event_on_the_page_reads_times_in_the_site_zone(world, client_for, participant):
    client = client_for(world.crm)
    response = client.post(
        f"/studies/{world.study_a.pk}/adverse-events/new/", {**FORM, "participant": participant.pk}
    )
    event = AdverseEvent.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/adverse-events/{event.pk}/"
    # 10:00 in Berlin (the site) is 09:00 UTC.
    assert event.site_aware_at == dt.datetime(2025, 3, 10, 9, tzinfo=dt.UTC)
    page = client.get(response["Location"]).content.decode()
    assert "EudraVigilance" in page and "Regulation (EU) No 536/2014 art. 42(2)(b)" in page
    assert "Mark submitted" in page and "101-001" in page


def test_bad_input_on_the_page_names_the_field_and_saves_nothing(world, client_for, participant):
    response = client_for(world.crm).post(
        f"/studies/{world.study_a.pk}/adverse-events/new/",
        {**FORM, "participant": participant.pk, "ctcae_term": "Pneumonitiss", "grade": "5"},
    )
    assert response.status_code == 200 and not AdverseEvent.objects.exists()
    errors = response.context["form"].errors
    assert "Closest terms: Pneumonitis" in errors["ctcae_term"][0]


def test_follow_up_page_adds_a_version(world, client_for, participant, clock):
    clock.move_to(AWARE + dt.timedelta(days=2))  # recorded before the 15-day deadline: no longer required
    event = make_adverse_event(participant, by=world.crm)
    client = client_for(world.crm)
    form = client.get(f"/adverse-events/{event.pk}/follow-up/")
    assert form.status_code == 200 and form.context["form"].initial["grade"] == 3
    response = client.post(
        f"/adverse-events/{event.pk}/follow-up/",
        {**FORM, "grade": "5", "outcome": "fatal", "seriousness": ["death"], "reason": "died"},
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.latest_version == 2 and event.grade == 5
    assert ReportingObligation.objects.get(adverse_event=event, key="EU-SUSAR-15D").status == "not_required"


def test_mark_submitted_page(world, client_for, participant):
    event = make_adverse_event(participant, by=world.crm)
    obligation = ReportingObligation.objects.get(adverse_event=event, key="EU-SUSAR-15D")
    client = client_for(world.crm)
    response = client.post(
        f"/obligations/{obligation.pk}/submit/",
        {"submitted_at": "2025-03-12T10:00", "reference_number": "EV-9", "version": obligation.version},
    )
    assert response.status_code == 302
    obligation.refresh_from_db()
    assert obligation.status == "met" and obligation.reference_number == "EV-9"
    assert client.get(f"/obligations/{obligation.pk}/submit/").status_code == 200


def test_the_auditor_sees_the_event_but_may_not_record(world, client_for, participant):
    event = make_adverse_event(participant, by=world.crm)
    client = client_for(world.auditor)
    assert client.get(f"/adverse-events/{event.pk}/").status_code == 200
    assert client.get(f"/studies/{world.study_a.pk}/adverse-events/new/").status_code == 403


def test_study_tabs_and_line_listing(world, client_for, participant):
    make_adverse_event(participant, by=world.crm)
    client = client_for(world.crm)
    safety = client.get(f"/studies/{world.study_a.pk}/?tab=safety").content.decode()
    assert "AE-0001" in safety and "EU, JP" in safety
    susars = client.get(f"/studies/{world.study_a.pk}/?tab=susars").content.decode()
    assert "AE-0001" in susars and "EudraVigilance" in susars
    listing = client.get(f"/studies/{world.study_a.pk}/line-listing/?serious=yes")
    assert listing.status_code == 200 and "Pneumonitis" in listing.content.decode()
    assert (
        client.get(f"/studies/{world.study_a.pk}/line-listing/?serious=no").context["page"].paginator.count
        == 0
    )
    csv_file = client.get(f"/studies/{world.study_a.pk}/line-listing/?format=csv")
    assert csv_file["Content-Type"].startswith("text/csv") and "AE-0001" in csv_file.content.decode()


def test_board_and_portfolio_counts(world, client_for, participant, clock):
    event = make_adverse_event(participant, by=world.crm)
    clock.move_to("2025-03-10T20:00Z")  # 24-hour clock open, 15-day ones this fortnight
    client = client_for(world.crm)
    board = client.get("/safety/obligations/")
    # The 15-day reports fall due in 15 days: beyond this week (rules.Window), so on no count.
    assert board.context["board"].counts == {"overdue": 0, "due_24h": 1, "due_week": 0}
    assert "ONC-A → Sponsor" in board.content.decode()
    to_sponsor = ReportingObligation.objects.get(adverse_event=event, key="PROTOCOL-SAE-SPONSOR")
    assert f'href="/obligations/{to_sponsor.pk}/submit/"' in board.content.decode()
    assert f'href="/adverse-events/{event.pk}/"' in board.content.decode()
    assert (
        "2025-03-11 10:00" in board.content.decode()
    )  # due 24 h after 10:00 in Berlin, shown in Berlin time
    portfolio = client.get("/").content.decode()
    assert "0 overdue · 1 due in 24 h · 0 later this week" in portfolio
    assert client_for(world.coordinator).get("/safety/obligations/").context["board"].counts["due_week"] == 0


def test_ctcae_suggestions_show_the_grade_definition_and_close_terms(world, client_for):
    client = client_for(world.crm)
    found = client.get("/safety/ctcae/?ctcae_term=Pneumonitis&grade=5").content.decode()
    assert "Grade 5: Death" in found
    assert "Pneumonitis" in client.get("/safety/ctcae/?ctcae_term=pneumonits").content.decode()


def test_calendar_feed_is_valid_icalendar_and_revocable(world, client_for, participant):
    make_adverse_event(participant, by=world.crm)
    client = client_for(world.crm)
    page = client.post("/me/calendar/", {"action": "create"})
    url = page.context["new_url"]
    path = url.removeprefix("http://testserver")
    feed = client_for(world.outsider).get(path)  # the token is the credential
    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(feed.content)
    summaries = [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")]
    assert any("report to Sponsor (AE-0001)" in s for s in summaries)
    assert any("First participant in" in s for s in summaries)
    assert all(e.get("DTSTAMP") and e.get("UID") for e in calendar.walk("VEVENT"))
    client.post("/me/calendar/", {"action": "revoke"})
    assert client.get(path).status_code == 404


def test_calendar_feed_shows_only_what_its_owner_sees(world):
    _, token = services.create_calendar_feed(user=world.coordinator)
    from django.test import Client

    body = Client().get(f"/calendar/{token}.ics").content.decode()
    assert "ONC-A" not in body


def test_board_lists_the_registry_deadlines_of_the_portfolio(world, client_for, monkeypatch):
    from trialdesk.integrations.registry import selectors as registry

    row = {
        "study_id": world.study_a.pk,
        "study_code": "ONC-A",
        "recipient": "ClinicalTrials.gov",
        "rule": "42 CFR 11.44",
        "description": "Results information",
        "due_on": dt.date(2026, 1, 31),
        "status": "late",
        "days_late": 12,
    }
    monkeypatch.setattr(registry, "registry_deadlines", lambda user: [row, {**row, "status": "done"}])
    page = client_for(world.crm).get("/safety/obligations/").content.decode()
    assert "42 CFR 11.44" in page and "late 12 d" in page and page.count("ClinicalTrials.gov") == 1


def test_causality_refused_by_the_delegation_log_is_a_form_error(world, client_for, participant):
    keep_delegation_log(world.site_a1, protocol=world.protocol_a, by=world.admin)  # the CRM is not on it
    audit_before = AuditEvent.objects.count()
    response = client_for(world.crm).post(
        f"/studies/{world.study_a.pk}/adverse-events/new/", {**FORM, "participant": participant.pk}
    )
    assert response.status_code == 200 and "delegation log" in response.context["form"].errors["causality"][0]
    assert not AdverseEvent.objects.exists() and AuditEvent.objects.count() == audit_before


def test_safety_settings_policies_and_rsi_pages(world, client_for):
    client = client_for(world.crm)
    study = world.study_a.pk
    saved = client.post(
        f"/studies/{study}/safety-settings/",
        {"sponsor_time_zone": "America/New_York", "product_type": "drug", "site_to_sponsor_hours": "24",
         "extra_jurisdictions": ["US"]},
    )  # fmt: skip
    assert saved.status_code == 302
    bad = client.post(
        f"/studies/{study}/safety-settings/",
        {"sponsor_time_zone": "Nowhere/Land", "product_type": "drug", "site_to_sponsor_hours": "24",
         "version": 1, "reason": "typo"},
    )  # fmt: skip
    assert "sponsor_time_zone" in bad.context["form"].errors
    policy = client.post(
        f"/studies/{study}/committee-policies/new/",
        {"name": "EC-BERLIN", "committee": "EC Berlin", "event_kind": "susar", "clock": "working",
         "length": "5", "holiday_calendar": "DE"},
    )  # fmt: skip
    assert policy.status_code == 302, policy.context["form"].errors
    rsi = client.post(
        f"/studies/{study}/reference-safety-information/new/",
        {"label": "IB v7", "effective_on": "2025-01-01"},
    )
    assert rsi.status_code == 302
    tab = client.get(f"/studies/{study}/?tab=safety").content.decode()
    assert "US, EU, JP" in tab and "IRB:EC-BERLIN" in tab and "IB v7" in tab
    assert client_for(world.monitor).get(f"/studies/{study}/safety-settings/").status_code == 403
