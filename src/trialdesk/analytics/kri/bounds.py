"""Funnel-plot bounds: the metric a group would need, at each denominator, to reach each threshold."""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from trialdesk.analytics.kri.groups import KriInputError
from trialdesk.analytics.kri.methods import normal_approximation

#: Number of steps across the observed range of denominators (gsm: ``nStep <- nRange / 250``).
STEPS_ACROSS_RANGE = 250


@dataclass(frozen=True, eq=False)
class FunnelBounds:
    """Bound curves in long form, one row per (threshold, grid point), as gsm's ``dfBounds``.

    Threshold 0 is always included: it is the expected metric (the funnel's centre line). Points where
    a bound does not exist (a negative count, or no solution for the Poisson lower bound at small
    exposure) are left out, as in gsm.
    """

    threshold: np.ndarray
    denominator: np.ndarray
    log_denominator: np.ndarray
    numerator: np.ndarray
    metric: np.ndarray


def funnel_bounds(
    numerator: np.ndarray,
    denominator: np.ndarray,
    *,
    method: str,
    metric_type: str = "rate",
    thresholds: Sequence[float] = (-3.0, -2.0, 2.0, 3.0),
    step: float | None = None,
) -> FunnelBounds:
    """Bounds for plotting the groups' metric against their denominator, for the normal or Poisson method.

    Normal approximation (gsm ``Analyze_NormalApprox_PredictBounds``): on a grid of denominators n from
    min − step to max + step (step = range/250), metric = μ + t √(φ v(n)) with v(n) = μ(1 − μ)/n for a
    proportion or μ/n for a rate, and φ the over-dispersion factor of the groups. Poisson (gsm
    ``Analyze_Poisson_PredictBounds``): on a grid of log denominators, the count y whose deviance
    residual against μ = rate · n equals t, y = c / W(c / (e μ)) with c = (t² − 2μ)/2 and W the Lambert
    W function, branch 0 above the mean and −1 below it. (gsm multiplies the log denominator by a
    second model coefficient that the offset-only model does not have; its slope is 1 by construction,
    which is what is used here.)

    Parameters
    ----------
    numerator, denominator : ndarray, shape (n_groups,)
        Per-group sums, every denominator > 0.
    method : {"normal", "poisson"}
    metric_type : {"rate", "binary"}
        For the normal method.
    thresholds : sequence of float
        The flagging thresholds; 0 is added.
    step : float, optional
        Grid step (of the denominator, or of its logarithm for Poisson); range/250 by default.

    Examples
    --------
    >>> bounds = funnel_bounds(np.array([10.0, 20.0, 45.0]), np.array([100.0, 200.0, 300.0]),
    ...                        method="normal", thresholds=[-2, 2])
    >>> sorted(set(bounds.threshold.tolist()))
    [-2.0, 0.0, 2.0]
    >>> round(float(bounds.metric[bounds.threshold == 0][0]), 4)  # the overall rate, 75/600
    0.125
    """
    levels = np.asarray(list(dict.fromkeys([*map(float, thresholds), 0.0])))
    if method == "normal":
        return _normal_bounds(numerator, denominator, metric_type, levels, step)
    if method == "poisson":
        return _poisson_bounds(numerator, denominator, levels, step)
    raise KriInputError(
        f"funnel bounds exist for the normal and Poisson methods, not {method}", field="method"
    )


def _grid(low: float, high: float, step: float | None, fallback: float) -> np.ndarray:
    """R's ``seq(low - step, high + step, by = step)``: whole steps (with R's 1e-10 slack), the last
    point clipped to the end."""
    if step is None:
        step = (high - low) / STEPS_ACROSS_RANGE if high > low else fallback
    start, end = low - step, high + step
    count = int(np.floor((end - start) / step + 1e-10))
    return np.minimum(start + np.arange(count + 1) * step, end)


def _long_form(levels: np.ndarray, grid: np.ndarray):
    """Every threshold paired with every grid point, threshold varying slowest (tidyr ``expand_grid``)."""
    return np.repeat(levels, len(grid)), np.tile(grid, len(levels))


def _normal_bounds(numerator, denominator, metric_type, levels, step) -> FunnelBounds:
    fit = normal_approximation(numerator, denominator, metric_type)
    mu, phi = fit.overall_metric, fit.dispersion
    grid = _grid(float(denominator.min()), float(denominator.max()), step, 1.0)
    threshold, n = _long_form(levels, grid[grid > 0])
    unit_variance = mu * (1 - mu) if metric_type == "binary" else mu
    metric = mu + threshold * np.sqrt(phi * unit_variance / n)
    count = metric * n
    keep = count >= 0  # a negative count is no bound
    return FunnelBounds(threshold[keep], n[keep], np.log(n[keep]), count[keep], metric[keep])


def _poisson_bounds(numerator, denominator, levels, step) -> FunnelBounds:
    from scipy import special  # imported when needed: the normal method needs no scipy

    rate = float(numerator.sum() / denominator.sum())
    log_denominator = np.log(denominator)
    grid = _grid(float(log_denominator.min()), float(log_denominator.max()), step, 0.05)
    threshold, log_n = _long_form(levels, grid)
    expected = rate * np.exp(log_n)
    c = threshold**2 - 2 * expected
    with np.errstate(divide="ignore", invalid="ignore"):
        argument = c / (2 * np.e * expected)
        # lamW returns NaN off each branch's real domain; so must this (scipy would go complex).
        on_domain = argument >= -1 / np.e
        upper = np.where(on_domain, special.lambertw(argument, 0).real, np.nan)
        lower = np.where(on_domain & (argument < 0), special.lambertw(argument, -1).real, np.nan)
        count = np.select(
            [threshold < 0, threshold > 0], [c / (2 * lower), c / (2 * upper)], default=expected
        )
    keep = ~np.isnan(count)
    n = np.exp(log_n[keep])
    return FunnelBounds(threshold[keep], n, log_n[keep], count[keep], count[keep] / n)
