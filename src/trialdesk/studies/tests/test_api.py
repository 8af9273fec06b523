"""The studies API read as sentences: CRUD for the CRM, bad input named by field, scope and versions kept."""

import datetime as dt

import pytest
from django.db import IntegrityError
from django.test import Client
from django.utils import timezone

from tests.factories import make_site, make_study
from tests.writes import nothing_written
from trialdesk.core.models import AuditEvent
from trialdesk.core.services import create_api_token
from trialdesk.studies import services
from trialdesk.studies.models import Arm, Milestone, ProtocolVersion, Study

JSON = "application/json"


@pytest.fixture
def crm(world, client_for) -> Client:
    return client_for(world.crm)


def fields(response) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


def new_study(**overrides) -> dict:
    return {
        "code": "NEU-C",
        "title": "A study of drug Z in migraine",
        "phase": "II",
        "therapeutic_area": "Neurology",
        "sponsor": "Acme Pharma",
        "planned_enrollment": 80,
        **overrides,
    }


# Programs ------------------------------------------------------------------------------------------


def test_crm_creates_and_lists_programs(world, crm):
    created = crm.post("/api/v1/programs", {"name": "Drug X"}, content_type=JSON)
    assert created.status_code == 201
    assert crm.get("/api/v1/programs").json()["items"] == [created.json()]


def test_auditor_may_not_create_a_program(world, client_for):
    with nothing_written():
        response = client_for(world.auditor).post("/api/v1/programs", {"name": "Drug X"}, content_type=JSON)
    assert response.status_code == 403


# Studies -------------------------------------------------------------------------------------------


def test_study_list_shows_the_portfolio_with_sites_and_countries(world, crm):
    body = crm.get("/api/v1/studies").json()
    assert (body["count"], body["limit"], body["offset"]) == (1, 50, 0)
    (study,) = body["items"]
    assert study["code"] == "ONC-A"
    assert (study["sites_active"], study["sites_planned"], study["countries"]) == (0, 2, ["DE", "JP"])
    assert set(study) >= {
        "id",
        "phase",
        "status",
        "sponsor",
        "nct_number",
        "program_id",
        "version",
        "blinded",
    }


def test_study_list_filters_and_sorts(world, client_for):
    admin = client_for(world.admin)
    assert [s["code"] for s in admin.get("/api/v1/studies?sort=-code").json()["items"]] == ["ONC-A", "CARD-B"]
    assert [s["code"] for s in admin.get("/api/v1/studies?phase=II").json()["items"]] == ["CARD-B"]
    assert [s["code"] for s in admin.get("/api/v1/studies?therapeutic_area=oncology").json()["items"]] == [
        "ONC-A"
    ]
    assert admin.get("/api/v1/studies?search=card").json()["count"] == 1
    assert admin.get("/api/v1/studies?status=recruiting").json()["count"] == 0


def test_study_list_refuses_an_unknown_filter_value_naming_it(world, crm):
    response = crm.get("/api/v1/studies?phase=V&sort=colour")
    assert response.status_code == 422
    assert sorted(fields(response)) == ["phase", "sort"]


def test_study_list_is_paginated(world, crm):
    for n in range(4):
        make_study(f"PAGE-{n}", by=world.crm)
    page = crm.get("/api/v1/studies?limit=2&offset=4").json()
    assert (page["count"], page["limit"], page["offset"]) == (5, 2, 4)
    assert [s["code"] for s in page["items"]] == ["PAGE-3"]
    assert crm.get("/api/v1/studies?limit=501").status_code == 422
    assert crm.get("/api/v1/studies?offset=-1").status_code == 422


def test_study_list_takes_the_same_number_of_queries_for_5_and_60_studies(
    world, crm, django_assert_max_num_queries
):
    def add_studies_up_to(total):
        for n in range(Study.objects.visible_to(world.crm).count(), total):
            study = make_study(f"BULK-{n:03d}", by=world.crm)
            make_site(study, "1", by=world.crm, institution=world.site_a1.institution)

    add_studies_up_to(5)
    # A bound for the page (the study query, its count, and a query or two per registered portfolio
    # column); what matters is the next check: the same number for 60 studies.
    with django_assert_max_num_queries(12) as few:
        assert crm.get("/api/v1/studies?limit=50").json()["count"] == 5
    add_studies_up_to(60)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = crm.get("/api/v1/studies?limit=50").json()
    assert body["count"] == 60 and len(body["items"]) == 50


