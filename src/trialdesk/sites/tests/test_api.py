"""The sites API read as sentences: institutions, study sites and their lifecycle, bad input by field."""

import pytest
from django.test import Client

from tests.writes import nothing_written
from trialdesk.core.models import AuditEvent
from trialdesk.core.services import create_api_token
from trialdesk.sites.models import Institution, StudySite

JSON = "application/json"


@pytest.fixture
def crm(world, client_for) -> Client:
    return client_for(world.crm)


def fields(response) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


def new_institution(**overrides) -> dict:
    return {"name": "Charité", "city": "Berlin", "country": "de", "time_zone": "Europe/Berlin", **overrides}


# Institutions --------------------------------------------------------------------------------------


def test_crm_adds_reads_and_changes_an_institution(world, crm):
    created = crm.post("/api/v1/institutions", new_institution(), content_type=JSON)
    assert created.status_code == 201
    assert (created.json()["country"], created.json()["country_name"]) == ("DE", "Germany")
    url = f"/api/v1/institutions/{created.json()['id']}"
    read = crm.get(url)
    assert read["ETag"] == '"1"'
    changed = crm.patch(
        url, {"department": "Oncology", "reason": "r"}, content_type=JSON, HTTP_IF_MATCH=read["ETag"]
    )
    assert changed.status_code == 200 and changed.json()["version"] == 2


def test_institution_list_filters_by_country_and_name(world, crm):
    assert [i["name"] for i in crm.get("/api/v1/institutions?country=jp").json()["items"]] == [
        "Tokyo Medical"
    ]
    assert crm.get("/api/v1/institutions?search=hospital").json()["count"] == 2


def test_unknown_country_is_refused_naming_the_field(world, crm):
    response = crm.post("/api/v1/institutions", new_institution(country="XX"), content_type=JSON)
    assert response.status_code == 422 and fields(response) == ["country"]
    assert not Institution.objects.filter(name="Charité").exists()


def test_unknown_time_zone_is_refused_naming_the_field(world, crm):
    response = crm.post(
        "/api/v1/institutions", new_institution(time_zone="Europe/Atlantis"), content_type=JSON
    )
    assert response.status_code == 422 and fields(response) == ["time_zone"]


def test_monitor_sees_only_the_institution_of_their_site(world, client_for):
    monitor = client_for(world.monitor)
    assert [i["id"] for i in monitor.get("/api/v1/institutions").json()["items"]] == [
        world.site_a1.institution_id
    ]
    assert monitor.get(f"/api/v1/institutions/{world.site_a2.institution_id}").status_code == 404


def test_monitor_may_not_change_an_institution_they_see(world, client_for):
    with nothing_written():
        response = client_for(world.monitor).patch(
            f"/api/v1/institutions/{world.site_a1.institution_id}",
            {"city": "X", "reason": "r", "version": 1},
            content_type=JSON,
        )
    assert response.status_code == 403
    assert Institution.objects.get(pk=world.site_a1.institution_id).city == "Berlin"


# Study sites ---------------------------------------------------------------------------------------


def test_study_sites_list_with_institution_and_next_statuses(world, crm):
    body = crm.get(f"/api/v1/studies/{world.study_a.pk}/sites").json()
    assert [(s["site_number"], s["country"]) for s in body["items"]] == [("101", "DE"), ("102", "JP")]
    assert body["items"][0]["allowed_transitions"] == ["under_feasibility", "on_hold", "terminated"]


def test_crm_adds_changes_and_deletes_a_study_site(world, crm):
    created = crm.post(
        f"/api/v1/studies/{world.study_a.pk}/sites",
        {"institution_id": world.site_b1.institution_id, "site_number": "103", "target_enrollment": 12},
        content_type=JSON,
    )
    assert created.status_code == 201
    assert (created.json()["status"], created.json()["study_id"]) == ("identified", world.study_a.pk)
    url = f"/api/v1/study-sites/{created.json()['id']}"
    changed = crm.patch(
        url, {"principal_investigator": "Dr Ito", "reason": "new PI", "version": 1}, content_type=JSON
    )
    assert changed.json()["principal_investigator"] == "Dr Ito"
    assert crm.delete(f"{url}?reason=not+selected&version=2").status_code == 204
    assert not StudySite.objects.filter(pk=created.json()["id"]).exists()


def test_study_site_created_with_an_api_token(world):
    _, raw = create_api_token(user=world.crm, name="site loader", by=world.crm)
    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").post(
        f"/api/v1/studies/{world.study_a.pk}/sites",
        {"institution_id": world.site_a1.institution_id, "site_number": "104"},
        content_type=JSON,
    )
    assert response.status_code == 201
    site = StudySite.objects.get(study=world.study_a, site_number="104")
    assert response.json()["id"] == site.pk and site.institution_id == world.site_a1.institution_id
    event = AuditEvent.objects.get(action="studysite.created", object_id=str(site.pk))
    assert event.actor == world.crm  # the token's owner, not an anonymous script


