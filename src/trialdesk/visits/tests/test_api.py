"""The visits API read as sentences: schedules, participants' visits, missed visits, deviations, rates."""

import pytest

from tests.writes import nothing_written
from trialdesk.core.models import AuditEvent
from trialdesk.visits.models import ProtocolDeviation, ScheduledVisit

JSON = "application/json"


@pytest.fixture
def crm(world, client_for):
    return client_for(world.crm)


def fields(response) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


# Visit definitions ------------------------------------------------------------------------------------


def test_the_schedule_is_listed_in_order(world, vw, client_for):
    response = client_for(world.monitor).get(
        f"/api/v1/protocol-versions/{world.protocol_a.pk}/visit-definitions"
    )
    assert response.status_code == 200
    assert [d["code"] for d in response.json()["items"]] == ["SCR", "BL", "W2", "W4", "FU", "EOS"]
    w2 = response.json()["items"][2]
    assert (w2["day_offset"], w2["window_before_days"], w2["modalities"]) == (
        14,
        3,
        ["on_site", "telemedicine"],
    )


def test_the_crm_adds_changes_and_deletes_a_visit_definition(world, vw, crm):
    created = crm.post(
        f"/api/v1/protocol-versions/{world.protocol_a.pk}/visit-definitions",
        {
            "code": "W8",
            "name": "Week 8",
            "visit_type": "treatment",
            "day_offset": 56,
            "modalities": ["remote_data"],
        },
        content_type=JSON,
    )
    assert created.status_code == 201 and created.json()["anchor"] == "randomization"
    url = f"/api/v1/visit-definitions/{created.json()['id']}"
    read = crm.get(url)
    changed = crm.patch(
        url, {"window_after_days": 5, "reason": "Amendment"}, content_type=JSON, HTTP_IF_MATCH=read["ETag"]
    )
    assert changed.status_code == 200 and changed.json()["window_after_days"] == 5
    assert crm.delete(f"{url}?reason=Mistake&version=2").status_code == 204


def test_an_unknown_modality_is_refused_naming_the_field(world, vw, crm):
    response = crm.post(
        f"/api/v1/protocol-versions/{world.protocol_a.pk}/visit-definitions",
        {
            "code": "W8",
            "name": "Week 8",
            "visit_type": "treatment",
            "day_offset": 56,
            "modalities": ["teleport"],
        },
        content_type=JSON,
    )
    assert response.status_code == 422 and fields(response) == ["modalities.0"]


def test_an_empty_modality_list_is_refused(world, vw, crm):
    response = crm.post(
        f"/api/v1/protocol-versions/{world.protocol_a.pk}/visit-definitions",
        {"code": "W8", "name": "Week 8", "visit_type": "treatment", "day_offset": 56, "modalities": []},
        content_type=JSON,
    )
    assert response.status_code == 422 and fields(response) == ["modalities"]


def test_a_stale_definition_version_answers_409(world, vw, crm):
    url = f"/api/v1/visit-definitions/{vw.definition('W2').pk}"
    crm.patch(url, {"name": "Week two", "reason": "r", "version": 1}, content_type=JSON)
    response = crm.patch(url, {"name": "Week 2", "reason": "r", "version": 1}, content_type=JSON)
    assert response.status_code == 409 and fields(response) == ["version"]


# Participants' visits ---------------------------------------------------------------------------------


def test_a_participant_visits_are_listed_with_their_standing(world, vw, crm, clock):
    clock.move_to("2025-03-20T10:00Z")
    response = crm.get(f"/api/v1/participants/{vw.participant_a1.pk}/visits")
    assert response.status_code == 200
    assert [(v["code"], v["standing"]) for v in response.json()["items"]] == [
        ("BL", "missed"),
        ("W2", "due"),
        ("W4", "upcoming"),
        ("FU", "upcoming"),
        ("EOS", "upcoming"),
    ]


