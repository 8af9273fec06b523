"""Sample size and power for proportions: two groups, one group, paired (McNemar), and against a margin."""

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
    require_probability,
    solve,
)

METHODS = ("pooled", "unpooled", "arcsine")
METHOD_SOURCES = {
    "pooled": "normal approximation, pooled variance under H0, unpooled under H1 (R stats::power.prop.test)",
    "unpooled": "normal approximation, unpooled variance (Chow, Shao & Wang 2008, 4.2)",
    "arcsine": "arcsine transformation h = 2 asin(sqrt p1) - 2 asin(sqrt p2), as R pwr.2p.test (Cohen 1988)",
}
ONE_SAMPLE_SOURCES = {
    "pooled": "normal approximation, null variance p0(1-p0) for the critical value (Fleiss et al. 2003, 2.5)",
    "unpooled": "normal approximation, variance p1(1-p1) (Chow, Shao & Wang 2008, 4.1)",
    "arcsine": "arcsine transformation h = 2 asin(sqrt p1) - 2 asin(sqrt p0), as R pwr.p.test (Cohen 1988)",
}
CONTINUITY = "; continuity correction of Fleiss, Tytun & Ury (1980, Biometrics 36:343)"


def cohen_h(p1: float, p2: float) -> float:
    """Cohen's effect size h for two proportions (R ``pwr::ES.h``)."""
    return 2 * math.asin(math.sqrt(p1)) - 2 * math.asin(math.sqrt(p2))


def _effect_or_rates(p_a, p_b, effect_size, method, names: tuple[str, str]) -> tuple[str, float | None]:
    """The method to use and, with arcsine, the effect h; rates are checked by the caller."""
    if effect_size is not None:
        if p_a is not None or p_b is not None:
            raise SampleSizeInputError(
                "effect_size", f"Give either effect_size or {names[0]} and {names[1]}, not both."
            )
        if method not in (None, "arcsine"):
            raise SampleSizeInputError("method", "effect_size (Cohen's h) goes with the arcsine method.")
        if not (math.isfinite(effect_size) and effect_size != 0):
            raise SampleSizeInputError("effect_size", "effect_size must be a non-zero number.")
        return "arcsine", abs(float(effect_size))
    method = method or "pooled"
    if method not in METHODS:
        raise SampleSizeInputError("method", "method must be pooled, unpooled or arcsine.")
    return method, None


def two_proportions(
    *, p1=None, p2=None, method=None, continuity_correction: bool = False, effect_size=None, **plan
) -> SampleSizeResult:
    """Two independent proportions, n2 = ratio * n1.

    Parameters
    ----------
    p1, p2 : float
        The proportions in groups 1 and 2; or
    effect_size : float
        Cohen's h (arcsine method only).
    method : {"pooled", "unpooled", "arcsine"}
        ``pooled`` (default) uses the pooled variance under H0 and the unpooled one under H1, as
        R ``power.prop.test``; ``unpooled`` uses the unpooled variance throughout (Chow, Shao &
        Wang); ``arcsine`` the variance-stabilising transformation of ``pwr.2p.test``.
    continuity_correction : bool
        Inflate n as Fleiss, Tytun & Ury (1980): n' = n/4 (1 + sqrt(1 + 2(r+1)/(n r |p1-p2|)))^2.
    **plan
        The common choices of :class:`Plan`.

    Examples
    --------
    >>> two_proportions(p1=0.5, p2=0.75, n=50).power  # R: power.prop.test(n = 50, p1 = .5, p2 = .75)
    0.7401659...
    >>> two_proportions(effect_size=0.2, power=0.8, strict=True).n_exact[0]  # pwr vignette: 392.443
    392.44...
    """
    plan = Plan(**plan)
    method, h = _effect_or_rates(p1, p2, effect_size, method, ("p1", "p2"))
    if h is None:
        p1, p2 = require_probability("p1", p1), require_probability("p2", p2)
        if p1 == p2:
            raise SampleSizeInputError("p2", "p1 and p2 are equal: there is no difference to detect.")
        h = cohen_h(p1, p2) if method == "arcsine" else None
    if continuity_correction and method == "arcsine":
        raise SampleSizeInputError(
            "continuity_correction", "The continuity correction goes with pooled or unpooled."
        )
    r = plan.ratio

    def uncorrected(n1: float, n2: float) -> float:
        if method == "arcsine":
            shift = abs(h) * math.sqrt(n1 * n2 / (n1 + n2))
            return normal_power(
                shift, plan.z_alpha, null_se=1.0, alt_se=1.0, sided=plan.sided, strict=plan.strict
            )
        alt_se = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
        null_se = alt_se
        if method == "pooled":
            pooled = (n1 * p1 + n2 * p2) / (n1 + n2)
            null_se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        return normal_power(
            p1 - p2, plan.z_alpha, null_se=null_se, alt_se=alt_se, sided=plan.sided, strict=plan.strict
        )

    def power_at(n1: float, n2: float) -> float:
        if not continuity_correction:
            return uncorrected(n1, n2)
        # Invert n1 = n/4 (1 + sqrt(1 + 2(r+1)/(n r d)))^2 for the uncorrected n it stands for.
        root = math.sqrt(n1) - (1 + r) / (2 * r * abs(p1 - p2) * math.sqrt(n1))
        if root <= 0:
            return 0.0
        return uncorrected(root**2, r * root**2)

    method_text = METHOD_SOURCES[method] + (CONTINUITY if continuity_correction else "")
    return solve(design="two-proportions", method=method_text, plan=plan, power_at=power_at)


