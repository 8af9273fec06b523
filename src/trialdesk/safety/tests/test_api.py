"""The safety API: record events and follow-ups, obligations, line listings; bad input names the field."""

import datetime as dt
import io
import json

import pytest
from openpyxl import load_workbook

from tests.factories import make_participant
from trialdesk.core.models import AuditEvent
from trialdesk.randomization.models import UnblindedAccess
from trialdesk.safety.models import AdverseEvent, ReportingObligation
from trialdesk.safety.tests.factories import AWARE, make_adverse_event

API = "/api/v1"


@pytest.fixture
def participant(world):
    return make_participant(world.site_a1, "101-001", by=world.admin)


def body(participant, **overrides) -> dict:
    values = {
        "participant_id": participant.pk,
        "verbatim_term": "short of breath",
        "ctcae_term": "pneumonitis",
        "grade": 3,
        "onset_on": "2025-03-09",
        "seriousness": ["hospitalization"],
        "causality": "probably",
        "expected": False,
        "site_aware_at": "2025-03-10T10:00:00+01:00",
        "sponsor_aware_at": "2025-03-10T15:00:00+01:00",
    }
    values.update(overrides)
    return values


def post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


def test_record_an_adverse_event_and_read_its_obligations(world, client_for, participant):
    client = client_for(world.crm)
    response = post(client, f"{API}/studies/{world.study_a.pk}/adverse-events", body(participant))
    assert response.status_code == 201, response.content
    event = response.json()
    assert event["number"] == "AE-0001" and event["ctcae_term"] == "Pneumonitis" and event["susar"]
    obligations = client.get(f"{API}/adverse-events/{event['id']}/obligations").json()
    assert {o["key"] for o in obligations["items"]} == {
        "PROTOCOL-SAE-SPONSOR",
        "EU-SUSAR-15D",
        "JP-ADR-15D",
        "JP-GCP-NOTICE-15D",
    }
    to_sponsor = next(o for o in obligations["items"] if o["key"] == "PROTOCOL-SAE-SPONSOR")
    assert to_sponsor["due_at"] == "2025-03-11T10:00:00+01:00" and to_sponsor["clock"] == "hours"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"grade": 7}, "grade"),
        ({"grade": 5}, "outcome"),
        ({"ctcae_term": "Pneumonitiss"}, "ctcae_term"),
        ({"onset_on": "2025-03-11"}, "site_aware_at"),
        ({"resolved_on": "2025-03-01"}, "resolved_on"),
        ({"sponsor_aware_at": "2025-03-10T09:00:00+01:00"}, "sponsor_aware_at"),
        ({"site_aware_at": "2025-03-10T10:00:00"}, "site_aware_at"),
        ({"seriousness": ["scary"]}, "seriousness.0"),
    ],
)
def test_bad_input_answers_422_naming_the_field(world, client_for, participant, overrides, field):
    before = AuditEvent.objects.count()
    response = post(
        client_for(world.crm),
        f"{API}/studies/{world.study_a.pk}/adverse-events",
        body(participant, **overrides),
    )
    assert response.status_code == 422, response.content
    assert field in {e["field"] for e in response.json()["errors"]}
    assert not AdverseEvent.objects.exists() and AuditEvent.objects.count() == before


def test_unknown_term_suggests_the_closest(world, client_for, participant):
    response = post(
        client_for(world.crm),
        f"{API}/studies/{world.study_a.pk}/adverse-events",
        body(participant, ctcae_term="Pneumonitiss"),
    )
    assert "Closest terms: Pneumonitis" in response.json()["errors"][0]["message"]


def test_follow_up_is_a_new_version_and_recalculates(world, client_for, participant, clock):
    clock.move_to(AWARE + dt.timedelta(days=2))
    client = client_for(world.crm)
    event = make_adverse_event(participant, by=world.crm)
    response = post(
        client,
        f"{API}/adverse-events/{event.pk}/versions",
        {"reason": "died on day 3", "grade": 5, "outcome": "fatal", "seriousness": ["death"], "version": 1},
    )
    assert response.status_code == 201, response.content
    assert response.json()["number"] == 2 and response.json()["grade_definition"] == "Death"
    versions = client.get(f"{API}/adverse-events/{event.pk}/versions").json()
    assert [v["grade"] for v in versions["items"]] == [3, 5]
    statuses = {o.key: o.status for o in ReportingObligation.objects.filter(adverse_event=event)}
    assert statuses["EU-SUSAR-7D"] == "open" and statuses["EU-SUSAR-15D"] == "not_required"
    stale = post(
        client, f"{API}/adverse-events/{event.pk}/versions", {"reason": "again", "grade": 5, "version": 1}
    )
    assert stale.status_code == 409