def test_recording_a_scheduled_visit(world, vw, crm):
    response = crm.post(
        f"/api/v1/participants/{vw.participant_a1.pk}/visits",
        {"scheduled_visit_id": vw.visit_a1.pk, "done_on": "2025-03-22", "modality": "telemedicine"},
        content_type=JSON,
    )
    assert response.status_code == 200
    assert (response.json()["standing"], response.json()["out_of_window"]) == ("done_out_of_window", True)


def test_recording_an_unscheduled_visit(world, vw, client_for):
    response = client_for(world.coordinator).post(
        f"/api/v1/participants/{vw.participant_b1.pk}/visits",
        {"done_on": "2025-03-05", "modality": "home_visit", "note": "AE check"},
        content_type=JSON,
    )
    assert response.status_code == 200
    assert (response.json()["definition_id"], response.json()["name"]) == (None, "Unscheduled visit")


def test_a_visit_date_in_the_future_is_refused_naming_the_field(world, vw, crm):
    tomorrow = world.site_a1.local_today().toordinal() + 1
    import datetime as dt

    response = crm.post(
        f"/api/v1/participants/{vw.participant_a1.pk}/visits",
        {
            "scheduled_visit_id": vw.visit_a1.pk,
            "done_on": dt.date.fromordinal(tomorrow).isoformat(),
            "modality": "on_site",
        },
        content_type=JSON,
    )
    assert response.status_code == 422 and fields(response) == ["done_on"]
    assert ScheduledVisit.objects.get(pk=vw.visit_a1.pk).status == "scheduled"


def test_a_visit_of_another_participant_is_refused_naming_the_field(world, vw, crm):
    response = crm.post(
        f"/api/v1/participants/{vw.participant_a1.pk}/visits",
        {"scheduled_visit_id": vw.visit_a2.pk, "done_on": "2025-03-17", "modality": "on_site"},
        content_type=JSON,
    )
    assert response.status_code == 422 and fields(response) == ["scheduled_visit_id"]


def test_the_monitor_may_not_record_a_visit(world, vw, client_for):
    with nothing_written():
        response = client_for(world.monitor).post(
            f"/api/v1/participants/{vw.participant_a1.pk}/visits",
            {"scheduled_visit_id": vw.visit_a1.pk, "done_on": "2025-03-17", "modality": "on_site"},
            content_type=JSON,
        )
    assert response.status_code == 403
    assert ScheduledVisit.objects.get(pk=vw.visit_a1.pk).status == "scheduled"


def test_scheduling_first_dose_visits_is_idempotent(world, vw, crm):
    from trialdesk.visits import services

    services.create_visit_definition(
        protocol_version=world.protocol_a,
        code="PK1",
        name="PK day 1",
        visit_type="treatment",
        anchor="first_dose",
        day_offset=1,
        modalities=["on_site"],
        by=world.crm,
    )
    url = f"/api/v1/participants/{vw.participant_a1.pk}/visits/schedule"
    first = crm.post(url, {"anchor": "first_dose", "anchor_on": "2025-03-04"}, content_type=JSON)
    again = crm.post(url, {"anchor": "first_dose", "anchor_on": "2025-03-04"}, content_type=JSON)
    assert first.status_code == again.status_code == 200
    assert [v["target_on"] for v in again.json()] == ["2025-03-05"]
    assert ScheduledVisit.objects.filter(participant=vw.participant_a1, definition__code="PK1").count() == 1


def test_a_scheduled_visit_is_read_with_its_etag(world, vw, client_for):
    response = client_for(world.monitor).get(f"/api/v1/scheduled-visits/{vw.visit_a1.pk}")
    assert response.status_code == 200 and response["ETag"] == '"1"'
    assert client_for(world.monitor).get(f"/api/v1/scheduled-visits/{vw.visit_a2.pk}").status_code == 404


def test_missed_visits_of_a_study(world, vw, crm, clock):
    clock.move_to("2025-03-25T10:00Z")
    response = crm.get(f"/api/v1/studies/{world.study_a.pk}/missed-visits")
    assert response.json()["count"] == 4
    assert {v["standing"] for v in response.json()["items"]} == {"missed"}


