"""Sites not yet active: their activation forecast from the cycle times on the site status history,
and how it feeds the enrollment forecast."""

import datetime as dt

from tests.factories import make_site
from trialdesk.sites import services as site_services
from trialdesk.statistics import forecasts
from trialdesk.statistics.tests.test_forecasts import set_site

CYCLES = (60, 90, 120, 150, 180)


def walk_to(site, status: str, *, by):
    for step in ("under_feasibility", "selected", "start_up")[
        : ("under_feasibility", "selected", "start_up").index(status) + 1
    ]:
        site = site_services.change_site_status(study_site=site, to=step, by=by, reason="test")
    return site


def history_of_five_sites(world, clock):
    """Five sites of study B selected on 2025-01-01 and activated 60–180 days later."""
    clock.move_to("2025-01-01T09:00Z")
    for k, days in enumerate(CYCLES):
        site = walk_to(make_site(world.study_b, str(211 + k), by=world.admin), "selected", by=world.admin)
        set_site(site, status="enrolling", activated_on=dt.date(2025, 1, 1) + dt.timedelta(days=days))


def test_a_site_in_start_up_gets_activation_dates_from_the_cycle_times(world, clock):
    history_of_five_sites(world, clock)
    clock.move_to("2025-05-01T09:00Z")
    walk_to(make_site(world.study_a, "103", by=world.admin), "start_up", by=world.admin)

    inputs = forecasts.forecast_inputs(world.study_a, as_of=dt.date(2025, 6, 30))

    pending = next(s for s in inputs.sites if s.site == "103")
    assert (pending.startup_from, pending.startup_since) == ("selected", dt.date(2025, 5, 1))
    # Waited 60 days: the remaining time is 30, 60, 90 or 120 days (the cycles longer than 60, less 60).
    assert forecasts.activation_quantiles(pending, inputs) == {
        "p10": "2025-07-30",
        "p50": "2025-08-29",
        "p90": "2025-10-28",
        "from": "selected",
        "history": 5,
    }


def test_a_selected_site_without_a_planned_date_still_counts_in_the_forecast(world, clock):
    history_of_five_sites(world, clock)
    clock.move_to("2025-05-01T09:00Z")
    walk_to(make_site(world.study_a, "103", by=world.admin), "selected", by=world.admin)

    with_forecast = forecasts.forecast_inputs(world.study_a, as_of=dt.date(2025, 6, 30))
    as_planned = forecasts.forecast_inputs(world.study_a, as_of=dt.date(2025, 6, 30), activation="planned")

    assert "103" in [s.site for s in with_forecast.sites]
    assert "103" not in [s.site for s in as_planned.sites]  # no planned date, no history used: left out


def test_too_few_cycle_times_keep_the_planned_date(world, clock):
    clock.move_to("2025-05-01T09:00Z")
    walk_to(
        make_site(world.study_a, "103", by=world.admin, planned_activation_on=dt.date(2025, 9, 1)),
        "start_up",
        by=world.admin,
    )

    inputs = forecasts.forecast_inputs(world.study_a, as_of=dt.date(2025, 6, 30))

    pending = next(s for s in inputs.sites if s.site == "103")
    assert pending.startup_since is None and pending.planned_activation_on == dt.date(2025, 9, 1)
    assert forecasts.activation_quantiles(pending, inputs) is None


def test_the_forecast_tab_shows_a_pending_sites_activation_forecast(world, clock, client_for):
    history_of_five_sites(world, clock)
    clock.move_to("2025-05-01T09:00Z")
    walk_to(make_site(world.study_a, "103", by=world.admin), "start_up", by=world.admin)
    clock.move_to("2025-06-30T09:00Z")

    body = client_for(world.crm).get(f"/studies/{world.study_a.pk}/", {"tab": "forecast"}).content.decode()

    assert "2025-07-30 – 2025-08-29 – 2025-10-28" in body and "selected → activated" in body
