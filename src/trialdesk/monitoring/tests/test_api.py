"""The monitoring API: the same services as the pages, errors naming the field, nothing saved on refusal."""

import datetime as dt
import json

import pytest

from tests.factories import PASSWORD
from tests.writes import nothing_written
from trialdesk.monitoring import services
from trialdesk.monitoring.models import MonitoringVisit
from trialdesk.monitoring.tests import factories as f

pytestmark = pytest.mark.django_db


def send(client, method, url, body=None, **headers):
    return getattr(client, method)(
        f"/api/v1{url}", json.dumps(body or {}), content_type="application/json", **headers
    )


def fields_of(response) -> set:
    return {error["field"] for error in response.json()["errors"]}


def test_a_plan_version_through_the_api(world, client_for):
    client = client_for(world.crm)
    created = send(
        client,
        "post",
        f"/studies/{world.study_a.pk}/monitoring-plans",
        {"effective_on": "2025-01-01", "tier_rules": {"high": {"interval_days": 21}}},
    )
    assert created.status_code == 201
    rules = {r["tier"]: r for r in created.json()["tier_rules"]}
    assert rules["high"]["interval_days"] == 21 and rules["low"]["interval_days"] == 84
    with nothing_written():
        refused = send(
            client, "post", f"/studies/{world.study_a.pk}/monitoring-plans", {"effective_on": "2025-06-01"}
        )
    assert refused.status_code == 422 and fields_of(refused) == {"reason"}
    listed = client.get(f"/api/v1/studies/{world.study_a.pk}/monitoring-plans").json()
    assert listed["count"] == 1 and set(listed) == {"count", "limit", "offset", "items"}
    assert (
        send(
            client_for(world.monitor),
            "post",
            f"/studies/{world.study_a.pk}/monitoring-plans",
            {"effective_on": "2025-01-01"},
        ).status_code
        == 403
    )


def test_the_site_set_up_with_its_tier_and_version(world, client_for):
    client = client_for(world.crm)
    url = f"/monitoring-setups/{world.site_a1.pk}"
    saved = send(
        client,
        "put",
        url,
        {
            "cra_id": world.monitor.pk,
            "site_latitude": 52.52,
            "site_longitude": 13.405,
            "typed_distance_km": 545.26,
        },
    )
    assert (
        saved.status_code == 200
        and saved.json()["cra"] == "monitor_mia"
        and saved.json()["typed_distance_km"] == 545.3
    )
    assert saved.json()["tier"] == "low" and saved["ETag"] == '"1"'
    with nothing_written():
        stale = send(client, "put", url, {"tier_override": "high", "reason": "x", "version": 9})
    assert stale.status_code == 409
    with nothing_written():
        stranger = send(client, "put", url, {"backup_cra_id": world.crm.pk, "reason": "x", "version": 1})
    assert stranger.status_code == 422 and fields_of(stranger) == {"backup_cra"}


def test_visit_report_and_signatures_through_the_api(world, client_for):
    f.plan(world)
    f.set_up(world)
    cra = client_for(world.monitor)
    created = send(
        cra,
        "post",
        f"/studies/{world.study_a.pk}/monitoring-visits",
        {"study_site_id": world.site_a1.pk, "visit_type": "imv", "planned_on": "2025-03-10"},
    )
    assert created.status_code == 201 and created.json()["cra"] == "monitor_mia"
    visit_id = created.json()["id"]
    conducted = send(
        cra,
        "post",
        f"/monitoring-visits/{visit_id}/transition",
        {"to": "conduct", "conducted_on": "2025-03-10", "travel_days": 1, "version": 1},
    )
    assert conducted.status_code == 200 and conducted.json()["kg_co2e"] > 0
    report_id = conducted.json()["report_id"]
    report = cra.get(f"/api/v1/visit-reports/{report_id}").json()
    assert report["due_on"] == "2025-03-24" and report["unanswered"]
    with nothing_written():
        refused = send(cra, "post", f"/visit-reports/{report_id}/submit", {"password": PASSWORD})
    assert refused.status_code == 422 and "answers.consent_before_procedures" in fields_of(refused)
    answers = {q["key"]: {"answer": "yes", "comment": ""} for q in report["questions"]}
    assert send(cra, "patch", f"/visit-reports/{report_id}", {"answers": answers}).status_code == 200
    finding = send(
        cra,
        "post",
        f"/visit-reports/{report_id}/findings",
        {"category": "consent", "severity": "minor", "description": "Late"},
    )
    assert finding.status_code == 201 and finding.json()["number"] == 1
    submitted = send(cra, "post", f"/visit-reports/{report_id}/submit", {"password": PASSWORD})
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    crm = client_for(world.crm)
    assert send(crm, "post", f"/visit-reports/{report_id}/return", {"comments": ""}).status_code == 422
    approved = send(crm, "post", f"/visit-reports/{report_id}/approve", {"password": PASSWORD})
    assert approved.status_code == 200
    assert [s["meaning"] for s in approved.json()["signatures"]] == ["authorship", "approval"]
    assert (
        send(
            client_for(world.auditor), "post", f"/visit-reports/{report_id}/approve", {"password": PASSWORD}
        ).status_code
        == 403
    )


