"""Enrollment forecasting: the estimate, the Monte Carlo against the model's closed forms, calibration.

Closed forms used as references (derived for the Poisson–gamma model of Anisimov & Fedorov 2007,
Stat Med 26:4958, sections 2–3):

* A site whose rate is Gamma(a, b) recruits over h days a negative-binomial count, NB(a, b/(b+h)):
  mixing Poisson(λh) over λ ~ Gamma(a, b) gives Γ(a+n)/(Γ(a) n!) (b/(b+h))^a (h/(b+h))^n.
  Sites with rates Gamma(a_i, b) sharing b add up to a Gamma(Σa_i, b) total rate, so NB(Σa_i, b/(b+h)).
* Given a total rate Λ, the k-th arrival is Gamma(k, Λ), i.e. T = G/Λ with G ~ Gamma(k, 1). With
  Λ ~ Gamma(A, b) = Γ_A/b, T = b · G/Γ_A, and the ratio of independent Gamma(k, 1) and Gamma(A, 1)
  variables is beta-prime(k, A) (Johnson, Kotz & Balakrishnan 1995, Continuous Univariate
  Distributions vol. 2, ch. 25, §7). So T ~ b · BetaPrime(k, A): Anisimov & Fedorov's Pearson type VI.

Monte Carlo distributions are compared with these through the Dvoretzky–Kiefer–Wolfowitz inequality:
with S draws, sup |F_S − F| exceeds ε = sqrt(ln(2/δ) / (2S)) with probability at most δ (Massart 1990,
Ann Probab 18:1269). δ = 1e-4 throughout; the seeds are fixed, so a failure is a bug, not bad luck.
"""

import doctest
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import optimize, stats
from scipy.special import digamma

from trialdesk.analytics import forecasting
from trialdesk.analytics.forecasting import (
    CumulativeIntensity,
    EstimationError,
    RatePrior,
    SiteRoster,
    calibration,
    completion_interval_coverage,
    enrollment,
    estimate_rate_prior,
    estimation,
    forecast_enrollment,
    negative_binomial_log_likelihood,
    simulate_recruitment,
    simulation,
)

AS_OF = date(2026, 6, 30)


def dkw_bound(sims: int, delta: float = 1e-4) -> float:
    """Largest ECDF deviation the DKW inequality allows with probability 1 - delta (Massart 1990)."""
    return float(np.sqrt(np.log(2 / delta) / (2 * sims)))


def max_cdf_gap(sample: np.ndarray, cdf, points: np.ndarray) -> float:
    empirical = np.searchsorted(np.sort(sample), points, side="right") / sample.size
    return float(np.max(np.abs(empirical - cdf(points))))


@pytest.mark.parametrize("module", [forecasting, calibration, enrollment, estimation, simulation])
def test_docstring_examples_run(module):
    assert doctest.testmod(module, raise_on_error=False).failed == 0


# --- the estimate of α and β ------------------------------------------------------------------


def test_log_likelihood_equals_scipy_negative_binomial():
    counts, days, alpha, beta = np.array([0, 4, 17, 2]), np.array([20.0, 75, 180, 33]), 1.7, 23.0
    expected = stats.nbinom.logpmf(counts, alpha, beta / (beta + days)).sum()
    assert negative_binomial_log_likelihood(alpha, beta, counts, days) == pytest.approx(expected, rel=1e-12)


def test_estimate_maximises_the_likelihood_found_independently():
    """Nelder–Mead on scipy's own negative-binomial log-pmf lands where L-BFGS-B with our gradient does."""
    rng = np.random.default_rng(7)
    days = rng.uniform(20, 300, 60).round()
    counts = rng.poisson(rng.gamma(1.5, 1 / 30, 60) * days)

    def minus_log_likelihood(x):
        alpha, beta = np.exp(x)
        return -stats.nbinom.logpmf(counts, alpha, beta / (beta + days)).sum()

    reference = optimize.minimize(
        minus_log_likelihood,
        [0.0, 3.0],
        method="Nelder-Mead",
        options={"xatol": 1e-9, "fatol": 1e-12, "maxiter": 5000},
    )
    prior = estimate_rate_prior(counts, days)
    assert prior.alpha == pytest.approx(np.exp(reference.x[0]), rel=1e-4)
    assert prior.beta == pytest.approx(np.exp(reference.x[1]), rel=1e-4)
    assert prior.log_likelihood == pytest.approx(-reference.fun, abs=1e-8)


