"""Scoring participant rows into per-group KRI metric, score and flag, as gsm's analysis pipeline does."""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from trialdesk.analytics.kri import methods
from trialdesk.analytics.kri.flags import (
    P_VALUE_THRESHOLDS,
    Z_SCORE_THRESHOLDS,
    default_flags,
    flag_scores,
    summary_order,
)
from trialdesk.analytics.kri.groups import (
    KriInputError,
    check_proportions,
    check_whole_numbers,
    sum_by_group,
)

METHODS = ("normal", "poisson", "fisher", "identity")
METRIC_TYPES = ("rate", "binary")


@dataclass(frozen=True, eq=False)
class KriScores:
    """One KRI scored for every group, in sorted order of ``group_ids`` (see :meth:`summary_order`).

    ``score`` and ``flag`` are NaN for groups whose denominator is below ``min_denominator``: they keep
    their metric but are not scored, as gsm does (``Flag(nAccrualThreshold, strAccrualMetric =
    "Denominator")``). ``overall_metric`` is Σ numerator / Σ denominator; ``dispersion`` is the normal
    approximation's over-dispersion factor φ (None for other methods). Groups with a zero denominator
    have no metric and are only listed in ``excluded_group_ids``.
    """

    group_ids: np.ndarray
    numerator: np.ndarray
    denominator: np.ndarray
    metric: np.ndarray
    score: np.ndarray
    flag: np.ndarray
    method: str
    metric_type: str
    thresholds: tuple[float, ...]
    flags: tuple[int, ...]
    min_denominator: float | None
    overall_metric: float
    dispersion: float | None
    excluded_group_ids: np.ndarray

    def summary_order(self) -> np.ndarray:
        """Indices putting the groups in gsm ``Summarize`` order: most severe flags first."""
        return summary_order(self.flag, self.metric, self.score)


def score_groups(
    group_ids: ArrayLike,
    numerator: ArrayLike,
    denominator: ArrayLike,
    *,
    method: str = "normal",
    metric_type: str = "rate",
    thresholds: Sequence[float] | None = None,
    flags: Sequence[int] | None = None,
    min_denominator: float | None = None,
) -> KriScores:
    """Score a KRI per group from participant rows in gsm's analytics input layout.

    The rows are summed per group (gsm ``Transform_Rate``), scored by ``method`` over all groups
    (``Analyze_*``), flagged by ``thresholds`` (``Flag``), and groups with a denominator below
    ``min_denominator`` lose their score and flag but still count in the overall metric and in the
    over-dispersion factor. Compatible with Gilead-BioStats/gsm 2.2.3.

    Parameters
    ----------
    group_ids : array_like, shape (n_rows,)
        Site, country or study of each participant row.
    numerator, denominator : array_like of float, shape (n_rows,)
        Events and exposure (rate) or participants with the event and participants (binary).
    method : {"normal", "poisson", "fisher", "identity"}
        Normal approximation with over-dispersion (adjusted z-score), Poisson deviance residual,
        Fisher's exact test p-value (group against the rest), or the metric itself.
    metric_type : {"rate", "binary"}
        For the normal method, the variance of a rate or of a proportion. Fisher's exact test needs
        ``"binary"``; the others ignore it.
    thresholds : sequence of float, optional
        Increasing flag thresholds. Default −3, −2, 2, 3 (gsm's) or, for Fisher, p-values 0.01, 0.05.
    flags : sequence of int, optional
        One more flag than thresholds. Default −2 … 2 symmetric, or 2, 1, 0 for Fisher's p-values.
    min_denominator : float, optional
        Groups below it are not scored or flagged (gsm ``nMinDenominator``).

    Returns
    -------
    KriScores

    Raises
    ------
    KriInputError
        A negative or non-finite count (``index`` is its row), fractional counts or a group with more
        events than participants for Fisher, an unknown method or bad thresholds.

    Examples
    --------
    >>> kri = score_groups(["A", "A", "B", "C", "D"], [3, 1, 9, 2, 30], [100, 100, 200, 150, 300],
    ...                    method="normal", metric_type="rate", min_denominator=160)
    >>> kri.group_ids.tolist(), kri.metric.round(3).tolist()
    (['A', 'B', 'C', 'D'], [0.02, 0.045, 0.013, 0.1])
    >>> kri.score.round(2).tolist(), kri.flag.tolist()
    ([-0.88, -0.21, nan, 1.53], [0.0, 0.0, nan, 0.0])
    """
    if method not in METHODS:
        raise KriInputError(f"method must be one of {', '.join(METHODS)}, not {method!r}", field="method")
    if metric_type not in METRIC_TYPES:
        raise KriInputError(f"type must be rate or binary, not {metric_type!r}", field="type")
    if method == "fisher" and metric_type != "binary":
        raise KriInputError(
            "Fisher's exact test compares proportions of participants; use the binary type", field="type"
        )
    if min_denominator is not None and not (np.isfinite(min_denominator) and min_denominator >= 0):
        raise KriInputError(
            f"the minimum denominator must be a number of 0 or more, not {min_denominator}",
            field="min_denominator",
        )
    thresholds, flags = _thresholds_and_flags(method, thresholds, flags)
    totals = sum_by_group(group_ids, numerator, denominator)
    _check_method_input(method, numerator, denominator, totals)
    fitted = _score(method, metric_type, totals.numerator, totals.denominator)
    score = fitted.score.copy()
    if min_denominator is not None:
        score[totals.denominator < min_denominator] = np.nan
    return KriScores(
        group_ids=totals.group_ids,
        numerator=totals.numerator,
        denominator=totals.denominator,
        metric=totals.metric,
        score=score,
        flag=flag_scores(score, thresholds, flags),
        method=method,
        metric_type=metric_type,
        thresholds=thresholds,
        flags=flags,
        min_denominator=min_denominator,
        overall_metric=fitted.overall_metric,
        dispersion=fitted.dispersion,
        excluded_group_ids=totals.excluded_group_ids,
    )


def _thresholds_and_flags(method, thresholds, flags) -> tuple[tuple[float, ...], tuple[int, ...]]:
    p_values = method == "fisher"
    if thresholds is None:
        thresholds = P_VALUE_THRESHOLDS if p_values else Z_SCORE_THRESHOLDS
    thresholds = tuple(float(t) for t in thresholds)
    if flags is None:
        flags = default_flags(thresholds, smaller_is_worse=p_values)
    flags = tuple(int(f) for f in flags)
    flag_scores(np.empty(0), thresholds, flags)  # refuses bad thresholds before any work is done
    return thresholds, flags


def _check_method_input(method, numerator, denominator, totals) -> None:
    """Fisher's exact test needs whole counts and, per group, no more events than participants."""
    if method == "fisher":
        why = "Fisher's exact test counts participants"
        check_whole_numbers(np.asarray(numerator, dtype=np.float64), "Numerator", why)
        check_whole_numbers(np.asarray(denominator, dtype=np.float64), "Denominator", why)
        check_proportions(totals)


def _score(method, metric_type, numerator, denominator) -> methods.MethodScores:
    if method == "normal":
        return methods.normal_approximation(numerator, denominator, metric_type)
    if method == "poisson":
        return methods.poisson_deviance(numerator, denominator)
    if method == "fisher":
        return methods.fisher_exact(numerator, denominator)
    return methods.identity(numerator, denominator)