# Deviations -------------------------------------------------------------------------------------------


def new_deviation(world, **overrides) -> dict:
    return {
        "study_site_id": world.site_a1.pk,
        "category": "ip_dosing",
        "description": "Dose taken 2 days late.",
        "occurred_on": "2025-04-01",
        "identified_on": "2025-04-03",
        **overrides,
    }


def test_the_monitor_records_reads_and_changes_a_deviation(world, vw, client_for):
    monitor = client_for(world.monitor)
    created = monitor.post(
        f"/api/v1/studies/{world.study_a.pk}/deviations", new_deviation(world), content_type=JSON
    )
    assert created.status_code == 201
    assert (created.json()["site_number"], created.json()["review_status"]) == ("101", "needs_review")
    url = f"/api/v1/deviations/{created.json()['id']}"
    read = monitor.get(url)
    changed = monitor.patch(
        url,
        {"corrective_action": "Reminder cards", "reason": "CAPA"},
        content_type=JSON,
        HTTP_IF_MATCH=read["ETag"],
    )
    assert changed.status_code == 200 and changed.json()["version"] == 2


def test_a_deviation_at_a_site_out_of_sight_is_refused_naming_the_field(world, vw, client_for):
    response = client_for(world.monitor).post(
        f"/api/v1/studies/{world.study_a.pk}/deviations",
        new_deviation(world, study_site_id=world.site_a2.pk),
        content_type=JSON,
    )
    assert response.status_code == 422 and fields(response) == ["study_site_id"]


def test_an_unknown_category_is_refused_naming_the_field(world, vw, crm):
    response = crm.post(
        f"/api/v1/studies/{world.study_a.pk}/deviations",
        new_deviation(world, category="mood"),
        content_type=JSON,
    )
    assert response.status_code == 422 and fields(response) == ["category"]


def test_deviations_are_filtered(world, vw, crm):
    url = f"/api/v1/studies/{world.study_a.pk}/deviations"
    assert crm.get(url).json()["count"] == 2
    assert [d["id"] for d in crm.get(url, {"important": "true"}).json()["items"]] == [vw.deviation_a2.pk]
    assert [d["id"] for d in crm.get(url, {"participant": "101"}).json()["items"]] == [vw.deviation_a1.pk]
    assert crm.get(url, {"study_site_id": world.site_a2.pk, "category": "procedure"}).json()["count"] == 1


def test_the_crm_reviews_and_deletes(world, vw, crm):
    reviewed = crm.post(
        f"/api/v1/deviations/{vw.deviation_a1.pk}/review",
        {"important": True, "reason": "Confirmed"},
        content_type=JSON,
    )
    assert reviewed.status_code == 200
    assert (
        reviewed.json()["review_status"],
        reviewed.json()["reviewed_by"],
        reviewed.json()["important"],
    ) == (
        "reviewed",
        "crm_anna",
        True,
    )
    again = crm.post(f"/api/v1/deviations/{vw.deviation_a1.pk}/review", {}, content_type=JSON)
    assert again.status_code == 422 and fields(again) == ["review_status"]
    assert (
        crm.delete(f"/api/v1/deviations/{vw.deviation_a2.pk}?reason=Duplicate&version=1").status_code == 204
    )
    assert not ProtocolDeviation.objects.filter(pk=vw.deviation_a2.pk).exists()
    assert AuditEvent.objects.filter(action="protocoldeviation.deleted").count() == 1


def test_deviation_rates_by_site(world, vw, crm, clock):
    clock.move_to("2025-06-01T12:00Z")
    rates = crm.get(f"/api/v1/studies/{world.study_a.pk}/deviation-rates").json()
    assert rates["count"] == 2
    a1 = rates["items"][0]
    assert (a1["site_number"], a1["participants"], a1["deviations"], a1["important"]) == ("101", 1, 1, 0)
    assert a1["participant_months"] == pytest.approx(92 / 30.4375, abs=1e-3)
    assert a1["rate"] == pytest.approx(30.4375 / 92)