def test_estimate_with_equal_exposure_solves_the_score_equations():
    """With a common exposure the negative-binomial mean MLE is the sample mean (Anscombe 1950,
    Biometrika 37:358), and the α score Σ ψ(α+n_i) − N ψ(α) + N log(α/(α+m)) is zero."""
    counts = np.array([0, 3, 5, 1, 12, 7, 2, 9, 0, 4])
    prior = estimate_rate_prior(counts, np.full(counts.size, 90.0))
    mean = prior.mean_rate * 90
    assert mean == pytest.approx(counts.mean(), rel=1e-6)
    a = prior.alpha
    score = np.sum(digamma(a + counts) - digamma(a)) + counts.size * np.log(a / (a + mean))
    assert score == pytest.approx(0.0, abs=1e-5)


def test_estimate_recovers_known_parameters_and_its_standard_errors():
    """Over 200 simulated portfolios of 150 sites, log α̂ and log(α̂/β̂) centre on the truth (within four
    standard errors of the mean) and spread as the inverse observed information says (within 20%: the
    SD of 200 draws is itself ±5% noisy)."""
    rng = np.random.default_rng(11)
    alpha, beta, sites = 2.0, 40.0, 150
    days = np.linspace(30, 360, sites).round()
    estimates, reported = [], []
    for _ in range(200):
        counts = rng.poisson(rng.gamma(alpha, 1 / beta, sites) * days)
        prior = estimate_rate_prior(counts, days)
        estimates.append(np.log([prior.alpha, prior.mean_rate]))
        reported.append(np.sqrt(np.diag(prior.covariance)))
    estimates, reported = np.array(estimates), np.array(reported)
    truth = np.log([alpha, alpha / beta])
    spread = estimates.std(axis=0)
    assert np.all(np.abs(estimates.mean(axis=0) - truth) < 4 * spread / np.sqrt(200))
    assert spread == pytest.approx(reported.mean(axis=0), rel=0.2)


@given(scale=st.floats(0.1, 10.0), seed=st.integers(0, 2**32 - 1))
def test_estimate_scales_beta_with_the_time_unit(scale, seed):
    """The likelihood depends on β/τ only, so measuring time in other units scales β and keeps α."""
    rng = np.random.default_rng(seed)
    days = rng.uniform(10, 200, 12)
    counts = rng.poisson(rng.gamma(2.0, 1 / 20, 12) * days)
    if counts.sum() == 0:
        counts[0] = 1
    prior, scaled = estimate_rate_prior(counts, days), estimate_rate_prior(counts, days * scale)
    if prior.shape_at_bound:
        assert scaled.shape_at_bound
        assert scaled.mean_rate * scale == pytest.approx(prior.mean_rate, rel=1e-5)
    else:
        assert scaled.alpha == pytest.approx(prior.alpha, rel=1e-4)
        assert scaled.beta == pytest.approx(prior.beta * scale, rel=1e-4)


def test_estimate_does_not_depend_on_site_order():
    counts, days = np.array([1, 10, 0, 7, 25, 3]), np.array([60.0, 90, 30, 60, 120, 45])
    order = np.array([3, 0, 5, 1, 4, 2])
    a, b = estimate_rate_prior(counts, days), estimate_rate_prior(counts[order], days[order])
    assert (a.alpha, a.beta) == pytest.approx((b.alpha, b.beta), rel=1e-6)


def test_estimate_of_counts_less_varied_than_poisson_sits_on_the_shape_bound_at_the_pooled_rate():
    counts, days = np.array([10, 20, 30]), np.array([100.0, 200, 300])
    prior = estimate_rate_prior(counts, days)
    assert prior.shape_at_bound
    assert prior.alpha == pytest.approx(estimation.SHAPE_BOUNDS[1], rel=1e-3)
    assert prior.mean_rate == pytest.approx(0.1, rel=1e-4)
    assert prior.covariance[0, 0] == 0.0 and prior.covariance[1, 1] > 0