def test_follow_up_needs_a_reason(world, client_for, participant):
    event = make_adverse_event(participant, by=world.crm)
    response = post(
        client_for(world.crm), f"{API}/adverse-events/{event.pk}/versions", {"reason": " ", "grade": 4}
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "reason"


def test_mark_an_obligation_submitted_with_its_evidence(world, client_for, participant):
    event = make_adverse_event(participant, by=world.crm)
    obligation = ReportingObligation.objects.get(adverse_event=event, key="EU-SUSAR-15D")
    response = post(
        client_for(world.crm),
        f"{API}/obligations/{obligation.pk}/submit",
        {"submitted_at": "2025-03-12T10:00:00+00:00", "reference_number": "EU-EC-2025-1"},
    )
    assert response.status_code == 200, response.content
    found = response.json()
    assert found["status"] == "met" and found["submitted_by"] == "crm_anna" and found["standing"] == "met"


def test_the_monitor_may_not_submit_a_sponsor_report(world, client_for, participant):
    event = make_adverse_event(participant, by=world.crm)
    obligation = ReportingObligation.objects.get(adverse_event=event, key="EU-SUSAR-15D")
    assert post(client_for(world.monitor), f"{API}/obligations/{obligation.pk}/submit", {}).status_code == 403


def test_obligations_list_filters_overdue_across_the_portfolio(world, client_for, participant):
    make_adverse_event(participant, by=world.crm)  # clocks of March 2025: all overdue today
    found = client_for(world.crm).get(f"{API}/obligations?window=overdue").json()
    assert found["count"] == 4 and all(o["standing"] == "late" and o["days_late"] > 0 for o in found["items"])
    assert client_for(world.crm).get(f"{API}/obligations?window=24h").json()["count"] == 0
    assert client_for(world.coordinator).get(f"{API}/obligations").json()["count"] == 0


def test_line_listing_as_csv_and_excel_hides_the_arm_from_blinded_readers(world, client_for, participant):
    from trialdesk.randomization.services import randomize
    from trialdesk.randomization.tests.factories import make_scheme

    world.study_a.blinded = True
    world.study_a.save()
    make_scheme(world.study_a, by=world.admin)
    randomize(participant=participant, factor_levels={"sex": "F"}, by=world.admin)
    make_adverse_event(participant, by=world.crm)
    csv_text = (
        client_for(world.crm)
        .get(f"{API}/studies/{world.study_a.pk}/line-listing?format=csv")
        .content.decode()
    )
    header, row = csv_text.splitlines()[:2]
    assert header.startswith("AE number,Site,Participant,Arm") and ",blinded," in row
    UnblindedAccess.objects.create(study=world.study_a, user=world.crm, granted_by=world.admin, reason="DSMB")
    workbook = client_for(world.crm).get(
        f"{API}/studies/{world.study_a.pk}/line-listing?format=xlsx&serious=true"
    )
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    assert sheet.cell(1, 4).value == "Arm" and sheet.cell(2, 4).value in ("A", "B")


def test_line_listing_json_page_and_filters(world, client_for, participant):
    make_adverse_event(participant, by=world.crm)
    make_adverse_event(participant, by=world.crm, seriousness=[], grade=1, onset_on=dt.date(2025, 3, 10))
    client = client_for(world.crm)
    assert client.get(f"{API}/studies/{world.study_a.pk}/line-listing").json()["count"] == 2
    assert client.get(f"{API}/studies/{world.study_a.pk}/line-listing?serious=false").json()["count"] == 1
    assert client.get(f"{API}/studies/{world.study_a.pk}/line-listing?grade=3").json()["count"] == 1
    hidden = client_for(world.sponsor_viewer).get(f"{API}/studies/{world.study_a.pk}/line-listing")
    assert hidden.status_code == 403 and hidden.json()["detail"].startswith("Hidden: ")  # not `count: 0`


def test_ctcae_search(world, client_for):
    found = client_for(world.outsider).get(f"{API}/ctcae-terms?q=pneumon").json()
    assert "Pneumonitis" in [t["term"] for t in found["items"]]
    assert found["items"][0]["grades"]["5"] == "Death" or "5" in json.dumps(found["items"])


def test_settings_and_committee_policies(world, client_for, participant):
    client = client_for(world.crm)
    settings = client.put(
        f"{API}/safety-settings/{world.study_a.pk}",
        data=json.dumps({"sponsor_time_zone": "America/New_York", "extra_jurisdictions": ["US"]}),
        content_type="application/json",
    )
    assert settings.status_code == 200 and settings.json()["jurisdictions"] == ["US", "EU", "JP"]
    bad = client.put(
        f"{API}/safety-settings/{world.study_a.pk}",
        data=json.dumps({"sponsor_time_zone": "Nowhere/Land"}),
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "sponsor_time_zone"
    policy = post(
        client,
        f"{API}/studies/{world.study_a.pk}/committee-policies",
        {
            "name": "EC-BERLIN",
            "committee": "EC Berlin",
            "event_kind": "all_serious",
            "clock": "working",
            "length": 5,
            "holiday_calendar": "DE",
        },
    )
    assert policy.status_code == 201, policy.content
    event = make_adverse_event(participant, by=world.crm)
    assert ReportingObligation.objects.filter(adverse_event=event, key="IRB:EC-BERLIN").exists()


def test_unknown_jurisdiction_in_the_settings_is_refused(world, client_for):
    response = client_for(world.crm).put(
        f"{API}/safety-settings/{world.study_a.pk}",
        data=json.dumps({"extra_jurisdictions": ["US", "MARS"]}),
        content_type="application/json",
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "extra_jurisdictions"


def test_the_auditor_may_read_but_not_record(world, client_for, participant):
    client = client_for(world.auditor)
    url = f"{API}/studies/{world.study_a.pk}/adverse-events"
    assert client.get(url).status_code == 200
    assert post(client, url, body(participant)).status_code == 403