def test_crm_creates_a_study_and_becomes_its_crm(world, crm):
    response = crm.post("/api/v1/studies", new_study(reason="new indication"), content_type=JSON)
    assert response.status_code == 201
    body = response.json()
    assert (body["code"], body["version"]) == ("NEU-C", 1)
    assert crm.get(f"/api/v1/studies/{body['id']}").status_code == 200
    event = AuditEvent.objects.filter(action="study.created", study_id=body["id"]).get()
    assert (event.actor_username, event.reason) == ("crm_anna", "new indication")


def test_study_created_with_an_api_token(world):
    _, raw = create_api_token(user=world.crm, name="setup script", by=world.crm)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    created = client.post("/api/v1/studies", new_study(), content_type=JSON)
    assert created.status_code == 201
    study_id = created.json()["id"]
    changed = client.patch(
        f"/api/v1/studies/{study_id}", {"title": "Renamed", "reason": "typo", "version": 1}, content_type=JSON
    )
    assert changed.status_code == 200 and changed.json()["title"] == "Renamed"


def test_study_in_a_program_the_crm_can_see(world, crm):
    program_id = crm.post("/api/v1/programs", {"name": "Drug Z"}, content_type=JSON).json()["id"]
    response = crm.post("/api/v1/studies", new_study(program_id=program_id), content_type=JSON)
    assert response.json()["program_id"] == program_id


def test_study_in_an_unknown_program_is_refused_naming_program_id(world, crm):
    response = crm.post("/api/v1/studies", new_study(program_id=9999), content_type=JSON)
    assert response.status_code == 422
    assert fields(response) == ["program_id"]


def test_duplicate_study_code_is_refused_naming_the_field(world, crm):
    response = crm.post("/api/v1/studies", new_study(code="ONC-A"), content_type=JSON)
    assert response.status_code == 422
    assert fields(response) == ["code"]
    assert Study.objects.filter(code="ONC-A").count() == 1


@pytest.mark.parametrize("nct_number", ["NCT1234", "nct-01234567", "NCT012345678"])
def test_bad_nct_number_is_refused_naming_the_field(world, crm, nct_number):
    response = crm.post("/api/v1/studies", new_study(nct_number=nct_number), content_type=JSON)
    assert response.status_code == 422
    assert set(fields(response)) == {"nct_number"}
    assert "NCT followed by exactly 8 digits" in response.json()["detail"].replace("'", "")
    assert not Study.objects.filter(code="NEU-C").exists()


def test_unknown_field_is_refused_naming_it(world, crm):
    response = crm.post("/api/v1/studies", new_study(colour="blue"), content_type=JSON)
    assert response.status_code == 422
    assert fields(response) == ["colour"]


def test_missing_and_mistyped_fields_are_named_without_prefixes(world, crm):
    body = new_study(planned_enrollment="many")
    del body["title"]
    response = crm.post("/api/v1/studies", body, content_type=JSON)
    assert response.status_code == 422
    assert sorted(fields(response)) == ["planned_enrollment", "title"]


def test_absurd_numbers_and_nul_characters_are_422_not_500(world, crm):
    assert (
        crm.post("/api/v1/studies", new_study(planned_enrollment=10**30), content_type=JSON).status_code
        == 422
    )
    response = crm.post("/api/v1/studies", new_study(title="A\x00B"), content_type=JSON)
    assert response.status_code == 422 and fields(response) == ["title"]


def test_malformed_json_is_400(world, crm):
    response = crm.post("/api/v1/studies", '{"code": ', content_type=JSON)
    assert response.status_code == 400
    assert response.json()["errors"] == []


def test_body_that_is_not_an_object_is_422(world, crm):
    for body in ("", "[]", '"NEU-C"'):
        response = crm.post("/api/v1/studies", body, content_type=JSON)
        assert response.status_code == 422
        assert response.json()["detail"] == "The request body must be a JSON object."


