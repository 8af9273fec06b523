"""Priors for a study in start-up, the activation forecast from cycle times, and the rate what-if."""

import numpy as np
import pytest

from trialdesk.analytics.forecasting import (
    EstimationError,
    SiteRoster,
    forecast_activation,
    forecast_enrollment,
    prior_from_history,
    prior_from_rate,
    simulate_recruitment,
)

AS_OF = "2026-06-30"


def test_a_typed_rate_is_the_prior_mean_with_the_typed_shape():
    prior = prior_from_rate(0.05)

    assert prior.mean_rate == pytest.approx(0.05) and prior.alpha == 2.0 and prior.covariance is None


@pytest.mark.parametrize("rate", [0.0, -1.0, float("nan"), float("inf")])
def test_a_typed_rate_must_be_a_positive_number(rate):
    with pytest.raises(ValueError):
        prior_from_rate(rate)


def test_a_history_of_several_sites_is_fitted_by_maximum_likelihood():
    """Counts drawn from Gamma(2, 40) rates over a year. With a common exposure the negative-binomial
    maximum-likelihood mean is the sample mean (Anscombe 1950, Biometrika 37:358), and the shape is
    near 2 (its standard error at 400 sites is about 0.2)."""
    rng = np.random.default_rng(7)
    rates = rng.gamma(2.0, 1 / 40, size=400)
    counts = rng.poisson(rates * 365)

    prior = prior_from_history(counts, np.full(400, 365.0))

    assert prior.sites == 400 and prior.mean_rate == pytest.approx(counts.mean() / 365, rel=1e-4)
    assert prior.alpha == pytest.approx(2.0, rel=0.3) and prior.covariance is not None


def test_a_history_of_one_site_gives_its_pooled_rate_with_an_exponential_spread():
    prior = prior_from_history([6], [200])

    assert prior.mean_rate == pytest.approx(0.03) and prior.alpha == 1.0


def test_a_history_of_zeros_gives_no_prior():
    with pytest.raises(EstimationError):
        prior_from_history([0, 0], [100, 200])


# Activation from cycle times: (days waited, cycle times) -> remaining days drawn from
CONDITIONAL_CASES = [
    (0, [60, 90, 120, 150, 180], [60, 90, 120, 150, 180]),
    (60, [60, 90, 120, 150, 180], [30, 60, 90, 120]),
    (179, [60, 90, 120, 150, 180], [1]),
    # waited longer than every site: the slowest quarter's spread beyond its lower edge (at least a day)
    (400, [60, 90, 120, 150, 180], [1, 30]),
]


@pytest.mark.parametrize(("waited", "cycles", "expected"), CONDITIONAL_CASES)
def test_remaining_start_up_time_is_conditioned_on_the_wait_so_far(waited, cycles, expected):
    started = np.datetime64(AS_OF) - waited

    result = forecast_activation(["A"], [started], cycles, as_of=AS_OF)

    assert sorted(result.remaining[0].tolist()) == expected


def test_fewer_than_five_cycle_times_forecast_nothing():
    result = forecast_activation(["A"], ["2026-05-01"], [30, 60, 90, 120], as_of=AS_OF)

    assert result.quantiles(0) is None and not result.has_forecast(0)


def test_activation_draws_are_per_site_and_zero_for_sites_without_a_forecast():
    result = forecast_activation(["A", "B"], ["2026-06-30", None], [10, 10, 10, 10, 10], as_of=AS_OF)

    draws = result.rvs(size=(3, 50), random_state=np.random.default_rng(1))

    assert (draws[0] == 10).all() and (draws[1:] == 0).all()


def test_a_pending_site_with_an_activation_forecast_opens_later_in_the_enrollment_forecast():
    roster = SiteRoster.from_columns(
        ["A", "B", "C"], [20, 30, 0], ["2026-01-05", "2025-12-01", None], [None, None, AS_OF]
    )
    late = forecast_activation(["A", "B", "C"], [None, None, AS_OF], [200] * 5, as_of=AS_OF)

    on_time = forecast_enrollment(roster, as_of=AS_OF, target=120, rng=np.random.default_rng(3), sims=2000)
    delayed = forecast_enrollment(
        roster, as_of=AS_OF, target=120, rng=np.random.default_rng(3), sims=2000, delay=late
    )

    assert delayed.completion_quantile(0.5) > on_time.completion_quantile(0.5)


@pytest.mark.parametrize(("factor", "later"), [(0.5, True), (2.0, False)])
def test_a_rate_factor_moves_the_median_completion(factor, later):
    roster = SiteRoster.from_columns(["A", "B"], [20, 30], ["2026-01-05", "2025-12-01"], [None, None])
    args = dict(as_of=AS_OF, target=150, sims=2000)

    base = forecast_enrollment(roster, rng=np.random.default_rng(3), **args)
    changed = forecast_enrollment(roster, rng=np.random.default_rng(3), rate_factor=factor, **args)

    assert bool(changed.completion_quantile(0.5) > base.completion_quantile(0.5)) is later
    assert changed.site_rate_per_day == pytest.approx(base.site_rate_per_day * factor, rel=0.05)


def test_doubling_every_rate_halves_the_time_to_a_distant_target():
    """With known rates (no parameter uncertainty, common random numbers), Λ doubles, so t halves."""
    shape, rate = np.array([50.0, 50.0]), np.array([1000.0, 1000.0])
    starts, stops = np.zeros(2), np.full(2, np.inf)

    one = simulate_recruitment(
        shape, rate, starts, stops, remaining=100, rng=np.random.default_rng(5), sims=500
    )
    two = simulate_recruitment(
        shape, rate / 2, starts, stops, remaining=100, rng=np.random.default_rng(5), sims=500
    )

    assert np.allclose(two.completion_days, one.completion_days / 2)
