"""Sample-size rules that hold for any input, independent cross-checks of the formulas, and refusals.

Cross-checks recompute a quantity another way (simulation, exact enumeration, numerical
integration or optimisation) rather than compare with a stored number.
"""

import doctest
import importlib
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import integrate, optimize, stats

from trialdesk.analytics import sample_size
from trialdesk.analytics.sample_size import (
    SampleSizeInputError,
    calculate,
    common,
    equivalence_means,
    event_probability,
    farrington_manning_rates,
    logrank_events,
    mcnemar,
    non_inferiority_proportions,
    survival,
    two_means,
    two_proportions,
)

powers = st.floats(0.5, 0.95)
alphas = st.sampled_from([0.01, 0.025, 0.05, 0.1])
sides = st.sampled_from([1, 2])


# --- properties -----------------------------------------------------------------------------------


@given(d=st.floats(0.1, 2.0), factor=st.floats(1.01, 3.0), power=powers, alpha=alphas)
def test_two_means_n_never_grows_as_the_effect_grows(d, factor, power, alpha):
    small = two_means(effect_size=d, power=power, alpha=alpha).n_exact[0]
    large = two_means(effect_size=d * factor, power=power, alpha=alpha).n_exact[0]
    assert large <= small


@given(p2=st.floats(0.05, 0.6), gap=st.floats(0.05, 0.2), more=st.floats(0.01, 0.15), power=powers)
def test_two_proportions_n_never_grows_as_the_difference_grows(p2, gap, more, power):
    near = two_proportions(p1=p2 + gap, p2=p2, power=power).n_exact[0]
    far = two_proportions(p1=p2 + gap + more, p2=p2, power=power).n_exact[0]
    assert far <= near


@given(
    hr=st.floats(0.3, 0.9), closer=st.floats(0.01, 0.09), method=st.sampled_from(["schoenfeld", "freedman"])
)
def test_events_never_shrink_as_the_hazard_ratio_nears_one(hr, closer, method):
    far = logrank_events(hr=hr, power=0.8, method=method).events_exact
    near = logrank_events(hr=min(hr + closer, 0.99), power=0.8, method=method).events_exact
    assert near >= far


@given(
    n=st.integers(3, 400), extra=st.integers(1, 200), d=st.floats(0.05, 1.5), test=st.sampled_from(["t", "z"])
)
def test_power_never_falls_as_n_grows(n, extra, d, test):
    assert (
        two_means(effect_size=d, n=n + extra, test=test).power
        >= two_means(effect_size=d, n=n, test=test).power
    )


def _designs_solved_for(power, alpha, sided):
    common_plan = dict(power=power, alpha=alpha, sided=sided)
    yield two_means(delta=1.2, sd=3, **common_plan)
    yield two_means(effect_size=0.4, test="z", ratio=2, **common_plan)
    yield sample_size.paired_means(delta=0.5, sd=1.1, **common_plan)
    yield two_proportions(p1=0.3, p2=0.45, continuity_correction=True, ratio=1.5, **common_plan)
    yield sample_size.one_proportion(p0=0.2, p1=0.3, **common_plan)
    yield mcnemar(p_discordant=0.3, odds_ratio=2.5, **common_plan)
    yield non_inferiority_proportions(p1=0.8, p2=0.8, margin=0.1, **common_plan)
    yield equivalence_means(margin=1, true_diff=0.2, sd=2, **common_plan)
    yield survival(lambda1=0.3, lambda2=0.2, study_time=3, accrual_time=1, dropout_rate=0.05, **common_plan)


@given(power=powers, alpha=alphas, sided=sides)
def test_solved_n_reaches_the_target_power_and_one_less_does_not(power, alpha, sided):
    for result in _designs_solved_for(power, alpha, sided):
        assert result.power >= power - 1e-12, result.design
        exact = result.n_exact[0]
        if exact > 3 and len(set(result.n_per_group)) == 1:  # equal groups: one fewer each falls short
            inputs = _inputs_of(result)
            fewer = calculate(result.design, **inputs, alpha=alpha, sided=sided, n=result.n_per_group[0] - 1)
            assert fewer.power < power, result.design


def _inputs_of(result):
    # The inputs used in _designs_solved_for, looked up by design, for re-solving at a given n.
    return {
        "two-means": dict(delta=1.2, sd=3),
        "paired-means": dict(delta=0.5, sd=1.1),
        "two-proportions": dict(p1=0.3, p2=0.45, continuity_correction=True, ratio=1.5),
        "one-proportion": dict(p0=0.2, p1=0.3),
        "mcnemar": dict(p_discordant=0.3, odds_ratio=2.5),
        "non-inferiority-proportions": dict(p1=0.8, p2=0.8, margin=0.1),
        "equivalence-means": dict(margin=1, true_diff=0.2, sd=2),
        "survival": dict(lambda1=0.3, lambda2=0.2, study_time=3, accrual_time=1, dropout_rate=0.05),
    }[result.design]