def test_duplicate_saved_by_a_racing_request_is_409(world, crm, monkeypatch):
    def lose_the_race(**values):
        raise IntegrityError("UNIQUE constraint failed: studies_study.code")

    monkeypatch.setattr(services, "create_study", lose_the_race)
    response = crm.post("/api/v1/studies", new_study(), content_type=JSON)
    assert response.status_code == 409
    assert "reload" in response.json()["detail"]


def test_study_detail_carries_its_version_as_etag(world, crm):
    response = crm.get(f"/api/v1/studies/{world.study_a.pk}")
    assert response.status_code == 200
    assert response["ETag"] == '"1"' and response.json()["version"] == 1


def test_crm_changes_a_study_with_reason_and_version(world, crm):
    url = f"/api/v1/studies/{world.study_a.pk}"
    response = crm.patch(
        url, {"status": "recruiting", "reason": "IRB approved", "version": 1}, content_type=JSON
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["version"], response["ETag"]) == (
        "recruiting",
        2,
        '"2"',
    )
    event = AuditEvent.objects.filter(action="study.updated").latest("id")
    assert event.changes == {"status": ["planned", "recruiting"]} and event.reason == "IRB approved"


def test_version_may_come_as_if_match(world, crm):
    url = f"/api/v1/studies/{world.study_a.pk}"
    response = crm.patch(url, {"title": "New", "reason": "r"}, content_type=JSON, HTTP_IF_MATCH='"1"')
    assert response.status_code == 200 and response.json()["title"] == "New"


def test_stale_version_is_409_and_changes_nothing(world, crm):
    url = f"/api/v1/studies/{world.study_a.pk}"
    crm.patch(url, {"title": "First", "reason": "r", "version": 1}, content_type=JSON)
    events = AuditEvent.objects.count()
    response = crm.patch(url, {"title": "Second", "reason": "r", "version": 1}, content_type=JSON)
    assert response.status_code == 409
    assert "changed by someone else" in response.json()["detail"]
    assert Study.objects.get(pk=world.study_a.pk).title == "First"
    assert AuditEvent.objects.count() == events


def test_update_without_version_is_refused_naming_version(world, crm):
    response = crm.patch(
        f"/api/v1/studies/{world.study_a.pk}", {"title": "X", "reason": "r"}, content_type=JSON
    )
    assert response.status_code == 422 and fields(response) == ["version"]
    assert Study.objects.get(pk=world.study_a.pk).title == "Study ONC-A"


def test_update_without_reason_is_refused_naming_reason(world, crm):
    response = crm.patch(
        f"/api/v1/studies/{world.study_a.pk}", {"title": "X", "reason": " ", "version": 1}, content_type=JSON
    )
    assert response.status_code == 422 and fields(response) == ["reason"]


def test_auditor_gets_403_on_patch_and_nothing_changes(world, client_for):
    response = client_for(world.auditor).patch(
        f"/api/v1/studies/{world.study_a.pk}", {"title": "X", "reason": "r", "version": 1}, content_type=JSON
    )
    assert response.status_code == 403
    assert Study.objects.get(pk=world.study_a.pk).title == "Study ONC-A"


def test_sponsor_viewer_gets_403_on_delete(world, client_for):
    with nothing_written():
        response = client_for(world.sponsor_viewer).delete(
            f"/api/v1/studies/{world.study_a.pk}?reason=r&version=1"
        )
    assert response.status_code == 403


