"""Group scores of gsm's four analysis methods: normal approximation, Poisson, Fisher's exact, identity.

Each function takes per-group numerators and denominators (every denominator > 0) and returns one score
per group. Sources: Gilead-BioStats/gsm 2.2.3 ``R/Analyze_NormalApprox.R``, ``R/Analyze_Poisson.R``,
``R/Analyze_Fisher.R`` and ``R/Analyze_Identity.R`` (Apache-2.0), with their degenerate-case guards as
in gsm.core.
"""

from dataclasses import dataclass

import numpy as np

from trialdesk.analytics.kri.fisher import two_sided_p_values


@dataclass(frozen=True, eq=False)
class MethodScores:
    """Scores of one method, with the overall metric it compared against and, for the normal
    approximation, the over-dispersion factor φ (None for the other methods)."""

    score: np.ndarray
    overall_metric: float
    dispersion: float | None = None


def normal_approximation(numerator: np.ndarray, denominator: np.ndarray, metric_type: str) -> MethodScores:
    """Over-dispersion-adjusted z-scores of each group's rate or proportion against the overall one.

    gsm ``Analyze_NormalApprox``, after Spiegelhalter (2005), "Handling over-dispersion of performance
    indicators", Qual Saf Health Care 14:347: with overall metric μ = Σ numerator / Σ denominator and
    per-group variance v_i = μ(1 − μ)/n_i (binary) or μ/n_i (rate), z_i = (metric_i − μ)/√v_i;
    φ = mean(z_i²) over every group; the score is z_i/√φ. When μ is 0 (or 1 for a proportion), or every
    metric equals μ (φ = 0), every score is 0, as in gsm.core. A "proportion" above 1 overall (more
    events than participants, which gsm's own sample data has early on) has no binomial variance:
    gsm's arithmetic gives NaN, so no group gets a score or flag.
    """
    overall = float(numerator.sum() / denominator.sum())
    unit_variance = overall * (1 - overall) if metric_type == "binary" else overall
    if unit_variance < 0:
        return MethodScores(np.full(len(numerator), np.nan), overall, float("nan"))
    if unit_variance == 0:
        return MethodScores(np.zeros(len(numerator)), overall, 0.0)
    z = (numerator / denominator - overall) / np.sqrt(unit_variance / denominator)
    phi = float(np.mean(z * z))
    if phi == 0:
        return MethodScores(np.zeros(len(numerator)), overall, 0.0)
    return MethodScores(z / np.sqrt(phi), overall, phi)


def poisson_deviance(numerator: np.ndarray, denominator: np.ndarray) -> MethodScores:
    """Deviance residuals of the Poisson GLM ``Numerator ~ offset(log(Denominator))`` with a log link.

    gsm ``Analyze_Poisson`` fits that model with ``stats::glm`` and takes ``broom::augment``'s
    ``.resid`` (deviance residuals). With an intercept only, the maximum-likelihood rate is
    Σ numerator / Σ denominator, so each group's expected count is μ_i = rate · denominator_i and its
    residual is sign(y_i − μ_i) √(2 (y_i log(y_i/μ_i) − (y_i − μ_i))) (McCullagh & Nelder 1989,
    Generalized Linear Models, 2nd ed., section 2.4.3), with y log y = 0 at y = 0. No events at all
    gives every group a score of 0.
    """
    from scipy import special  # imported when needed: the normal method needs no scipy

    rate = float(numerator.sum() / denominator.sum())
    if rate == 0:
        return MethodScores(np.zeros(len(numerator)), rate)
    expected = rate * denominator
    deviance = 2 * (special.xlogy(numerator, numerator / expected) - (numerator - expected))
    # Rounding can leave a tiny negative deviance where y equals μ; R clips it the same way.
    return MethodScores(np.sign(numerator - expected) * np.sqrt(np.maximum(deviance, 0.0)), rate)


def identity(numerator: np.ndarray, denominator: np.ndarray) -> MethodScores:
    """The metric itself as the score (gsm ``Analyze_Identity``: ``Score = Metric``)."""
    return MethodScores(numerator / denominator, float(numerator.sum() / denominator.sum()))


def fisher_exact(numerator: np.ndarray, denominator: np.ndarray) -> MethodScores:
    """Two-sided p-value of Fisher's exact test of each group against all other groups combined.

    gsm ``Analyze_Fisher`` runs ``stats::fisher.test`` on the 2×2 table (group, rest) × (event, no
    event) and takes its p-value as the score, so a small score marks an outlier in either direction
    (compare the metric with ``overall_metric`` for which). See :mod:`trialdesk.analytics.kri.fisher`.
    """
    return MethodScores(
        two_sided_p_values(numerator, denominator), float(numerator.sum() / denominator.sum())
    )