@given(dropout=st.floats(0.01, 0.5), icc=st.floats(0, 0.2), cluster=st.integers(1, 30), power=powers)
def test_dropout_and_design_effect_inflate_before_rounding(dropout, icc, cluster, power):
    plain = two_means(delta=1, sd=2, power=power)
    adjusted = two_means(delta=1, sd=2, power=power, dropout=dropout, icc=icc, cluster_size=cluster)
    inflation = (1 + (cluster - 1) * icc) / (1 - dropout)
    assert adjusted.n_exact[0] == pytest.approx(plain.n_exact[0] * inflation, rel=1e-9)
    assert adjusted.n_per_group[0] == common.round_up(plain.n_exact[0] * inflation)


def test_rounding_ignores_floating_point_noise():
    assert common.round_up(7 / 0.7) == 10
    assert common.round_up(10.000001) == 11


def test_freedman_approaches_schoenfeld_near_a_hazard_ratio_of_one():
    schoenfeld = logrank_events(hr=0.98, power=0.9).events_exact
    freedman = logrank_events(hr=0.98, power=0.9, method="freedman").events_exact
    assert freedman == pytest.approx(schoenfeld, rel=1e-3)


def test_logrank_events_do_not_depend_on_which_group_is_called_one():
    # Swapping the groups inverts both the hazard ratio and the allocation ratio.
    for method in ("schoenfeld", "freedman"):
        forward = logrank_events(hr=0.6, ratio=2, power=0.85, method=method).events_exact
        backward = logrank_events(hr=1 / 0.6, ratio=0.5, power=0.85, method=method).events_exact
        assert forward == pytest.approx(backward, rel=1e-9)


# --- independent cross-checks ---------------------------------------------------------------------


def test_two_sample_t_power_agrees_with_simulated_t_tests():
    """R's power.t.test(n = 20, delta = 1) against 20,000 simulated two-sample t tests."""
    rng = np.random.default_rng(20260501)
    control = rng.normal(0.0, 1.0, size=(20_000, 20))
    treated = rng.normal(1.0, 1.0, size=(20_000, 20))
    rejected = stats.ttest_ind(treated, control, axis=1).pvalue < 0.05
    standard_error = math.sqrt(0.87 * 0.13 / rejected.size)
    assert rejected.mean() == pytest.approx(two_means(delta=1, sd=1, n=20).power, abs=4 * standard_error)


def _yates_chi_square_power(n1: int, n2: int, p1: float, p2: float, alpha: float) -> float:
    """Exact power of the continuity-corrected chi-square test, over every pair of outcomes."""
    x1, x2 = np.arange(n1 + 1)[:, None], np.arange(n2 + 1)[None, :]
    total = n1 + n2
    numerator = total * np.maximum(np.abs(x1 * (n2 - x2) - (n1 - x1) * x2) - total / 2, 0) ** 2
    denominator = (x1 + x2) * (total - x1 - x2) * n1 * n2
    statistic = np.divide(numerator, denominator, out=np.zeros(numerator.shape), where=denominator > 0)
    weights = (
        stats.binom.pmf(np.arange(n1 + 1), n1, p1)[:, None]
        * stats.binom.pmf(np.arange(n2 + 1), n2, p2)[None, :]
    )
    return float(weights[statistic > stats.chi2.isf(alpha, 1)].sum())


@pytest.mark.parametrize(
    "p1, p2, power, ratio", [(0.3, 0.15, 0.8, 1), (0.5, 0.75, 0.9, 1), (0.1, 0.25, 0.8, 2)]
)
def test_continuity_corrected_n_gives_the_power_of_the_yates_test(p1, p2, power, ratio):
    """The Fleiss–Tytun–Ury n reaches the target with the corrected test it is meant for (within 0.015)."""
    result = two_proportions(p1=p1, p2=p2, power=power, continuity_correction=True, ratio=ratio)
    exact = _yates_chi_square_power(*result.n_per_group, p1, p2, 0.05)
    assert exact == pytest.approx(power, abs=0.015)


@pytest.mark.parametrize(
    "p1, p2, ratio, difference",
    [(0.1, 0.1, 2 / 3, -0.2), (0.25, 0.05, 1.5, 0.1), (0.6, 0.7, 1, -0.15), (0.4, 0.05, 1, 0.2)],
)
def test_farrington_manning_rates_maximise_the_restricted_likelihood(p1, p2, ratio, difference):
    """The closed-form root against a numerical maximum of the likelihood under p1 - p2 = difference."""

    def minus_log_likelihood(q2: float) -> float:
        q1 = q2 + difference
        return -(
            p1 * math.log(q1)
            + (1 - p1) * math.log(1 - q1)
            + ratio * (p2 * math.log(q2) + (1 - p2) * math.log(1 - q2))
        )

    low, high = max(0.0, -difference) + 1e-9, min(1.0, 1 - difference) - 1e-9
    best = optimize.minimize_scalar(
        minus_log_likelihood, bounds=(low, high), method="bounded", options={"xatol": 1e-12}
    )
    restricted_1, restricted_2 = farrington_manning_rates(p1, p2, ratio, difference)
    assert restricted_2 == pytest.approx(best.x, abs=1e-7)
    assert restricted_1 - restricted_2 == pytest.approx(difference, abs=1e-12)


