"""Flags from scores and thresholds, and gsm's order of a flagged-groups table."""

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from trialdesk.analytics.kri.groups import KriInputError

#: gsm's default thresholds for z-score-like scores (``Flag(vThreshold = c(-3, -2, 2, 3))``).
Z_SCORE_THRESHOLDS = (-3.0, -2.0, 2.0, 3.0)
#: p-value thresholds gsm documents for Fisher's exact test: p < 0.01 red, p < 0.05 amber.
P_VALUE_THRESHOLDS = (0.01, 0.05)
#: gsm sorts flagged groups red high, red low, amber high, amber low, then the rest (``vFlagOrder``).
FLAG_ORDER = (2, -2, 1, -1, 0)


def default_flags(thresholds: Sequence[float], *, smaller_is_worse: bool = False) -> tuple[int, ...]:
    """Flag values for the intervals the thresholds make, as gsm's defaults do.

    Symmetric thresholds (an even number, e.g. −3, −2, 2, 3) give −k … k (−2, −1, 0, 1, 2); for
    p-values, where only small is unusual, k thresholds give k … 0 (0.01, 0.05 → 2, 1, 0).

    Examples
    --------
    >>> default_flags([-3, -2, 2, 3]), default_flags([-2, 2])
    ((-2, -1, 0, 1, 2), (-1, 0, 1))
    >>> default_flags([0.01, 0.05], smaller_is_worse=True)
    (2, 1, 0)
    """
    count = len(thresholds)
    if smaller_is_worse:
        return tuple(range(count, -1, -1))
    if count % 2:
        raise KriInputError(
            f"{count} thresholds cannot be split evenly into low and high flags; give the flags too",
            field="thresholds",
        )
    return tuple(range(-(count // 2), count // 2 + 1))


def flag_scores(score: ArrayLike, thresholds: Sequence[float], flags: Sequence[int]) -> np.ndarray:
    """Flag of each score: ``flags[j]`` for a score in [thresholds[j−1], thresholds[j]).

    As gsm ``Flag``: ``cut(score, breaks = c(-Inf, vThreshold, Inf), labels = vFlag, right = FALSE)``,
    intervals closed below and open above, so with −3, −2, 2, 3 a score of exactly 2 is flagged 1 and
    exactly −2 is not flagged. A missing (NaN) score has no flag (NaN).

    Examples
    --------
    >>> flag_scores([-3.0, -2.0, 0.0, 2.0, 3.5, np.nan], [-3, -2, 2, 3], [-2, -1, 0, 1, 2]).tolist()
    [-1.0, 0.0, 0.0, 1.0, 2.0, nan]
    """
    edges = check_thresholds(thresholds, flags)
    values = np.asarray(score, dtype=np.float64)
    flagged = np.asarray(flags, dtype=np.float64)[np.searchsorted(edges, values, side="right")]
    flagged[np.isnan(values)] = np.nan
    return flagged


def check_thresholds(thresholds: Sequence[float], flags: Sequence[int]) -> np.ndarray:
    """The thresholds as an array, refused unless finite, strictly increasing and one fewer than flags."""
    edges = np.asarray(thresholds, dtype=np.float64)
    if edges.ndim != 1 or len(edges) == 0 or not np.all(np.isfinite(edges)):
        raise KriInputError("thresholds must be one or more finite numbers", field="thresholds")
    if np.any(np.diff(edges) <= 0):
        raise KriInputError(
            f"thresholds must increase strictly, not {', '.join(f'{t:g}' for t in edges)}",
            field="thresholds",
        )
    if len(flags) != len(edges) + 1:
        raise KriInputError(
            f"{len(edges)} thresholds need {len(edges) + 1} flags, not {len(flags)}", field="flags"
        )
    return edges


def summary_order(flag: np.ndarray, metric: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Row order of gsm ``Summarize``: flags 2, −2, 1, −1, 0, then groups without a flag; within a flag,
    largest |metric| first, then lowest score (the order gsm's analysis step left them in).

    Examples
    --------
    >>> summary_order(np.array([0.0, -2.0, 2.0, np.nan]), np.array([0.1, 0.2, 0.3, 0.4]),
    ...               np.array([0.0, -3.0, 3.0, np.nan])).tolist()
    [2, 1, 0, 3]
    """
    rank = np.full(len(flag), len(FLAG_ORDER), dtype=np.int64)
    for position, value in enumerate(FLAG_ORDER):
        rank[flag == value] = position
    return np.lexsort((score, -np.abs(metric), rank))