def test_a_visit_at_a_site_outside_the_cras_assignment_names_the_cra(world, client_for):
    with nothing_written():
        refused = send(
            client_for(world.crm),
            "post",
            f"/studies/{world.study_a.pk}/monitoring-visits",
            {
                "study_site_id": world.site_a2.pk,
                "visit_type": "imv",
                "planned_on": "2025-03-10",
                "cra_id": world.monitor.pk,
            },
        )
    assert refused.status_code == 422 and fields_of(refused) == {"cra"}
    assert not MonitoringVisit.objects.exists()


def test_action_items_refuse_a_missing_owner_and_due_date_and_move_on(world, client_for):
    client = client_for(world.monitor)
    url = f"/studies/{world.study_a.pk}/action-items"
    with nothing_written():
        refused = send(client, "post", url, {"study_site_id": world.site_a1.pk, "description": "x"})
    assert refused.status_code == 422 and fields_of(refused) == {"owner", "due_on"}
    created = send(
        client,
        "post",
        url,
        {
            "study_site_id": world.site_a1.pk,
            "description": "x",
            "owner_id": world.monitor.pk,
            "due_on": "2031-01-01",
        },
    )
    assert created.status_code == 201
    item_id = created.json()["id"]
    resolved = send(
        client,
        "post",
        f"/action-items/{item_id}/transition",
        {"to": "resolve", "resolution": "done", "version": 1},
    )
    assert resolved.json()["status"] == "resolved"
    closed = send(client, "post", f"/action-items/{item_id}/transition", {"to": "close", "version": 2})
    assert closed.json()["status"] == "closed"


def test_issues_risks_qtls_and_signals(world, client_for):
    crm = client_for(world.crm)
    issue = send(
        crm,
        "post",
        f"/studies/{world.study_a.pk}/issues",
        {
            "title": "Late SAEs",
            "category": "safety",
            "severity": "major",
            "owner_id": world.crm.pk,
            "due_on": "2031-01-01",
        },
    )
    assert issue.status_code == 201
    moved = send(crm, "post", f"/issues/{issue.json()['id']}/transition", {"to": "closed", "version": 1})
    assert moved.status_code == 422 and fields_of(moved) == {"to"}
    risk = send(
        crm,
        "post",
        f"/studies/{world.study_a.pk}/risks",
        {
            "title": "AEs",
            "category": "safety",
            "likelihood": 3,
            "impact": 3,
            "detectability": 2,
            "review_on": "2031-01-01",
            "kri_key": "ae_rate",
        },
    )
    assert risk.status_code == 201 and (risk.json()["score"], risk.json()["tier"]) == (18, "high")
    bad_kri = send(
        crm,
        "post",
        f"/studies/{world.study_a.pk}/risks",
        {
            "title": "x",
            "category": "safety",
            "likelihood": 1,
            "impact": 1,
            "detectability": 1,
            "review_on": "2031-01-01",
            "kri_key": "nope",
        },
    )
    assert bad_kri.status_code == 422 and fields_of(bad_kri) == {"kri_key"}
    qtl = send(
        crm,
        "post",
        f"/studies/{world.study_a.pk}/qtls",
        {"parameter": "screen_failure", "limit": 30.5, "secondary_limit": 20},
    )
    assert qtl.status_code == 201 and qtl.json()["limit"] == 30.5
    status = crm.get(f"/api/v1/studies/{world.study_a.pk}/qtl-status").json()["items"]
    assert {row["parameter"] for row in status} >= {"screen_failure", "early_discontinuation"}
    assert send(crm, "post", f"/studies/{world.study_a.pk}/signals/check").json()["count"] == 0


def test_the_carbon_estimate_answers_as_the_command(world, client_for):
    client = client_for(world.outsider)
    found = send(
        client,
        "post",
        "/monitoring/carbon-estimates",
        {"from": "45.7597,4.8422", "to": "48.8567,2.3508", "mode": "air"},
    )
    assert found.status_code == 200
    assert (
        found.json()["distance_km"] == pytest.approx(392.217, abs=1e-3)
        and found.json()["routing_factor"] == 1.0
    )
    refused = send(
        client, "post", "/monitoring/carbon-estimates", {"from": "95,0", "to": "0,0", "mode": "air"}
    )
    assert refused.status_code == 422 and fields_of(refused) == {"from"}


def test_site_staff_read_no_monitoring_plan_but_their_action_items(world, client_for):
    f.plan(world, study=world.study_b)
    item = services.raise_action_item(
        study_site=world.site_b1,
        by=world.admin,
        description="x",
        owner=world.coordinator,
        due_on=dt.date(2031, 1, 1),
    )
    client = client_for(world.coordinator)
    assert client.get(f"/api/v1/studies/{world.study_b.pk}/monitoring-plans").json()["count"] == 0
    assert [
        i["id"] for i in client.get(f"/api/v1/studies/{world.study_b.pk}/action-items").json()["items"]
    ] == [item.pk]