@pytest.mark.parametrize(
    "accrual, gamma", [("uniform", None), ("exponential", 1.0), ("exponential", -0.7), ("exponential", 0.3)]
)
def test_event_probability_matches_numerical_integration(accrual, gamma):
    """Lachin–Foulkes closed forms against integrating P(event by T - u) over the entry density."""
    hazard, dropout, study, accrual_time = 0.3, 0.1, 2.0, 0.8
    theta = hazard + dropout
    if accrual == "uniform":
        density = lambda u: 1 / accrual_time  # noqa: E731
    else:
        density = lambda u: gamma * math.exp(-gamma * u) / (1 - math.exp(-gamma * accrual_time))  # noqa: E731
    by_end = lambda u: hazard / theta * (1 - math.exp(-theta * (study - u)))  # noqa: E731
    expected, _ = integrate.quad(lambda u: density(u) * by_end(u), 0, accrual_time)
    computed = event_probability(
        hazard,
        dropout_rate=dropout,
        study_time=study,
        accrual_time=accrual_time,
        accrual=accrual,
        gamma=gamma,
    )
    assert computed == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("name", ["__init__", "common", "means", "proportions", "survival"])
def test_docstring_examples_run(name):
    # By import path: the package exposes a function named like the survival module.
    module = (
        sample_size
        if name == "__init__"
        else importlib.import_module(f"trialdesk.analytics.sample_size.{name}")
    )
    failures, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert failures == 0


# --- refusals ---------------------------------------------------------------------------------------

REFUSALS = [
    ("two-proportions", dict(p1=1.2, p2=0.5, power=0.8), "p1"),
    ("two-proportions", dict(p1=0.0, p2=0.5, power=0.8), "p1"),
    ("two-proportions", dict(p1=0.4, p2=0.4, power=0.8), "p2"),
    ("one-proportion", dict(p0=0.5, p1=-0.1, power=0.8), "p1"),
    ("mcnemar", dict(p_discordant=1.5, odds_ratio=2, power=0.8), "p_discordant"),
    ("two-means", dict(delta=1, sd=1, power=1.0), "power"),
    ("two-means", dict(delta=1, sd=1, power=0), "power"),
    ("two-means", dict(delta=1, sd=1, power=0.8, n=20), "power"),
    ("two-means", dict(delta=1, sd=1), "power"),
    ("two-means", dict(sd=1, power=0.8), "delta"),
    ("two-means", dict(delta=1, power=0.8), "sd"),
    ("two-means", dict(delta=1, sd=-1, power=0.8), "sd"),
    ("two-means", dict(delta=1, sd=1, effect_size=1, power=0.8), "effect_size"),
    ("two-means", dict(delta=1, sd=1, power=0.8, alpha=1.5), "alpha"),
    ("two-means", dict(delta=1, sd=1, power=0.8, test="wilcoxon"), "test"),
    ("two-means", dict(delta=1, sd=1, power=0.8, dropout=1), "dropout"),
    ("two-means", dict(delta=1, sd=1, power=0.8, ratio=-2), "ratio"),
    ("two-means", dict(delta=1, sd=1, power=0.8, icc=1.2), "icc"),
    ("two-means", dict(delta=1, sd=1, power=0.8, p1=0.3), "p1"),
    ("one-mean", dict(delta=1, sd=1, power=0.8, ratio=2), "ratio"),
    ("survival", dict(lambda1=-0.2, lambda2=0.1, study_time=2, accrual_time=1, power=0.8), "lambda1"),
    (
        "survival",
        dict(lambda1=0.2, lambda2=0.1, study_time=2, accrual_time=1, dropout_rate=-0.1, power=0.8),
        "dropout_rate",
    ),
    ("survival", dict(lambda1=0.2, lambda2=0.1, study_time=2, accrual_time=3, power=0.8), "accrual_time"),
    (
        "survival",
        dict(lambda1=0.2, lambda2=0.1, study_time=2, accrual_time=1, accrual="exponential", power=0.8),
        "gamma",
    ),
    ("survival", dict(lambda1=0.2, lambda2=0.1, accrual_time=1, power=0.8), "study_time"),
    ("logrank-events", dict(hr=1, power=0.8), "hr"),
    ("logrank-events", dict(hr=0.7, power=0.8, dropout=0.1), "dropout"),
    ("non-inferiority-means", dict(margin=1, true_diff=-2, sd=1, power=0.8), "true_diff"),
    ("equivalence-proportions", dict(p1=0.5, p2=0.8, margin=0.2, power=0.8), "margin"),
    ("two-proportions", dict(effect_size=0.3, method="pooled", power=0.8), "method"),
    ("no-such-design", dict(power=0.8), "design"),
]


@pytest.mark.parametrize("design, inputs, field", REFUSALS)
def test_unusable_input_is_refused_naming_the_field(design, inputs, field):
    with pytest.raises(SampleSizeInputError) as refusal:
        calculate(design, **inputs)
    assert refusal.value.field == field
