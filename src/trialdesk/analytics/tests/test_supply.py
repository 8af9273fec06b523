"""The supply forecast's maths against small cases computed by hand (no database).

Hand computations are in each test's docstring; Poisson quantiles are from the Poisson(1) distribution
function: P(N ≤ 0) = e⁻¹ = 0.368, P(N ≤ 1) = 2e⁻¹ = 0.736, P(N ≤ 2) = 2.5e⁻¹ = 0.920.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trialdesk.analytics import supply

POLICY = supply.ResupplyPolicy("90 % + 2", 0.9, 2)


def fefo_by_hand(expiry_weeks: list[int], demand: list[int]) -> int:
    """Walk the weeks: kits past their last usable week are wasted, then the week's demand takes the
    earliest-expiring kits (what is left over is met from fresher stock)."""
    stock = sorted(expiry_weeks)
    wasted = 0
    for week, need in enumerate(demand, start=1):
        usable = [w for w in stock if w >= week]
        wasted += len(stock) - len(usable)
        stock = usable[need:]
    return wasted


@pytest.mark.parametrize(
    ("offsets", "kits", "weeks", "expected"),
    [
        ([0], [1], 4, [1, 0, 0, 0]),
        ([0, 28, 56], [1, 1, 1], 12, [1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]),
        ([6, 7], [2, 3], 3, [2, 3, 0]),  # day 6 is still the first week, day 7 the second
        (
            [0, 90],
            [1, 1],
            12,
            [1] + [0] * 11,
        ),  # week 12 (day 84–90) is outside a 12-week kernel: 90 // 7 = 12
    ],
)
def test_dispensing_kernel_puts_each_visit_in_its_week(offsets, kits, weeks, expected):
    assert supply.dispensing_kernel(offsets, kits, weeks).tolist() == expected


def test_open_days_clip_each_site_window_to_the_week():
    """Site 1 opens on day 10: 4 days in week 2 (days 7–13), 7 after; site 2 closes on day 3."""
    days = supply.open_days([10.0, 0.0], [np.inf, 3.0], 3)
    assert days.tolist() == [[0.0, 4.0, 7.0], [3.0, 0.0, 0.0]]


def test_demand_of_a_deterministic_schedule_is_exact():
    """Two participants arrive in week 1 and one in week 3 at one site; each needs a kit on arrival and one
    four weeks later (kernel [1, 0, 0, 0, 1]); 1 kit a week is scheduled for those already on study.
    Kits by week: 2+1, 0+1, 1+1, 0+1, 2+1, 0+1 → cumulative 3, 4, 6, 7, 10, 11."""
    arrivals = np.array([[[2, 0, 1, 0, 0, 0]]], np.int32)
    kernel = supply.dispensing_kernel([0, 28], [1, 1], 6)
    cumulative = supply.cumulative_demand(arrivals, kernel, [[1] * 6])
    assert cumulative[0, 0].tolist() == [3, 4, 6, 7, 10, 11]


@pytest.mark.parametrize(
    ("expiry_weeks", "demand", "wasted"),
    [
        ([1] * 5 + [2] * 5, [2, 10], 3),  # week 1 uses 2 of the 5 expiring after it: 3 wasted
        ([1] * 5 + [2] * 5, [0, 8], 5),  # nothing used in week 1: all 5 wasted; week 2 uses the other 5
        ([1] * 5 + [2] * 5, [7, 1, 0], 2),  # week 1 uses 5 + 2 later ones; 3 left, 1 used: 2 expire
        ([0, 0, 9], [1, 1], 2),  # expiring before week 1 is never usable
        ([5, 5, 5], [0, 0, 0], 0),  # expiring after the horizon is not waste in it
    ],
)
def test_fefo_waste_matches_the_walk_by_hand(expiry_weeks, demand, wasted):
    weeks = len(demand)
    expiring = supply.expiring_by_week(np.array(expiry_weeks) * 7, np.zeros(len(expiry_weeks), int), 1, weeks)
    cumulative = np.cumsum(np.array(demand))[None, None, :]
    assert supply.fefo_waste(expiring, cumulative).tolist() == [[wasted]]
    assert fefo_by_hand(expiry_weeks, demand) == wasted


@settings(max_examples=25, deadline=None)
@given(
    expiry_weeks=st.lists(st.integers(0, 8), max_size=12),
    demand=st.lists(st.integers(0, 4), min_size=1, max_size=6),
)
def test_fefo_waste_identity_agrees_with_the_week_by_week_walk(expiry_weeks, demand):
    weeks = len(demand)
    expiring = supply.expiring_by_week(
        np.array(expiry_weeks, int) * 7, np.zeros(len(expiry_weeks), int), 1, weeks
    )
    cumulative = np.cumsum(np.array(demand))[None, None, :]
    assert int(supply.fefo_waste(expiring, cumulative)[0, 0]) == fefo_by_hand(expiry_weeks, demand)


def test_forecast_without_new_participants_is_the_schedule():
    """3 kits scheduled a week for 4 weeks (12 in all), 5 on hand of which 2 expire after week 1 (day 7)
    and 3 after the horizon. Need = 12 in every simulation; week 1 uses 3 (both expiring ones first), so
    nothing is wasted; ship 12 + 2 safety − 5 = 9 kits."""
    arrivals = np.zeros((1, 50, 4), np.int32)
    result = supply.forecast_supply(
        arrivals=arrivals, kernel=np.array([1, 0, 0, 0]), scheduled=[[3, 3, 3, 3]],
        kit_expiry_days=[7, 7, 99, 99, 99], kit_site=[0] * 5, policies=(POLICY,),
    )  # fmt: skip
    assert result.needed.tolist() == [[12, 12]]
    assert result.on_hand.tolist() == [5]
    assert result.expiring_in_horizon.tolist() == [2]
    assert result.suggested_shipment.tolist() == [9]
    assert result.projected_waste_kits == 0.0


def test_forecast_counts_stock_that_expires_before_it_is_needed():
    """Nothing scheduled in week 1, 4 kits in week 2; the 6 kits on hand all expire after week 1: all 6 are
    wasted, the need is 4 + 6 = 10 at every quantile, so the 90 % policy ships 10 + 2 − 6 = 6."""
    arrivals = np.zeros((1, 20, 2), np.int32)
    result = supply.forecast_supply(
        arrivals=arrivals, kernel=np.array([0, 0]), scheduled=[[0, 4]], kit_expiry_days=[10] * 6,
        kit_site=[0] * 6, policies=(POLICY,),
    )  # fmt: skip
    assert result.projected_waste_kits == 6.0
    assert result.suggested_shipment.tolist() == [6]


def test_poisson_arrivals_give_the_poisson_quantiles():
    """A rate of 1/7 a day (shape 1e8, rate 7e8: a gamma with no spread) for one week, one kit per
    participant on arrival: kits needed ~ Poisson(1), whose median is 1 (F(0) = 0.368 < 0.5 ≤ F(1) = 0.736)
    and 90 % quantile 2 (F(1) = 0.736 < 0.9 ≤ F(2) = 0.920). 20,000 simulations put the empirical F within
    ±0.01 of these (3 standard errors), far from the 0.5 and 0.9 boundaries."""
    rng = np.random.default_rng(1)
    arrivals = supply.weekly_arrivals([1e8], [7e8], [0.0], [np.inf], weeks=1, rng=rng, sims=20_000)
    result = supply.forecast_supply(
        arrivals=arrivals, kernel=np.array([1]), scheduled=[[0]], kit_expiry_days=[], kit_site=[],
        policies=(POLICY,),
    )  # fmt: skip
    assert result.needed.tolist() == [[1, 2]]
    assert result.suggested_shipment.tolist() == [4]  # 2 + 2 safety − 0 on hand
    mean = arrivals.mean()
    assert abs(mean - 1.0) < 0.03  # standard error 1/√20000 = 0.007


def test_a_short_dated_resupply_wastes_more_the_more_is_shipped():
    """Shipped kits expiring after week 2 of 4: the larger shipment of the 90 % policy leaves more kits to
    expire unused than the 50 % policy (kits needed ~ 2 a week of Poisson(2) arrivals)."""
    rng = np.random.default_rng(3)
    arrivals = supply.weekly_arrivals([1e8], [3.5e8], [0.0], [np.inf], weeks=4, rng=rng, sims=4000)
    policies = (supply.ResupplyPolicy("90", 0.9, 2), supply.ResupplyPolicy("50", 0.5, 0))
    result = supply.forecast_supply(
        arrivals=arrivals, kernel=np.array([1, 0, 0, 0]), scheduled=[[0] * 4], kit_expiry_days=[],
        kit_site=[], policies=policies, shipment_expiry_days=14,
    )  # fmt: skip
    ninety, fifty = result.outcomes
    assert ninety.shipments[0] > fifty.shipments[0]
    assert ninety.projected_waste_kits > fifty.projected_waste_kits
    assert ninety.expected_stockout_sites < fifty.expected_stockout_sites


def test_accountability_counts_each_site_and_state():
    counts = supply.accountability([0, 0, 1, 1, 1, 2], [0, 2, 2, 2, 1, 0], 3, 3)
    assert counts.tolist() == [[1, 0, 1], [0, 1, 2], [1, 0, 0]]


@pytest.mark.parametrize(("quantile", "safety"), [(0.0, 1), (1.0, 1), (0.5, -1)])
def test_a_policy_out_of_range_is_refused(quantile, safety):
    with pytest.raises(ValueError, match="quantile|safety"):
        supply.ResupplyPolicy("bad", quantile, safety)