def one_proportion(*, p0=None, p1=None, method=None, effect_size=None, **plan) -> SampleSizeResult:
    """One proportion against a fixed value p0 (true proportion p1), or Cohen's h with arcsine.

    ``pooled`` (default) takes the critical value under H0 with variance p0(1-p0) and the power
    under H1 with p1(1-p1), as Stata's ``sampsi ..., onesample``; ``unpooled`` uses p1(1-p1) for
    both; ``arcsine`` is R ``pwr.p.test``.

    Examples
    --------
    >>> one_proportion(p0=0.4, p1=0.46, power=0.9).n_per_group  # Stata sampsi 0.4 0.46, onesample: 711
    (711,)
    """
    plan = Plan(**plan)
    require_one_group(plan, "one-proportion")
    method, h = _effect_or_rates(p0, p1, effect_size, method, ("p0", "p1"))
    if h is None:
        p0, p1 = require_probability("p0", p0), require_probability("p1", p1)
        if p0 == p1:
            raise SampleSizeInputError("p1", "p1 equals p0: there is no difference to detect.")
        h = cohen_h(p1, p0) if method == "arcsine" else None

    def power_at(n: float, _unused: float) -> float:
        if method == "arcsine":
            return normal_power(
                abs(h) * math.sqrt(n),
                plan.z_alpha,
                null_se=1.0,
                alt_se=1.0,
                sided=plan.sided,
                strict=plan.strict,
            )
        alt_se = math.sqrt(p1 * (1 - p1) / n)
        null_se = math.sqrt(p0 * (1 - p0) / n) if method == "pooled" else alt_se
        return normal_power(
            p1 - p0, plan.z_alpha, null_se=null_se, alt_se=alt_se, sided=plan.sided, strict=plan.strict
        )

    return solve(
        design="one-proportion", method=ONE_SAMPLE_SOURCES[method], plan=plan, power_at=power_at, groups=1
    )


def mcnemar(*, p_discordant=None, odds_ratio=None, **plan) -> SampleSizeResult:
    """Paired proportions (McNemar's test); n counts pairs.

    ``p_discordant`` is the probability that a pair is discordant, p10 + p01, and ``odds_ratio``
    is p10 / p01. Connor (1987, Biometrics 43:207), as Chow, Shao & Wang (2008) 6.4:
    n = [z_alpha (psi + 1) + z_beta sqrt((psi + 1)^2 - (psi - 1)^2 pi_D)]^2 / ((psi - 1)^2 pi_D).

    Examples
    --------
    >>> mcnemar(p_discordant=0.7, odds_ratio=0.4, power=0.8).n_per_group  # Chow 6.4.3: 59
    (59,)
    """
    plan = Plan(**plan)
    require_one_group(plan, "mcnemar")
    pi_d = require_probability("p_discordant", p_discordant)
    psi = require_positive("odds_ratio", odds_ratio, "p10 / p01")
    if psi == 1:
        raise SampleSizeInputError("odds_ratio", "odds_ratio is 1: there is no difference to detect.")
    alt_sd = math.sqrt((psi + 1) ** 2 - (psi - 1) ** 2 * pi_d)

    def power_at(n: float, _unused: float) -> float:
        effect = math.sqrt(n * pi_d) * abs(psi - 1)
        return normal_power(
            effect, plan.z_alpha, null_se=psi + 1, alt_se=alt_sd, sided=plan.sided, strict=plan.strict
        )

    method = "McNemar test, normal approximation of Connor (1987); Chow, Shao & Wang (2008) 6.4"
    return solve(design="mcnemar", method=method, plan=plan, power_at=power_at, groups=1)


def farrington_manning_rates(
    p1: float, p2: float, ratio: float, null_difference: float
) -> tuple[float, float]:
    """Maximum-likelihood rates under H0: p1 - p2 = null_difference, at the expected outcomes p1, p2.

    The closed-form root of the likelihood's cubic (Farrington & Manning 1990, Stat Med 9:1447,
    appendix; Miettinen & Nurminen 1985), with group 2 ``ratio`` times the size of group 1.
    """
    if null_difference == 0:
        pooled = (p1 + ratio * p2) / (1 + ratio)
        return pooled, pooled
    delta, theta = null_difference, ratio
    a = 1 + theta
    b = -(1 + theta + p1 + theta * p2 + delta * (theta + 2))
    c = delta**2 + delta * (2 * p1 + theta + 1) + p1 + theta * p2
    d = -p1 * delta * (1 + delta)
    v = b**3 / (3 * a) ** 3 - b * c / (6 * a**2) + d / (2 * a)
    u = math.copysign(1.0, v) * math.sqrt(b**2 / (3 * a) ** 2 - c / (3 * a))
    w = (math.pi + math.acos(max(-1.0, min(1.0, v / u**3)))) / 3
    restricted_p1 = 2 * u * math.cos(w) - b / (3 * a)
    return restricted_p1, restricted_p1 - delta


