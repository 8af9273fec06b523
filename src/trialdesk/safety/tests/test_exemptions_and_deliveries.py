"""Protocol exemptions from the 24-hour report and a report's deliveries to each site or committee, through
the page and the API (issue 13 §1): recorded by whoever oversees safety, refused with the field named,
read only where the record may be seen."""

import datetime as dt
import json

import pytest

from tests.factories import make_participant
from trialdesk.core.models import AuditEvent
from trialdesk.safety import deliveries
from trialdesk.safety.models import ObligationDelivery, ProtocolReportingExemption, ReportingObligation
from trialdesk.safety.tests.factories import AWARE, make_adverse_event

API = "/api/v1"
EXEMPTION = {
    "kind_of_event": "Hospitalisation for a planned procedure",
    "protocol_section": "10.3.2",
    "site_to_sponsor_hours": 72,
}


@pytest.fixture
def participant(world):
    return make_participant(world.site_a1, "101-001", by=world.admin)


def post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


def test_the_crm_records_an_exemption_through_the_api_and_an_event_reported_under_it_gets_its_limit(
    world, client_for, participant, clock
):
    clock.move_to(AWARE + dt.timedelta(hours=6))
    client = client_for(world.crm)
    created = post(client, f"{API}/studies/{world.study_a.pk}/reporting-exemptions", EXEMPTION)
    assert created.status_code == 201, created.content
    exemption = created.json()
    listed = client.get(f"{API}/studies/{world.study_a.pk}/reporting-exemptions").json()
    assert [e["protocol_section"] for e in listed["items"]] == ["10.3.2"] and listed["count"] == 1
    assert AuditEvent.objects.filter(action="protocolreportingexemption.created").count() == 1
    event = post(
        client,
        f"{API}/studies/{world.study_a.pk}/adverse-events",
        {
            "participant_id": participant.pk,
            "verbatim_term": "planned knee surgery",
            "ctcae_term": "pneumonitis",
            "grade": 3,
            "onset_on": "2025-03-09",
            "seriousness": ["hospitalization"],
            "site_aware_at": "2025-03-10T10:00:00+01:00",
            "sponsor_aware_at": "2025-03-10T15:00:00+01:00",
            "protocol_exemption_id": exemption["id"],
        },
    )
    assert event.status_code == 201, event.content
    event_id = event.json()["id"]
    versions = client.get(f"{API}/adverse-events/{event_id}/versions").json()
    assert versions["items"][-1]["protocol_exemption_id"] == exemption["id"]
    to_sponsor = ReportingObligation.objects.get(adverse_event_id=event_id, key="PROTOCOL-SAE-SPONSOR")
    assert to_sponsor.length == 72 and "section 10.3.2" in to_sponsor.description


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"protocol_section": " "}, "protocol_section"),
        ({"site_to_sponsor_hours": 0}, "site_to_sponsor_hours"),
        ({"site_to_sponsor_hours": 9000}, "site_to_sponsor_hours"),
        ({"kind_of_event": "x" * 201}, "kind_of_event"),
    ],
)
def test_a_bad_exemption_is_refused_naming_the_field_and_nothing_is_saved(
    world, client_for, overrides, field
):
    response = post(
        client_for(world.crm),
        f"{API}/studies/{world.study_a.pk}/reporting-exemptions",
        {**EXEMPTION, **overrides},
    )
    assert response.status_code == 422, response.content
    assert field in {error["field"] for error in response.json()["errors"]}
    assert not ProtocolReportingExemption.objects.exists()


def test_only_those_overseeing_safety_record_an_exemption(world, client_for):
    url = f"{API}/studies/{world.study_a.pk}/reporting-exemptions"
    assert post(client_for(world.monitor), url, EXEMPTION).status_code == 403
    assert post(client_for(world.auditor), url, EXEMPTION).status_code == 403
    assert client_for(world.auditor).get(url).status_code == 200
    assert client_for(world.outsider).get(url).status_code == 404
    assert not ProtocolReportingExemption.objects.exists()


def test_the_exemption_page_records_it_and_the_safety_tab_lists_it(world, client_for):
    client = client_for(world.crm)
    url = f"/studies/{world.study_a.pk}/reporting-exemptions/new/"
    assert client.get(url).status_code == 200
    refused = client.post(url, {**EXEMPTION, "protocol_section": " "})
    assert refused.status_code == 200 and "protocol_section" in refused.context["form"].errors
    assert not ProtocolReportingExemption.objects.exists()
    saved = client.post(url, EXEMPTION)
    assert saved.status_code == 302
    tab = client.get(f"/studies/{world.study_a.pk}/?tab=safety").content.decode()
    assert "Hospitalisation for a planned procedure (protocol 10.3.2)" in tab
    assert client_for(world.monitor).get(url).status_code == 403


def _delivery(world, participant) -> ObligationDelivery:
    event = make_adverse_event(participant, by=world.crm)
    obligation = ReportingObligation.objects.filter(adverse_event=event).order_by("id").first()
    return deliveries.plan_deliveries(obligation=obligation, distribution="committees", by=None)[0]


def test_a_delivery_and_its_acknowledgement_are_recorded_through_the_api(world, client_for, participant):
    delivery = _delivery(world, participant)
    client = client_for(world.crm)
    listed = client.get(f"{API}/obligations/{delivery.obligation_id}/deliveries").json()
    assert [d["id"] for d in listed["items"]] == [delivery.pk] and listed["items"][0]["sent_at"] is None
    url = f"{API}/obligation-deliveries/{delivery.pk}"
    sent = post(client, url, {"sent_at": "2025-03-12T09:00:00+00:00"})
    assert sent.status_code == 200, sent.content
    acknowledged = post(
        client,
        f"{API}/obligation-deliveries/{delivery.pk}",
        {"acknowledged_at": "2025-03-13T09:00:00+00:00", "acknowledgement_reference": "ACK-77"},
    ).json()
    assert acknowledged["sent_at"].startswith("2025-03-12")
    assert acknowledged["acknowledgement_reference"] == "ACK-77"
    assert AuditEvent.objects.filter(action="obligationdelivery.delivered").count() == 2


def test_a_bad_delivery_is_refused_naming_the_field(world, client_for, participant):
    delivery = _delivery(world, participant)
    client = client_for(world.crm)
    url = f"{API}/obligation-deliveries/{delivery.pk}"
    before_sent = post(client, url, {"acknowledged_at": "2025-03-13T09:00:00+00:00"})
    assert before_sent.status_code == 422 and before_sent.json()["errors"][0]["field"] == "acknowledged_at"
    future = post(client, url, {"sent_at": "2999-01-01T00:00:00+00:00"})
    assert future.status_code == 422 and future.json()["errors"][0]["field"] == "sent_at"
    delivery.refresh_from_db()
    assert delivery.sent_at is None and delivery.acknowledged_at is None


def test_deliveries_are_subject_level(world, client_for, participant):
    delivery = _delivery(world, participant)
    for person in (world.sponsor_viewer, world.outsider):
        client = client_for(person)
        assert client.get(f"{API}/obligations/{delivery.obligation_id}/deliveries").status_code == 404
        assert post(client, f"{API}/obligation-deliveries/{delivery.pk}", {}).status_code == 404
