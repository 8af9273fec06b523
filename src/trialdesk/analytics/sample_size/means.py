"""Sample size and power for means: two groups, paired, one group, and tests against a margin."""

import math

from scipy import special

from trialdesk.analytics.sample_size.common import (
    Plan,
    SampleSizeInputError,
    SampleSizeResult,
    forbid_strict,
    normal_power,
    require_one_group,
    require_positive,
    solve,
)

TESTS = ("t", "z")
POWER_T_TEST = "noncentral t, as R stats::power.t.test and pwr.t.test ({tails})"
Z_TEST = "normal approximation (Chow, Shao & Wang 2008, sections 3.1-3.2)"
MARGIN = (
    "normal approximation against a margin, {kind} (Chow, Shao & Wang 2008, 3.2; "
    "Julious 2004, Stat Med 23:1921)"
)


def _standardised_effect(delta, sd, effect_size) -> float:
    """Cohen's d from either --effect-size or --delta with --sd (exactly one way)."""
    if effect_size is not None:
        if delta is not None or sd is not None:
            raise SampleSizeInputError("effect_size", "Give either effect_size or delta with sd, not both.")
        if not (math.isfinite(effect_size) and effect_size != 0):
            raise SampleSizeInputError("effect_size", "effect_size must be a non-zero number.")
        return abs(float(effect_size))
    if delta is None:
        raise SampleSizeInputError("delta", "delta is required (or give effect_size).")
    sd = require_positive("sd", sd, "the standard deviation")
    if not (math.isfinite(delta) and delta != 0):
        raise SampleSizeInputError("delta", "delta must be a non-zero difference.")
    return abs(float(delta)) / sd


def _tails(plan: Plan) -> str:
    if plan.sided == 1:
        return "one-sided"
    return "both rejection tails (strict)" if plan.strict else "upper rejection tail only, strict = FALSE"


def _t_power(ncp: float, df: float, plan: Plan) -> float:
    """Power of a t test with noncentrality `ncp`, as R's power.t.test computes it."""
    critical = -special.stdtrit(df, plan.alpha / plan.sided)  # Student's t upper-tail quantile
    power = 1 - special.nctdtr(df, ncp, critical)
    if plan.strict and plan.sided == 2:
        power += special.nctdtr(df, ncp, -critical)
    return float(power)


def _check_test(test: str) -> None:
    if test not in TESTS:
        raise SampleSizeInputError("test", "test must be t or z.")


def two_means(*, delta=None, sd=None, effect_size=None, test: str = "t", **plan) -> SampleSizeResult:
    """Two independent means, equal variances, n2 = ratio * n1.

    Parameters
    ----------
    delta, sd : float
        Difference in means to detect and the common standard deviation; or
    effect_size : float
        Cohen's d = delta / sd instead.
    test : {"t", "z"}
        Noncentral t with n1 + n2 - 2 degrees of freedom (as R ``power.t.test`` and
        ``pwr.t2n.test``) or the normal approximation.
    **plan
        The common choices of :class:`Plan` (alpha, sided, power or n, ratio, dropout, icc, ...).

    Returns
    -------
    SampleSizeResult

    Examples
    --------
    >>> two_means(delta=1, sd=1, n=20).power  # R: power.t.test(n = 20, delta = 1)
    0.8689528...
    >>> two_means(delta=0.75, sd=2.25, power=0.8).n_per_group
    (143, 143)
    """
    plan = Plan(**plan)
    d = _standardised_effect(delta, sd, effect_size)
    _check_test(test)

    def power_at(n1: float, n2: float) -> float:
        root = math.sqrt(n1 * n2 / (n1 + n2))
        if test == "z":
            return normal_power(
                d * root, plan.z_alpha, null_se=1.0, alt_se=1.0, sided=plan.sided, strict=plan.strict
            )
        return _t_power(d * root, n1 + n2 - 2, plan)

    method = Z_TEST if test == "z" else POWER_T_TEST.format(tails=_tails(plan))
    return solve(design="two-means", method=method, plan=plan, power_at=power_at, smallest_n=2.0)


def _one_sample(design: str, d: float, test: str, plan: Plan) -> SampleSizeResult:
    require_one_group(plan, design)
    _check_test(test)

    def power_at(n: float, _unused: float) -> float:
        if test == "z":
            return normal_power(
                d * math.sqrt(n), plan.z_alpha, null_se=1.0, alt_se=1.0, sided=plan.sided, strict=plan.strict
            )
        return _t_power(d * math.sqrt(n), n - 1, plan)

    method = Z_TEST if test == "z" else POWER_T_TEST.format(tails=_tails(plan))
    return solve(design=design, method=method, plan=plan, power_at=power_at, groups=1, smallest_n=2.0)


def paired_means(*, delta=None, sd=None, effect_size=None, test: str = "t", **plan) -> SampleSizeResult:
    """Paired means: a one-sample test on the within-pair differences; n counts pairs.

    ``sd`` is the standard deviation of the differences (as R ``power.t.test(type = "paired")``).

    Examples
    --------
    >>> round(paired_means(effect_size=0.32, n=24, sided=1).power, 7)  # pwr vignette, Hogg & Tanis 6.5-12
    0.4508691
    """
    return _one_sample("paired-means", _standardised_effect(delta, sd, effect_size), test, Plan(**plan))