def test_site_number_reused_in_a_study_is_refused_naming_the_field(world, crm):
    response = crm.post(
        f"/api/v1/studies/{world.study_a.pk}/sites",
        {"institution_id": world.site_b1.institution_id, "site_number": "101"},
        content_type=JSON,
    )
    assert response.status_code == 422 and fields(response) == ["site_number"]
    assert StudySite.objects.filter(study=world.study_a).count() == 2


def test_unknown_institution_is_refused_naming_institution_id(world, crm):
    response = crm.post(
        f"/api/v1/studies/{world.study_a.pk}/sites",
        {"institution_id": 9999, "site_number": "105"},
        content_type=JSON,
    )
    assert response.status_code == 422 and fields(response) == ["institution_id"]


def test_status_cannot_be_patched_around_the_lifecycle(world, crm):
    response = crm.patch(
        f"/api/v1/study-sites/{world.site_a1.pk}",
        {"status": "enrolling", "reason": "r", "version": 1},
        content_type=JSON,
    )
    assert response.status_code == 422 and fields(response) == ["status"]


def test_site_moves_along_its_lifecycle(world, crm):
    url = f"/api/v1/study-sites/{world.site_a1.pk}/transition"
    version = 1
    for status in ("under_feasibility", "selected", "start_up", "activated"):
        response = crm.post(
            url,
            {"to": status, "reason": f"to {status}", "on": "2025-04-01", "version": version},
            content_type=JSON,
        )
        assert response.status_code == 200, response.json()
        version = response.json()["version"]
    body = response.json()
    assert (body["status"], body["activated_on"]) == ("activated", "2025-04-01")
    assert body["allowed_transitions"] == ["enrolling", "on_hold", "terminated"]
    assert response["ETag"] == f'"{version}"'
    portfolio = crm.get("/api/v1/studies").json()["items"][0]
    assert portfolio["sites_active"] == 1


def test_invalid_site_transition_names_the_allowed_ones(world, crm):
    response = crm.post(
        f"/api/v1/study-sites/{world.site_a1.pk}/transition",
        {"to": "enrolling", "reason": "r", "version": 1},
        content_type=JSON,
    )
    assert response.status_code == 422 and fields(response) == ["to"]
    assert "under feasibility, on hold, terminated" in response.json()["detail"]
    assert StudySite.objects.get(pk=world.site_a1.pk).status == "identified"


def test_stale_site_transition_is_409_and_changes_nothing(world, crm):
    url = f"/api/v1/study-sites/{world.site_a1.pk}/transition"
    crm.post(url, {"to": "on_hold", "reason": "r", "version": 1}, content_type=JSON)
    events = AuditEvent.objects.count()
    response = crm.post(url, {"to": "terminated", "reason": "r", "version": 1}, content_type=JSON)
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "version"
    assert StudySite.objects.get(pk=world.site_a1.pk).status == "on_hold"
    assert AuditEvent.objects.count() == events


def test_transition_without_reason_is_refused_naming_reason(world, crm):
    response = crm.post(
        f"/api/v1/study-sites/{world.site_a1.pk}/transition",
        {"to": "under_feasibility", "version": 1},
        content_type=JSON,
    )
    assert response.status_code == 422 and fields(response) == ["reason"]


def test_monitor_on_site_a1_gets_404_for_site_a2_and_403_on_writes(world, client_for):
    monitor = client_for(world.monitor)
    assert monitor.get(f"/api/v1/study-sites/{world.site_a2.pk}").status_code == 404
    assert [
        s["site_number"] for s in monitor.get(f"/api/v1/studies/{world.study_a.pk}/sites").json()["items"]
    ] == ["101"]
    response = monitor.post(
        f"/api/v1/study-sites/{world.site_a1.pk}/transition",
        {"to": "under_feasibility", "reason": "r", "version": 1},
        content_type=JSON,
    )
    assert response.status_code == 403


def test_coordinator_of_site_b1_gets_404_for_site_a1(world, client_for):
    assert client_for(world.coordinator).get(f"/api/v1/study-sites/{world.site_a1.pk}").status_code == 404


def test_auditor_reads_sites_but_gets_403_on_patch(world, client_for):
    auditor = client_for(world.auditor)
    assert auditor.get(f"/api/v1/study-sites/{world.site_a2.pk}").status_code == 200
    with nothing_written():
        response = auditor.patch(
            f"/api/v1/study-sites/{world.site_a2.pk}",
            {"target_enrollment": 1, "reason": "r", "version": 1},
            content_type=JSON,
        )
    assert response.status_code == 403
    assert StudySite.objects.get(pk=world.site_a2.pk).target_enrollment == world.site_a2.target_enrollment