def _margin_rates(p1, p2, margin) -> tuple[float, float, float]:
    p1, p2 = require_probability("p1", p1), require_probability("p2", p2)
    margin = require_positive("margin", margin, "the margin on the difference p1 - p2")
    if margin >= 1:
        raise SampleSizeInputError("margin", "margin must be below 1 (it is a difference of proportions).")
    return p1, p2, margin


def _farrington_manning(
    design: str, p1: float, p2: float, null_difference: float, plan: Plan
) -> SampleSizeResult:
    forbid_strict(plan, design)
    if p1 - p2 - null_difference <= 0:
        raise SampleSizeInputError(
            "p1", f"p1 - p2 must exceed {null_difference:g} for the hypothesis to be rejected."
        )
    restricted_1, restricted_2 = farrington_manning_rates(p1, p2, plan.ratio, null_difference)

    def power_at(n1: float, n2: float) -> float:
        null_se = math.sqrt(restricted_1 * (1 - restricted_1) / n1 + restricted_2 * (1 - restricted_2) / n2)
        alt_se = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
        effect = p1 - p2 - null_difference
        return normal_power(effect, plan.z_alpha, null_se=null_se, alt_se=alt_se, sided=1, strict=False)

    method = (
        f"Farrington & Manning (1990) score test of H0: p1 - p2 <= {null_difference:g}, "
        "restricted maximum-likelihood variance under H0 (as gsDesign::nBinomial)"
    )
    return solve(design=design, method=method, plan=plan, power_at=power_at)


def non_inferiority_proportions(*, p1=None, p2=None, margin=None, **plan) -> SampleSizeResult:
    """Non-inferiority of p1 (test) to p2 (control): H0 p1 - p2 <= -margin; higher is better.

    Farrington–Manning score test, one-sided at alpha / sided.

    Examples
    --------
    >>> r = non_inferiority_proportions(p1=0.1, p2=0.1, margin=0.2, ratio=2/3, alpha=0.05, sided=1, power=0.9)
    >>> [round(n, 2) for n in r.n_exact]  # gsDesign check (Farrington & Manning 1990, Table 1)
    [62.88, 41.92]
    """
    plan = Plan(**plan)
    p1, p2, margin = _margin_rates(p1, p2, margin)
    return _farrington_manning("non-inferiority-proportions", p1, p2, -margin, plan)


def superiority_proportions(*, p1=None, p2=None, margin=None, **plan) -> SampleSizeResult:
    """Superiority of p1 over p2 by a margin: H0 p1 - p2 <= margin (Farrington–Manning).

    Examples
    --------
    >>> r = superiority_proportions(p1=0.4, p2=0.05, margin=0.2, alpha=0.05, sided=1, power=0.8)
    >>> round(sum(r.n_exact), 2)  # gsDesign check (Farrington & Manning 1990, p. 1451): 159.6876
    159.69
    """
    plan = Plan(**plan)
    p1, p2, margin = _margin_rates(p1, p2, margin)
    return _farrington_manning("superiority-proportions", p1, p2, margin, plan)


def equivalence_proportions(*, p1=None, p2=None, margin=None, **plan) -> SampleSizeResult:
    """Equivalence of two proportions by two one-sided tests within +-margin, unpooled variance.

    Power Phi((m - d)/se - z) + Phi((m + d)/se - z) - 1 with d = p1 - p2 and
    se^2 = p1(1-p1)/n1 + p2(1-p2)/n2 (Chow, Shao & Wang 2008, 4.2.3).

    Examples
    --------
    >>> equivalence_proportions(p1=0.75, p2=0.75, margin=0.2, sided=1, power=0.8).n_per_group
    (81, 81)
    """
    plan = Plan(**plan)
    p1, p2, margin = _margin_rates(p1, p2, margin)
    forbid_strict(plan, "equivalence-proportions")
    if abs(p1 - p2) >= margin:
        raise SampleSizeInputError("margin", "The true difference p1 - p2 must lie inside (-margin, margin).")
    z_alpha = plan.z_alpha

    def power_at(n1: float, n2: float) -> float:
        se = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
        upper = special.ndtr((margin - (p1 - p2)) / se - z_alpha)
        lower = special.ndtr((margin + (p1 - p2)) / se - z_alpha)
        return float(max(0.0, upper + lower - 1))

    method = (
        "two one-sided tests within +-margin, unpooled normal approximation (Chow, Shao & Wang 2008, 4.2)"
    )
    return solve(design="equivalence-proportions", method=method, plan=plan, power_at=power_at)