@pytest.mark.parametrize(
    ("counts", "days", "says"),
    [
        ([], [], "0 active site"),
        ([5], [30.0], "1 active site"),
        ([5, 0], [30.0, 0.0], "1 active site"),
        ([0, 0, 0], [30.0, 60.0, 90.0], "no active site has recruited"),
    ],
)
def test_estimate_without_enough_information_asks_for_a_prior(counts, days, says):
    with pytest.raises(EstimationError, match=says) as failure:
        estimate_rate_prior(counts, days)
    assert "supply a prior" in str(failure.value)


# --- the Monte Carlo against closed forms -------------------------------------------------------


@pytest.mark.parametrize(("shapes", "b", "horizon"), [([3.5], 50.0, 60.0), ([1.2, 4.0, 0.7], 25.0, 120.0)])
def test_simulated_counts_are_negative_binomial(shapes, b, horizon):
    sims = 20_000
    sim = simulate_recruitment(
        shapes,
        np.full(len(shapes), b),
        np.zeros(len(shapes)),
        np.full(len(shapes), np.inf),
        remaining=1,
        rng=np.random.default_rng(3),
        sims=sims,
    )
    counts = sim.new_recruits([horizon], np.random.default_rng(4))[0]
    reference = stats.nbinom(sum(shapes), b / (b + horizon))
    points = np.arange(0, int(reference.ppf(0.9999)) + 1)
    assert max_cdf_gap(counts, reference.cdf, points) < dkw_bound(sims)
    assert sim.expected_new_recruits([horizon])[0] == pytest.approx(reference.mean(), rel=0.02)


@pytest.mark.parametrize(("shapes", "b", "k"), [([2.0], 30.0, 5), ([1.5, 2.5, 3.0, 0.8], 60.0, 40)])
def test_time_to_k_recruits_is_scaled_beta_prime(shapes, b, k):
    sims = 20_000
    sim = simulate_recruitment(
        shapes,
        np.full(len(shapes), b),
        np.zeros(len(shapes)),
        np.full(len(shapes), np.inf),
        remaining=k,
        rng=np.random.default_rng(5),
        sims=sims,
    )
    reference = stats.betaprime(k, sum(shapes), scale=b)
    points = reference.ppf(np.linspace(0.001, 0.999, 400))
    assert max_cdf_gap(sim.completion_days, reference.cdf, points) < dkw_bound(sims)


def test_time_to_k_from_a_site_opening_later_is_shifted_beta_prime():
    sims, opens = 20_000, 45.0
    sim = simulate_recruitment(
        [2.0], [30.0], [opens], [np.inf], remaining=6, rng=np.random.default_rng(6), sims=sims
    )
    reference = stats.betaprime(6, 2.0, loc=opens, scale=30.0)
    points = reference.ppf(np.linspace(0.001, 0.999, 400))
    assert max_cdf_gap(sim.completion_days, reference.cdf, points) < dkw_bound(sims)


def test_a_site_closing_reaches_k_only_with_the_negative_binomial_probability():
    """Open for c days, the site reaches k recruits iff its NB(a, b/(b+c)) count is at least k."""
    sims, a, b, closes, k = 20_000, 2.0, 30.0, 90.0, 8
    sim = simulate_recruitment(
        [a], [b], [0.0], [closes], remaining=k, rng=np.random.default_rng(8), sims=sims
    )
    never = np.mean(np.isinf(sim.completion_days))
    assert never == pytest.approx(stats.nbinom.cdf(k - 1, a, b / (b + closes)), abs=dkw_bound(sims))
    assert np.all(sim.completion_days[np.isfinite(sim.completion_days)] <= closes)


def test_cumulative_intensity_matches_direct_sum_and_inverts():
    rng = np.random.default_rng(9)
    sites, sims = 30, 500
    rates = rng.gamma(2.0, 0.05, (sites, sims))
    starts = rng.integers(0, 100, sites).astype(float)
    stops = np.where(rng.random(sites) < 0.4, starts + rng.integers(0, 150, sites), np.inf)
    intensity = CumulativeIntensity.from_sites(rates, starts, stops)

    def direct(t):  # Λ_s(t) = Σ_i λ_si |[start_i, stop_i) ∩ [0, t)|
        return (rates * np.clip(np.minimum(t, stops) - starts, 0, None)[:, None]).sum(axis=0)

    days = np.array([0.0, 3.5, 40.0, 99.0, 180.0, 400.0])
    assert intensity.at(days) == pytest.approx(np.array([direct(t) for t in days]), rel=1e-12, abs=1e-12)
    level = rng.gamma(20.0, 1.0, sims)
    times = intensity.time_at(level)
    reached = np.isfinite(times)
    assert np.array([direct(t)[s] for s, t in enumerate(times) if np.isfinite(t)]) == pytest.approx(
        level[reached]
    )
    assert np.all(direct(1e9)[~reached] < level[~reached])


