"""A study's health in the API (`GET /api/v1/studies/{id}/health`) and the thresholds its CRM sets:
the body's shape, the overall colour's rule, scoping, the audit trail, and bad input named."""

import pytest

from trialdesk.core import health
from trialdesk.core.extensions import AMBER, GREEN, RED, UNKNOWN, HealthReading
from trialdesk.core.models import AuditEvent
from trialdesk.studies.models import HealthThreshold

JSON = "application/json"


def dimensions(*colours):
    return [
        health.Dimension(f"d{i}", f"D{i}", colour, (health.Part("x", HealthReading(f"d{i}", colour, "")),))
        for i, colour in enumerate(colours)
    ]


@pytest.mark.parametrize(
    "colours, overall",
    [
        ((GREEN, GREEN), GREEN),
        ((GREEN, AMBER), AMBER),
        ((GREEN, UNKNOWN), AMBER),  # hidden or not known: never green
        ((AMBER, RED, UNKNOWN), RED),
        ((), AMBER),
    ],
)
def test_overall_colour(colours, overall):
    assert health.overall_colour(dimensions(*colours)) == overall


def test_study_health_has_the_documented_shape(world, client_for):
    body = client_for(world.crm).get(f"/api/v1/studies/{world.study_a.pk}/health").json()
    assert body["overall"] in {RED, AMBER, GREEN}
    names = [dimension["name"] for dimension in body["dimensions"]]
    assert "timeline" in names and "enrollment" in names
    timeline = next(d for d in body["dimensions"] if d["name"] == "timeline")
    assert timeline["status"] == RED  # the world's site milestone is months late
    assert timeline["reasons"][0]["text"].startswith("Milestones: ")
    assert timeline["reasons"][0]["url"].endswith(f"/studies/{world.study_a.pk}/?tab=milestones")
    assert body["overall"] == RED


def test_health_is_404_outside_the_study(world, client_for):
    assert client_for(world.outsider).get(f"/api/v1/studies/{world.study_a.pk}/health").status_code == 404
    assert client_for(world.crm).get(f"/api/v1/studies/{world.study_b.pk}/health").status_code == 404


def test_crm_moves_a_threshold_and_the_colour_follows_audited(world, client_for):
    crm = client_for(world.crm)
    url = f"/api/v1/studies/{world.study_a.pk}/health/thresholds"
    rows = {row["key"]: row for row in crm.get(url).json()}
    assert rows["timeline.red_after_days"]["value"] == 30 and rows["timeline.red_after_days"]["is_default"]
    answer = crm.put(
        url,
        {"reason": "Steering committee", "values": {"timeline.red_after_days": 100000}},
        content_type=JSON,
    )
    assert answer.status_code == 422 and "timeline.red_after_days" in answer.content.decode()
    assert not HealthThreshold.objects.exists()  # nothing saved
    answer = crm.put(
        url, {"reason": "Steering committee", "values": {"timeline.red_after_days": 3650}}, content_type=JSON
    )
    assert answer.status_code == 200, answer.content
    timeline = next(
        d
        for d in crm.get(f"/api/v1/studies/{world.study_a.pk}/health").json()["dimensions"]
        if d["name"] == "timeline"
    )
    assert timeline["status"] == AMBER  # late, but not beyond 3,650 days
    event = AuditEvent.objects.filter(object_type="studies.healththreshold").latest("pk")
    assert event.reason == "Steering committee" and event.study_id == world.study_a.pk
    back = crm.put(url, {"reason": "Back", "values": {"timeline.red_after_days": None}}, content_type=JSON)
    assert back.status_code == 200 and not HealthThreshold.objects.exists()
    assert AuditEvent.objects.filter(object_type="studies.healththreshold").count() == 2


@pytest.mark.parametrize(
    "values, field",
    [
        ({"no.such": 3}, "no.such"),
        ({"timeline.red_after_days": -1}, "timeline.red_after_days"),
        ({"timeline.red_after_days": "ten"}, "values"),
    ],
)
def test_bad_thresholds_are_named_and_change_nothing(world, client_for, values, field):
    answer = client_for(world.crm).put(
        f"/api/v1/studies/{world.study_a.pk}/health/thresholds",
        {"reason": "x", "values": values},
        content_type=JSON,
    )
    assert answer.status_code in (400, 422)
    assert field in answer.content.decode()
    assert not HealthThreshold.objects.exists()


def test_only_the_crm_sets_thresholds(world, client_for):
    url = f"/api/v1/studies/{world.study_a.pk}/health/thresholds"
    body = {"reason": "x", "values": {"timeline.red_after_days": 10}}
    assert client_for(world.sponsor_viewer).put(url, body, content_type=JSON).status_code == 403
    assert client_for(world.monitor).put(url, body, content_type=JSON).status_code == 403
    assert client_for(world.sponsor_viewer).get(url).status_code == 200


def test_health_page_shows_the_dimensions_and_the_crm_sets_a_threshold(world, client_for):
    crm = client_for(world.crm)
    url = f"/studies/{world.study_a.pk}/health/"
    page = crm.get(url).content.decode()
    assert "Overall:" in page and "Timeline" in page and "Save thresholds" in page
    refused = crm.post(url, {"timeline.red_after_days": "-5", "reason": "x"})
    assert (
        refused.status_code == 200
        and "Ensure this value is greater than or equal to 0" in refused.content.decode()
    )
    saved = crm.post(url, {"timeline.red_after_days": "90", "reason": "Steering committee"})
    assert saved.status_code == 302
    assert HealthThreshold.objects.get().value == 90


def test_readers_see_the_thresholds_and_no_form(world, client_for):
    page = client_for(world.sponsor_viewer).get(f"/studies/{world.study_a.pk}/health/").content.decode()
    assert "Save thresholds" not in page and "(default)" in page
    assert (
        client_for(world.sponsor_viewer).post(f"/studies/{world.study_a.pk}/health/", {}).status_code == 403
    )