def test_outsider_gets_404_for_study_a(world, client_for):
    outsider = client_for(world.outsider)
    assert outsider.get(f"/api/v1/studies/{world.study_a.pk}").status_code == 404
    assert outsider.get(f"/api/v1/studies/{world.study_a.pk}/milestones").status_code == 404
    response = outsider.patch(
        f"/api/v1/studies/{world.study_a.pk}", {"title": "X", "reason": "r", "version": 1}, content_type=JSON
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": []}


def test_crm_of_study_a_gets_404_for_study_b(world, crm):
    assert crm.get(f"/api/v1/studies/{world.study_b.pk}").status_code == 404


def test_unauthenticated_study_list_is_401(world, client):
    assert client.get("/api/v1/studies").status_code == 401


def test_planned_study_without_sites_is_deleted_with_a_reason(world, crm):
    study = make_study("TMP-1", by=world.crm, gated=True)  # no override: nothing else refers to it
    url = f"/api/v1/studies/{study.pk}"
    missing_reason = crm.delete(f"{url}?version=1")
    assert missing_reason.status_code == 422 and fields(missing_reason) == ["reason"]
    assert crm.delete(f"{url}?reason=created+by+mistake&version=1").status_code == 204
    assert not Study.objects.filter(pk=study.pk).exists()
    assert AuditEvent.objects.filter(action="study.deleted", reason="created by mistake").exists()


def test_study_with_sites_is_not_deleted(world, crm):
    response = crm.delete(f"/api/v1/studies/{world.study_a.pk}?reason=r", HTTP_IF_MATCH='"1"')
    assert response.status_code == 422 and fields(response) == ["status"]


def test_audit_events_of_a_study_are_listed_newest_first(world, crm):
    body = crm.get(f"/api/v1/studies/{world.study_a.pk}/audit-events?limit=3").json()
    assert body["count"] > 3 and len(body["items"]) == 3
    ids = [event["id"] for event in body["items"]]
    assert ids == sorted(ids, reverse=True)
    assert {event["object_type"] for event in body["items"]} <= {
        "studies.arm",
        "studies.milestone",
        "studies.protocolversion",
        "core.roleassignment",
        "sites.studysite",
        "studies.study",
    }


def test_monitor_does_not_see_another_sites_audit_events(world, client_for):
    body = client_for(world.monitor).get(f"/api/v1/studies/{world.study_a.pk}/audit-events?limit=500").json()
    assert world.site_a2.pk not in {event["study_site_id"] for event in body["items"]}


# Protocol versions ---------------------------------------------------------------------------------


def test_crm_adds_and_lists_protocol_versions(world, crm):
    url = f"/api/v1/studies/{world.study_a.pk}/protocol-versions"
    created = crm.post(
        url, {"number": "2.0", "version_date": "2025-09-01", "amendment_number": 1}, content_type=JSON
    )
    assert created.status_code == 201
    assert (created.json()["status"], created.json()["is_amendment"]) == ("draft", True)
    assert [v["number"] for v in crm.get(url).json()["items"]] == ["1.0", "2.0"]


def test_protocol_version_number_is_unique_in_a_study(world, crm):
    url = f"/api/v1/studies/{world.study_a.pk}/protocol-versions"
    response = crm.post(url, {"number": "1.0", "version_date": "2025-09-01"}, content_type=JSON)
    assert response.status_code == 422 and fields(response) == ["number"]


def test_crm_changes_a_protocol_version(world, crm):
    url = f"/api/v1/protocol-versions/{world.protocol_a.pk}"
    etag = crm.get(url)["ETag"]
    response = crm.patch(
        url, {"summary_of_changes": "Dose", "reason": "r"}, content_type=JSON, HTTP_IF_MATCH=etag
    )
    assert response.status_code == 200 and response.json()["summary_of_changes"] == "Dose"


def test_protocol_version_moves_through_its_lifecycle(world, crm):
    url = f"/api/v1/protocol-versions/{world.protocol_a.pk}/transition"
    version = 1
    for status in ("submitted", "approved", "effective"):
        response = crm.post(
            url, {"to": status, "reason": "plan", "on": "2025-02-01", "version": version}, content_type=JSON
        )
        assert response.status_code == 200, response.json()
        version = response.json()["version"]
    assert response.json()["effective_on"] == "2025-02-01"


def test_invalid_protocol_transition_names_the_allowed_ones(world, crm):
    url = f"/api/v1/protocol-versions/{world.protocol_a.pk}/transition"
    response = crm.post(url, {"to": "effective", "reason": "r", "version": 1}, content_type=JSON)
    assert response.status_code == 422
    assert fields(response) == ["to"]
    assert "submitted" in response.json()["detail"]
    assert ProtocolVersion.objects.get(pk=world.protocol_a.pk).status == "draft"


def test_stale_protocol_transition_is_409(world, crm):
    url = f"/api/v1/protocol-versions/{world.protocol_a.pk}/transition"
    crm.post(url, {"to": "submitted", "reason": "r", "version": 1}, content_type=JSON)
    response = crm.post(url, {"to": "approved", "reason": "r", "version": 1}, content_type=JSON)
    assert response.status_code == 409
    assert ProtocolVersion.objects.get(pk=world.protocol_a.pk).status == "submitted"


# Arms ----------------------------------------------------------------------------------------------


def test_crm_creates_changes_and_deletes_an_arm(world, crm):
    created = crm.post(
        f"/api/v1/studies/{world.study_a.pk}/arms",
        {"code": "B", "name": "Placebo", "arm_type": "placebo_comparator"},
        content_type=JSON,
    )
    assert created.status_code == 201
    url = f"/api/v1/arms/{created.json()['id']}"
    assert crm.get(url).json()["name"] == "Placebo"
    changed = crm.patch(url, {"allocation_ratio": 2, "reason": "2:1", "version": 1}, content_type=JSON)
    assert changed.json()["allocation_ratio"] == 2
    assert crm.delete(f"{url}?reason=dropped&version=2").status_code == 204
    assert not Arm.objects.filter(pk=created.json()["id"]).exists()
    assert len(crm.get(f"/api/v1/studies/{world.study_a.pk}/arms").json()["items"]) == 1


def test_arm_with_an_unknown_type_is_refused_naming_the_field(world, crm):
    response = crm.post(
        f"/api/v1/studies/{world.study_a.pk}/arms",
        {"code": "B", "name": "X", "arm_type": "magic"},
        content_type=JSON,
    )
    assert response.status_code == 422 and fields(response) == ["arm_type"]


# Milestones ----------------------------------------------------------------------------------------


def test_milestones_show_variance_and_lateness(world, crm):
    Milestone.objects.filter(pk=world.milestone_a.pk).update(forecast_on=dt.date(2025, 6, 11))
    body = crm.get(f"/api/v1/milestones/{world.milestone_a.pk}").json()
    assert (body["variance_days"], body["is_late"], body["is_done"]) == (10, True, False)
    listed = crm.get(f"/api/v1/studies/{world.study_a.pk}/milestones").json()
    assert {m["id"] for m in listed["items"]} == {world.milestone_a.pk, world.site_milestone_a2.pk}


def test_crm_creates_changes_and_deletes_a_milestone(world, crm):
    created = crm.post(
        f"/api/v1/studies/{world.study_a.pk}/milestones",
        {"kind": "site_activated", "study_site_id": world.site_a1.pk, "baseline_on": "2025-03-01"},
        content_type=JSON,
    )
    assert created.status_code == 201 and created.json()["study_site_id"] == world.site_a1.pk
    url = f"/api/v1/milestones/{created.json()['id']}"
    changed = crm.patch(
        url, {"actual_on": "2025-03-04", "reason": "activated", "version": 1}, content_type=JSON
    )
    assert (changed.json()["variance_days"], changed.json()["is_done"]) == (3, True)
    assert crm.delete(url + "?reason=duplicate", HTTP_IF_MATCH='"2"').status_code == 204


def test_milestone_actual_date_in_the_future_is_refused(world, crm):
    future = (timezone.now().date() + dt.timedelta(days=3)).isoformat()
    url = f"/api/v1/milestones/{world.milestone_a.pk}"
    response = crm.patch(url, {"actual_on": future, "reason": "r", "version": 1}, content_type=JSON)
    assert response.status_code == 422 and fields(response) == ["actual_on"]
    assert Milestone.objects.get(pk=world.milestone_a.pk).actual_on is None


def test_milestone_on_another_studys_site_is_refused_naming_study_site_id(world, client_for):
    response = client_for(world.admin).post(
        f"/api/v1/studies/{world.study_a.pk}/milestones",
        {"kind": "site_activated", "study_site_id": world.site_b1.pk},
        content_type=JSON,
    )
    assert response.status_code == 422 and fields(response) == ["study_site_id"]


def test_custom_milestone_needs_a_name(world, crm):
    response = crm.post(
        f"/api/v1/studies/{world.study_a.pk}/milestones", {"kind": "custom"}, content_type=JSON
    )
    assert response.status_code == 422 and fields(response) == ["name"]


def test_monitor_on_site_a1_gets_404_for_site_a2_milestone(world, client_for):
    monitor = client_for(world.monitor)
    assert monitor.get(f"/api/v1/milestones/{world.site_milestone_a2.pk}").status_code == 404
    listed = monitor.get(f"/api/v1/studies/{world.study_a.pk}/milestones").json()
    assert [m["id"] for m in listed["items"]] == [world.milestone_a.pk]