class NoDelay:
    def rvs(self, size, random_state):
        random_state.random(size)  # consume draws as a real distribution would
        return np.zeros(size)


def test_per_simulation_knots_agree_with_shared_knots_when_delays_are_zero():
    rng = np.random.default_rng(10)
    shape, rate = rng.uniform(1, 4, 25), rng.uniform(10, 60, 25)
    starts = rng.integers(0, 120, 25).astype(float)
    stops = np.where(rng.random(25) < 0.3, starts + 60, np.inf)
    shared = simulate_recruitment(
        shape, rate, starts, stops, remaining=80, rng=np.random.default_rng(1), sims=2000
    )
    drawn = simulate_recruitment(
        shape, rate, starts, stops, remaining=80, rng=np.random.default_rng(1), sims=2000, delay=NoDelay()
    )
    np.testing.assert_allclose(drawn.completion_days, shared.completion_days, rtol=1e-12)
    weeks = np.arange(0, 300, 7.0)
    np.testing.assert_allclose(drawn.intensity.at(weeks), shared.intensity.at(weeks), rtol=1e-12, atol=1e-9)


def test_activation_delays_never_bring_completion_forward():
    shape, rate, starts = np.full(6, 2.0), np.full(6, 30.0), np.array([0, 0, 10, 20, 40, 60.0])
    stops = np.full(6, np.inf)
    plain = simulate_recruitment(
        shape, rate, starts, stops, remaining=30, rng=np.random.default_rng(2), sims=3000
    )
    delayed = simulate_recruitment(
        shape,
        rate,
        starts,
        stops,
        remaining=30,
        rng=np.random.default_rng(2),
        sims=3000,
        delay=stats.expon(scale=21),
        delayed=starts > 0,
    )
    assert np.all(delayed.completion_days >= plain.completion_days - 1e-9)
    assert np.median(delayed.completion_days) > np.median(plain.completion_days)


# --- the forecast of a study ---------------------------------------------------------------------


def roster_of(active: list[tuple[int, int]], pending: list[int] = (), closed: dict[int, int] | None = None):
    """Active sites as (enrolled, days open), pending sites as days until planned activation."""
    names = [f"S{i + 1:02d}" for i in range(len(active) + len(pending))]
    closed = closed or {}
    return SiteRoster.from_columns(
        names,
        [n for n, _ in active] + [0] * len(pending),
        [AS_OF - timedelta(days=d) for _, d in active] + [None] * len(pending),
        [None] * len(active) + [AS_OF + timedelta(days=d) for d in pending],
        [AS_OF + timedelta(days=closed[i]) if i in closed else None for i in range(len(names))],
    )


STUDY = roster_of([(12, 120), (30, 200), (5, 60), (18, 150), (0, 30), (9, 90)], pending=[14, 45])


def test_forecast_with_a_known_prior_predicts_each_site_exactly():
    """Predicted by the planned end = n_i + (α+n_i)/(β+τ_i) × days open before it (nothing random)."""
    prior = RatePrior(alpha=2.0, beta=30.0)
    roster = roster_of([(12, 120), (3, 40)], pending=[30], closed={1: 100})
    result = forecast_enrollment(
        roster,
        as_of=AS_OF,
        target=200,
        rng=np.random.default_rng(1),
        sims=500,
        prior=prior,
        planned_end=AS_OF + timedelta(days=200),
    )
    expected_rate = np.array([14 / 150, 5 / 70, 2 / 30])
    np.testing.assert_allclose(result.site_rate_per_day, expected_rate, rtol=1e-12)
    np.testing.assert_allclose(
        result.site_predicted_by_planned_end,
        [12 + 200 * 14 / 150, 3 + 100 * 5 / 70, 170 * 2 / 30],
        rtol=1e-12,
    )


