"""The supply forecast's resupply lead time and review period, activation days drawn per simulation and the
enrollment cap, against cases computed by hand (no database)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from trialdesk.analytics import supply

POLICY = supply.ResupplyPolicy("90 % + 2", 0.9, 2)


def schedule_only(weeks: int, per_week: int, **options) -> supply.SupplyForecast:
    """No new participants, `per_week` kits scheduled every week, 4 kits on hand that never expire."""
    return supply.forecast_supply(
        arrivals=np.zeros((1, 20, weeks), np.int32), kernel=np.zeros(weeks, np.int64),
        scheduled=[[per_week] * weeks], kit_expiry_days=[999] * 4, kit_site=[0] * 4, policies=(POLICY,),
        **options,
    )  # fmt: skip


def test_the_shipment_covers_lead_time_plus_review_period():
    """2 kits a week; lead time 14 days + review 14 days = 4 weeks = 8 kits; + 2 safety − 4 on hand = 6.
    The horizon's need (12 weeks: 24 kits) is reported unchanged."""
    result = schedule_only(12, 2, horizon_weeks=12, lead_days=[14], review_days=14)
    assert result.needed.tolist() == [[24, 24]]
    assert result.suggested_shipment.tolist() == [6]


def test_a_longer_lead_time_ships_more_and_kits_in_transit_count():
    short = schedule_only(12, 2, lead_days=[0], review_days=7)
    long = schedule_only(12, 2, lead_days=[35], review_days=7)
    assert short.suggested_shipment.tolist() == [0]  # 1 week = 2 kits + 2 safety ≤ 4 on hand
    assert long.suggested_shipment.tolist() == [10]  # 6 weeks = 12 kits + 2 − 4
    pipeline = schedule_only(12, 2, lead_days=[35], review_days=7, pipeline=[3])
    assert pipeline.suggested_shipment.tolist() == [7]


def test_a_site_runs_out_before_a_late_shipment_arrives():
    """4 kits on hand, 2 a week: weeks 1–2 are covered; a shipment 3 weeks away arrives too late."""
    assert schedule_only(6, 2, lead_days=[21], review_days=7).outcomes[0].expected_stockout_sites == 1.0
    assert schedule_only(6, 2, lead_days=[7], review_days=7).outcomes[0].expected_stockout_sites == 0.0


def test_the_protection_interval_may_run_past_the_horizon():
    """A horizon of 2 weeks, lead 21 + review 14 days: 5 weeks simulated, the shipment covers all five."""
    weeks = supply.weeks_to_cover([21], 14)
    result = schedule_only(weeks, 2, horizon_weeks=2, lead_days=[21], review_days=14)
    assert (weeks, result.weeks, result.needed.tolist()) == (5, 2, [[4, 4]])
    assert result.suggested_shipment.tolist() == [8]  # 10 + 2 − 4


def test_activation_days_drawn_per_simulation_delay_recruitment():
    """A site opening on day 0 in half the simulations and after the horizon in the other half."""
    rng = np.random.default_rng(5)
    starts = np.array([[0.0, 100.0] * 500])
    arrivals = supply.weekly_arrivals([1e8], [1e8], starts, [np.inf], weeks=4, rng=rng, sims=1000)
    assert arrivals[0, 1::2].sum() == 0
    assert arrivals[0, 0::2].sum() > 0


@settings(max_examples=25, deadline=None)
@given(
    counts=st.lists(st.integers(0, 6), min_size=6, max_size=6),
    remaining=st.integers(0, 20),
    seed=st.integers(0, 1000),
)
def test_the_cap_keeps_the_first_arrivals_up_to_the_planned_enrollment(counts, remaining, seed):
    """2 sites × 1 simulation × 3 weeks: the kept arrivals total min(remaining, all), no week gains any,
    and every week before the one that reaches the cap keeps all of its arrivals."""
    arrivals = np.array(counts, np.int32).reshape(2, 1, 3)
    capped = supply.cap_arrivals(arrivals, remaining, np.random.default_rng(seed))
    assert capped.sum() == min(remaining, arrivals.sum())
    assert np.all(capped <= arrivals) and np.all(capped >= 0)
    weekly, kept = arrivals.sum(axis=0)[0], capped.sum(axis=0)[0]
    full = np.cumsum(weekly) <= remaining
    assert np.array_equal(kept[full], weekly[full])
    assert supply.cap_arrivals(arrivals, None, np.random.default_rng(seed)) is arrivals
