"""The incidents API: list, record, read, change, notifications, marking one made; 404 outside scope,
403 to read-only roles, 422 naming the field for bad input, never a 500."""

import datetime as dt

import pytest
from django.utils import timezone

from trialdesk.incidents.models import Incident
from trialdesk.incidents.tests.factories import make_incident

BODY = {
    "kind": "personal_data_breach",
    "title": "Screening log e-mailed to the wrong site",
    "description": "Names and years of birth of 37 candidates.",
    "aware_at": "2026-03-28T10:00:00+01:00",
    "jurisdictions": ["EU", "UK"],
    "sponsor_timezone": "Europe/Berlin",
    "affected_individuals": 37,
}


@pytest.fixture
def api(client_for):
    def as_person(user):
        client = client_for(user)

        def call(method, path, body=None, **headers):
            kwargs = {"content_type": "application/json", "data": body} if body is not None else {}
            return getattr(client, method)("/api/v1" + path, **kwargs, **headers)

        return call

    return as_person


def test_the_crm_records_an_incident_and_reads_its_clocks(world, api, clock):
    clock.move_to("2026-03-29T12:00:00+00:00")
    crm = api(world.crm)
    created = crm("post", f"/studies/{world.study_a.pk}/incidents", BODY)
    assert created.status_code == 201, created.json()
    incident = created.json()
    assert incident["number"] == "INC-001" and incident["open_notifications"] == 2
    assert incident["aware_at"] == "2026-03-28T10:00:00+01:00"
    found = crm("get", f"/incidents/{incident['id']}/obligations").json()
    by_key = {o["key"]: o for o in found["items"]}
    # 72 hours across the change to summer time: the wall clock reads 11:00 CEST.
    assert by_key["EU-GDPR-33"]["due_at"] == "2026-03-31T11:00:00+02:00"
    assert by_key["UK-GDPR-33"]["recipient"] == "Information Commissioner's Office"
    assert {
        "recipient",
        "jurisdiction",
        "rule",
        "clock",
        "length",
        "starts_at",
        "due_at",
        "due_on",
        "key",
    } <= set(by_key["EU-GDPR-33"])
    listed = crm("get", f"/studies/{world.study_a.pk}/incidents").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == incident["id"]


BAD = [
    ({"aware_at": None}, "aware_at"),
    ({"aware_at": "2026-03-28T10:00:00"}, "aware_at"),
    ({"jurisdictions": ["EU", "XX"]}, "jurisdictions.1"),
    ({"sponsor_timezone": "Mars/Base"}, "sponsor_timezone"),
    ({"affected_individuals": -1}, "affected_individuals"),
    ({"kind": "hack"}, "kind"),
]


@pytest.mark.parametrize(("bad", "field"), BAD)
def test_bad_input_is_422_naming_the_field_and_saves_nothing(world, api, bad, field):
    body = {**BODY, **bad}
    if bad.get("aware_at", "") is None:
        del body["aware_at"]
    response = api(world.crm)("post", f"/studies/{world.study_a.pk}/incidents", body)
    assert response.status_code == 422, response.content
    assert field in [e["field"] for e in response.json()["errors"]]
    assert Incident.objects.count() == 0


def test_scoping_404_outside_and_403_to_read_only_roles(world, api):
    incident = make_incident(world.study_a, by=world.crm, study_site=world.site_a2)
    path = f"/incidents/{incident.pk}"
    assert api(world.coordinator)("get", path).status_code == 404
    assert api(world.monitor)("get", path).status_code == 404  # monitor of A1, incident at A2
    assert api(world.sponsor_viewer)("get", path).status_code == 404  # subject-level
    assert api(world.auditor)("get", path).status_code == 200
    refused = api(world.auditor)("post", f"/studies/{world.study_a.pk}/incidents", BODY)
    assert refused.status_code == 403
    obligation = incident.obligations.first()
    assert api(world.auditor)("post", f"/incident-obligations/{obligation.pk}/met", {}).status_code == 403
    assert api(world.coordinator)("post", f"/incident-obligations/{obligation.pk}/met", {}).status_code == 404
    assert api(world.coordinator)("get", f"/studies/{world.study_a.pk}/incidents").status_code == 404


def test_marking_made_and_changing_facts(world, api):
    incident = make_incident(world.study_a, by=world.crm, hours_ago=3)
    crm = api(world.crm)
    obligation = incident.obligations.get(key="EU-GDPR-33")
    made_at = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    done = crm(
        "post",
        f"/incident-obligations/{obligation.pk}/met",
        {"submitted_at": made_at, "reference_number": "X1"},
    )
    assert done.status_code == 200 and done.json()["status"] == "met"
    naive = crm("post", f"/incident-obligations/{obligation.pk}/met", {"submitted_at": "2026-01-01T10:00:00"})
    assert naive.status_code == 422
    changed = crm(
        "patch",
        f"/incidents/{incident.pk}",
        {"title": "Stolen laptop", "reason": "police report"},
        HTTP_IF_MATCH='"1"',
    )
    assert changed.status_code == 200 and changed.json()["title"] == "Stolen laptop"
    stale = crm("patch", f"/incidents/{incident.pk}", {"title": "Again", "reason": "r", "version": 1})
    assert stale.status_code == 409
    no_reason = crm("patch", f"/incidents/{incident.pk}", {"title": "Again", "version": 2})
    assert no_reason.status_code == 422