def test_forecast_probability_by_planned_end_matches_beta_prime():
    """Two sites opening today with Gamma(α, β) rates: P(T ≤ h) is the b·BetaPrime(k, 2α) CDF at h."""
    prior, k, sims = RatePrior(alpha=2.0, beta=30.0), 20, 20_000
    roster = roster_of([], pending=[0, 0])
    result = forecast_enrollment(
        roster,
        as_of=AS_OF,
        target=k,
        rng=np.random.default_rng(2),
        sims=sims,
        prior=prior,
        planned_end=AS_OF + timedelta(days=150),
    )
    expected = stats.betaprime.cdf(150, k, 4.0, scale=30.0)
    assert result.probability_by_planned_end == pytest.approx(expected, abs=dkw_bound(sims))
    # The MC median lies within 1% of the exact one (its standard error is about 0.4%).
    median_days = stats.betaprime.ppf(0.5, k, 4.0, scale=30.0)
    reported = (result.completion_quantile(0.5) - np.datetime64(AS_OF)).astype(float)
    assert reported == pytest.approx(np.ceil(median_days), rel=0.01)


def test_forecast_reports_the_three_quantiles_and_the_levels_interval():
    rng = np.random.default_rng(3)
    at_90 = forecast_enrollment(STUDY, as_of=AS_OF, target=200, rng=rng, sims=2000, level=0.9)
    at_80 = forecast_enrollment(STUDY, as_of=AS_OF, target=200, rng=rng, sims=2000, level=0.8)
    assert at_90.quantile_levels.tolist() == [0.05, 0.1, 0.5, 0.9, 0.95]
    assert at_80.quantile_levels.tolist() == [0.1, 0.5, 0.9]
    assert at_90.interval == (at_90.completion_quantile(0.05), at_90.completion_quantile(0.95))
    assert at_90.probability_by_planned_end is None and at_90.site_predicted_by_planned_end is None


def test_forecast_curve_starts_at_enrolled_and_its_mean_follows_the_site_rates():
    result = forecast_enrollment(
        STUDY,
        as_of=AS_OF,
        target=200,
        rng=np.random.default_rng(4),
        sims=4000,
        prior=RatePrior(2.0, 30.0),
        planned_end=AS_OF + timedelta(days=300),
    )
    assert result.curve_on[0] == np.datetime64(AS_OF)
    assert (result.curve_mean[0], result.curve_lower[0], result.curve_upper[0]) == (74, 74, 74)
    assert np.all(np.diff(result.curve_on).astype(int) == 7)
    _, exposure, starts, stops = enrollment.site_windows(STUDY, np.datetime64(AS_OF))
    week = 20
    open_days = np.clip(np.minimum(stops, 7 * week) - starts, 0, None)
    exact = 74 + np.sum(result.site_rate_per_day * open_days)
    # The curve's mean averages 4000 simulated rates: its relative MC error is about 1%.
    assert result.curve_mean[week] == pytest.approx(exact, rel=0.03)
    assert np.all(result.curve_lower <= result.curve_mean + 1e-9)
    assert np.all(result.curve_mean <= result.curve_upper + 1e-9)


def test_forecast_is_reproducible_with_the_same_generator_seed():
    a = forecast_enrollment(STUDY, as_of=AS_OF, target=200, rng=np.random.default_rng(5), sims=1000)
    b = forecast_enrollment(STUDY, as_of=AS_OF, target=200, rng=np.random.default_rng(5), sims=1000)
    np.testing.assert_array_equal(a.completion_days, b.completion_days)


def test_what_if_adding_sites_brings_the_median_forward_and_closing_one_delays_it():
    rng_seed = 6
    base = forecast_enrollment(STUDY, as_of=AS_OF, target=250, rng=np.random.default_rng(rng_seed), sims=2000)
    more = forecast_enrollment(
        STUDY.with_added_sites(5, AS_OF + timedelta(days=30)),
        as_of=AS_OF,
        target=250,
        rng=np.random.default_rng(rng_seed),
        sims=2000,
    )
    fewer = forecast_enrollment(
        STUDY.with_closed_sites(["S02"], on=AS_OF),
        as_of=AS_OF,
        target=250,
        rng=np.random.default_rng(rng_seed),
        sims=2000,
    )
    assert more.completion_quantile(0.5) < base.completion_quantile(0.5) < fewer.completion_quantile(0.5)
    assert more.site_names[-5:] == ("added-1", "added-2", "added-3", "added-4", "added-5")
    assert (more.prior.alpha, fewer.prior.alpha) == (base.prior.alpha, base.prior.alpha)


