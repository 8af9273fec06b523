"""The resupply plan (lead time, review period) and depot → site lanes: set by the supply manager through
the API (bad input answered 422 naming the field, nothing saved), read by the forecast."""

from tests.writes import nothing_written
from trialdesk.supply import forecast
from trialdesk.supply.models import ResupplyPlan, ShippingLane


def test_the_supply_manager_sets_the_plan_and_a_lane_and_the_forecast_uses_them(ip, client_for):
    world = ip.world
    study = world.study_a
    manager, coordinator = client_for(ip.supply_manager), client_for(ip.trial.coordinator_a1)
    url = f"/api/v1/studies/{study.pk}/supply/resupply-plan"
    default = manager.get(url).json()
    assert default["is_default"] and (default["lead_time_days"], default["review_period_days"]) == (7, 28)
    with nothing_written():
        bad = manager.put(
            url, {"lead_time_days": 7, "review_period_days": 0}, content_type="application/json"
        )
    assert bad.status_code == 422 and "review_period_days" in bad.content.decode()
    refused = coordinator.put(
        url, {"lead_time_days": 7, "review_period_days": 14}, content_type="application/json"
    )
    assert refused.status_code == 403
    saved = manager.put(
        url, {"lead_time_days": 10, "review_period_days": 14}, content_type="application/json"
    )
    assert saved.status_code == 200 and not saved.json()["is_default"]
    lane = manager.put(
        f"/api/v1/studies/{study.pk}/supply/lanes",
        {"depot_id": ip.depot.pk, "study_site_id": world.site_a1.pk, "lead_time_days": 21},
        content_type="application/json",
    )
    assert lane.status_code == 200 and lane.json()["lanes"][0]["lead_time_days"] == 21
    assert ResupplyPlan.objects.get(study=study).lead_time_days == 10
    assert ShippingLane.objects.get(study_site=world.site_a1).lead_time_days == 21
    plan = forecast.resupply_plan(study, [world.site_a1, world.site_a2])
    assert plan.lead_days.tolist() == [21.0, 10.0] and plan.review_days == 14
    assert "21" not in plan.note and "10 days' lead time" in plan.note  # the study's; lanes counted apart