def one_mean(*, delta=None, sd=None, effect_size=None, test: str = "t", **plan) -> SampleSizeResult:
    """One mean against a known value; ``delta`` is the true mean minus the null value.

    Examples
    --------
    >>> one_mean(delta=0.5, sd=2.25, power=0.9, sided=1).n_exact[0]  # pwr vignette: 174.7796
    174.779...
    """
    return _one_sample("one-mean", _standardised_effect(delta, sd, effect_size), test, Plan(**plan))


def _margin_inputs(margin, true_diff, sd) -> tuple[float, float, float]:
    margin = require_positive("margin", margin, "the non-inferiority, superiority or equivalence margin")
    sd = require_positive("sd", sd, "the standard deviation")
    if true_diff is None or not math.isfinite(true_diff):
        raise SampleSizeInputError(
            "true_diff", "true_diff is required (the expected test minus control difference)."
        )
    return margin, float(true_diff), sd


def _one_sided_margin(design: str, distance: float, sd: float, plan: Plan, kind: str) -> SampleSizeResult:
    forbid_strict(plan, design)

    def power_at(n1: float, n2: float) -> float:
        se = sd * math.sqrt(1 / n1 + 1 / n2)
        return normal_power(distance / se, plan.z_alpha, null_se=1.0, alt_se=1.0, sided=1, strict=False)

    return solve(design=design, method=MARGIN.format(kind=kind), plan=plan, power_at=power_at)


def non_inferiority_means(*, margin=None, true_diff=None, sd=None, **plan) -> SampleSizeResult:
    """Non-inferiority of test to control: H0 mean(test) - mean(control) <= -margin.

    Higher is better; ``true_diff`` is the expected test minus control difference. The test is
    one-sided at alpha / sided (so ``sided=2, alpha=0.05`` is the usual one-sided 0.025).

    Examples
    --------
    >>> non_inferiority_means(margin=0.05, true_diff=0, sd=0.1, alpha=0.05, sided=1, power=0.8).n_per_group
    (50, 50)
    """
    plan = Plan(**plan)
    margin, true_diff, sd = _margin_inputs(margin, true_diff, sd)
    if true_diff + margin <= 0:
        raise SampleSizeInputError(
            "true_diff", "true_diff must be above -margin for non-inferiority to be shown."
        )
    kind = "H0: difference <= -margin"
    return _one_sided_margin("non-inferiority-means", true_diff + margin, sd, plan, kind)


def superiority_means(*, margin=None, true_diff=None, sd=None, **plan) -> SampleSizeResult:
    """Superiority by a margin: H0 mean(test) - mean(control) <= margin, one-sided at alpha / sided.

    Examples
    --------
    >>> superiority_means(margin=0.05, true_diff=0.15, sd=0.1, sided=1, power=0.8).n_per_group
    (13, 13)
    """
    plan = Plan(**plan)
    margin, true_diff, sd = _margin_inputs(margin, true_diff, sd)
    if true_diff <= margin:
        raise SampleSizeInputError(
            "true_diff", "true_diff must exceed the margin for superiority to be shown."
        )
    return _one_sided_margin("superiority-means", true_diff - margin, sd, plan, "H0: difference <= margin")


def equivalence_means(*, margin=None, true_diff=None, sd=None, **plan) -> SampleSizeResult:
    """Equivalence by two one-sided tests (Schuirmann 1987), each at alpha / sided: H0 |difference| >= margin.

    Power is the normal-approximation probability that both one-sided tests reject,
    Phi((margin - d)/se - z) + Phi((margin + d)/se - z) - 1; with a true difference of 0 this
    is Chow, Shao & Wang's n = (z_alpha + z_beta/2)^2 2 sigma^2 / margin^2.

    Examples
    --------
    >>> equivalence_means(margin=0.05, true_diff=0, sd=0.1, sided=1, power=0.8).n_per_group
    (69, 69)
    """
    plan = Plan(**plan)
    margin, true_diff, sd = _margin_inputs(margin, true_diff, sd)
    forbid_strict(plan, "equivalence-means")
    if abs(true_diff) >= margin:
        raise SampleSizeInputError("true_diff", "The true difference must lie inside (-margin, margin).")

    def power_at(n1: float, n2: float) -> float:
        se = sd * math.sqrt(1 / n1 + 1 / n2)
        return _tost_power(margin, true_diff, se, plan.z_alpha)

    method = MARGIN.format(kind="two one-sided tests, H0: |difference| >= margin")
    return solve(design="equivalence-means", method=method, plan=plan, power_at=power_at)


def _tost_power(margin: float, difference: float, se: float, z_alpha: float) -> float:
    """Normal-approximation power of two one-sided tests of equivalence within +-margin."""
    upper = special.ndtr((margin - difference) / se - z_alpha)
    lower = special.ndtr((margin + difference) / se - z_alpha)
    return float(max(0.0, upper + lower - 1))