def test_forecast_when_every_site_has_closed_never_reaches_the_target():
    roster = roster_of([(10, 100), (20, 100)], closed={0: 0, 1: -5})
    result = forecast_enrollment(roster, as_of=AS_OF, target=40, rng=np.random.default_rng(7), sims=500)
    assert np.all(np.isnat(result.completion_on))


@pytest.mark.parametrize(
    ("roster", "options", "says"),
    [
        (STUDY, {"target": 74}, "already reached: 74 enrolled"),
        (STUDY, {"target": 200, "level": 1.0}, "level must be between 0 and 1"),
        (STUDY, {"target": 200, "planned_end": AS_OF}, "must be after the as-of date"),
        (roster_of([(3, -2), (4, 30)]), {"target": 50}, "'S01': activated_on 2026-07-02 is after"),
        (roster_of([(3, 20), (4, 30)]), {"target": 50, "as_of": AS_OF - timedelta(days=25)}, "'S01'"),
    ],
)
def test_forecast_refuses_inconsistent_input_naming_it(roster, options, says):
    options = {"as_of": AS_OF, "rng": np.random.default_rng(1), "sims": 200, **options}
    with pytest.raises(ValueError, match=says):
        forecast_enrollment(roster, **options)


def test_roster_refuses_sites_it_cannot_place():
    with pytest.raises(ValueError, match="'B': needs activated_on or planned_activation_on"):
        SiteRoster.from_columns(["A", "B"], [1, 0], ["2026-01-01", None], [None, None])
    with pytest.raises(ValueError, match="'A': closed_on 2025-12-01 is before activated_on 2026-01-01"):
        SiteRoster.from_columns(["A"], [1], ["2026-01-01"], [None], ["2025-12-01"])
    with pytest.raises(ValueError, match="repeat"):
        SiteRoster.from_columns(["A", "A"], [1, 2], ["2026-01-01", "2026-01-01"], [None, None])
    with pytest.raises(ValueError, match="'A': enrolled must not be negative"):
        SiteRoster.from_columns(["A"], [-1], ["2026-01-01"], [None])
    with pytest.raises(ValueError, match="no site is named 'Z'"):
        STUDY.with_closed_sites(["Z"], on=AS_OF)


def test_a_site_not_yet_active_cannot_have_enrolled():
    roster = SiteRoster.from_columns(
        ["A", "B", "C"], [3, 4, 2], ["2026-01-01", "2026-02-01", None], [None, None, "2026-08-01"]
    )
    with pytest.raises(ValueError, match="'C': 2 enrolled but no activated_on"):
        forecast_enrollment(roster, as_of=AS_OF, target=50, rng=np.random.default_rng(1), sims=200)


# --- properties ------------------------------------------------------------------------------------

active_sites = st.lists(st.tuples(st.integers(0, 40), st.integers(1, 365)), min_size=2, max_size=8).filter(
    lambda sites: sum(n for n, _ in sites) > 0
)
pending_sites = st.lists(st.integers(-10, 200), max_size=3)


@given(active=active_sites, pending=pending_sites, extra=st.integers(1, 150), seed=st.integers(0, 2**32 - 1))
def test_property_quantiles_rise_with_their_level_and_intervals_nest(active, pending, extra, seed):
    roster = roster_of(active, pending)
    target = int(roster.enrolled.sum()) + extra
    narrow = forecast_enrollment(
        roster, as_of=AS_OF, target=target, rng=np.random.default_rng(seed), sims=400, level=0.5
    )
    wide = forecast_enrollment(
        roster, as_of=AS_OF, target=target, rng=np.random.default_rng(seed), sims=400, level=0.95
    )

    def days(result):
        return (result.completion_on - np.datetime64(AS_OF)).astype(float)

    assert np.all(np.diff(days(wide)) >= 0)
    assert days(wide)[0] <= days(narrow)[0] and days(narrow)[-1] <= days(wide)[-1]


@given(
    active=active_sites,
    pending=pending_sites,
    extra=st.integers(1, 150),
    added=st.integers(1, 5),
    opens_in=st.integers(0, 200),
    seed=st.integers(0, 2**32 - 1),
)
def test_property_adding_a_site_never_delays_the_completion(active, pending, extra, added, opens_in, seed):
    roster = roster_of(active, pending)
    target = int(roster.enrolled.sum()) + extra
    base = forecast_enrollment(roster, as_of=AS_OF, target=target, rng=np.random.default_rng(seed), sims=400)
    more = forecast_enrollment(
        roster.with_added_sites(added, AS_OF + timedelta(days=opens_in)),
        as_of=AS_OF,
        target=target,
        rng=np.random.default_rng(seed),
        sims=400,
    )
    # Same draws for the existing sites (common random numbers), so the comparison holds in every
    # simulation, up to rounding in the sums of rates; so it does for the median.
    assert np.all(more.completion_days <= base.completion_days + 1e-9)
    assert np.median(more.completion_days) <= np.median(base.completion_days) + 1e-9


@given(
    active=active_sites,
    pending=pending_sites,
    extra=st.integers(1, 150),
    which=st.integers(0, 10),
    seed=st.integers(0, 2**32 - 1),
)
def test_property_closing_a_site_never_brings_the_completion_forward(active, pending, extra, which, seed):
    roster = roster_of(active, pending)
    target = int(roster.enrolled.sum()) + extra
    name = roster.names[which % len(roster.names)]
    base = forecast_enrollment(roster, as_of=AS_OF, target=target, rng=np.random.default_rng(seed), sims=400)
    fewer = forecast_enrollment(
        roster.with_closed_sites([name], on=AS_OF),
        as_of=AS_OF,
        target=target,
        rng=np.random.default_rng(seed),
        sims=400,
    )
    assert np.all(fewer.completion_days >= base.completion_days - 1e-9)


@given(
    active=active_sites, extra=st.integers(1, 100), more=st.integers(1, 100), seed=st.integers(0, 2**32 - 1)
)
def test_property_a_larger_target_is_never_reached_sooner(active, extra, more, seed):
    roster = roster_of(active)
    target = int(roster.enrolled.sum()) + extra
    small = forecast_enrollment(roster, as_of=AS_OF, target=target, rng=np.random.default_rng(seed), sims=400)
    large = forecast_enrollment(
        roster, as_of=AS_OF, target=target + more, rng=np.random.default_rng(seed), sims=400
    )
    assert np.all(large.completion_days >= small.completion_days - 1e-9)


@given(active=active_sites, pending=pending_sites, extra=st.integers(1, 150), seed=st.integers(0, 2**32 - 1))
def test_property_the_curve_rises_and_its_band_is_ordered(active, pending, extra, seed):
    roster = roster_of(active, pending)
    result = forecast_enrollment(
        roster,
        as_of=AS_OF,
        target=int(roster.enrolled.sum()) + extra,
        rng=np.random.default_rng(seed),
        sims=400,
        planned_end=AS_OF + timedelta(days=120),
    )
    for band in (result.curve_mean, result.curve_lower, result.curve_upper):
        assert np.all(np.diff(band) >= -1e-9)
    assert np.all(result.curve_lower <= result.curve_upper)
    assert 0.0 <= result.probability_by_planned_end <= 1.0
    assert np.all(result.site_predicted_by_planned_end >= roster.enrolled)


@given(active=active_sites, extra=st.integers(1, 150), seed=st.integers(0, 2**32 - 1))
def test_property_probability_by_planned_end_rises_with_the_planned_end(active, extra, seed):
    roster = roster_of(active)
    target = int(roster.enrolled.sum()) + extra

    def by(days: int) -> float:
        end = AS_OF + timedelta(days=days)
        rng = np.random.default_rng(seed)
        result = forecast_enrollment(roster, as_of=AS_OF, target=target, rng=rng, sims=400, planned_end=end)
        return result.probability_by_planned_end

    assert by(60) <= by(180) <= by(720)


# --- calibration ---------------------------------------------------------------------------------


def test_completion_interval_covers_the_truth_about_as_often_as_its_level():
    """200 studies simulated from the model with α = 2, β = 40: the 90% interval should hold the true
    completion in 90% ± 6% of them (three binomial standard errors). benchmarks/bench_forecast.py runs
    the full 2,000 replications."""
    check = completion_interval_coverage(
        alpha=2.0, beta=40.0, rng=np.random.default_rng(2026), replications=200, sims=1000
    )
    assert abs(check.coverage_in_days - 0.9) < 3 * check.standard_error
    assert abs(check.coverage - 0.9) < 3 * check.standard_error
