"""Fisher's exact test of each group against the rest, two-sided as R's ``fisher.test``, all at once.

The decision which tables are "as or less likely" than the observed one compares probabilities within a
relative 1e-7, so the log probabilities must be accurate to far better than that even for millions of
participants or data points. ``scipy.stats.hypergeom.logpmf`` (differences of log-gamma values) loses
about 1e-5 there; this module uses the saddle-point form R's ``dhyper`` uses (Loader 2000, "Fast and
accurate computation of binomial probabilities", with ``stirlerr`` and ``bd0`` as in R's nmath), which
stays accurate to about 1e-14.
"""

import numpy as np

#: R's ``fisher.test`` counts a table as "as or less likely" than the observed one when its probability
#: is at most the observed one times this, so that tables equally likely up to rounding are included.
FISHER_RELATIVE_ERROR = 1 + 1e-7

_HALF_LOG_2PI = 0.5 * np.log(2 * np.pi)


def two_sided_p_values(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """p-value of each group's 2×2 table (group, rest) × (event, no event), as R's ``fisher.test``.

    Given the margins, the group's event count X is hypergeometric: population Σ denominator, Σ numerator
    successes, denominator_i draws. The p-value is the total probability of counts no more likely than
    the observed one (within :data:`FISHER_RELATIVE_ERROR`). The distribution is unimodal, so those
    counts are a lower tail [lo, a] and an upper tail [b, hi]; a and b are found by bisection for all
    groups at once and p = P(X ≤ a) + P(X ≥ b).

    Examples
    --------
    Fisher's tea-tasting table (R ``?fisher.test``: p-value = 0.4857, exactly 34/70):

    >>> two_sided_p_values(np.array([3.0, 1.0]), np.array([4.0, 4.0])).round(4).tolist()
    [0.4857, 0.4857]
    """
    population = int(denominator.sum())
    successes = int(numerator.sum())
    draws = denominator.astype(np.int64)
    observed = numerator.astype(np.int64)
    cutoff = log_hypergeometric_pmf(observed, successes, population - successes, draws)
    cutoff = cutoff + np.log(FISHER_RELATIVE_ERROR)

    def as_unlikely(count):
        return log_hypergeometric_pmf(count, successes, population - successes, draws) <= cutoff

    low = np.maximum(0, draws - (population - successes))
    high = np.minimum(draws, successes)
    mode = np.clip((draws + 1) * (successes + 1) // (population + 2), low, high)
    # The probability rises up to the mode and falls after it.
    lower_end = _last_true(as_unlikely, low, mode - 1)
    upper_start = _first_true(as_unlikely, mode, high)
    from scipy import stats  # imported when needed: scipy.stats costs a command ~0.5 s to import

    distribution = stats.hypergeom(population, successes, draws)
    p = distribution.cdf(lower_end) + distribution.sf(upper_start - 1)
    return np.clip(p, 0.0, 1.0)


def log_hypergeometric_pmf(x, white, black, draws) -> np.ndarray:
    """log P(X = x) drawing ``draws`` balls from ``white`` + ``black``, as R's ``dhyper(log = TRUE)``:
    the product of two binomial probabilities over a third, each by Loader's saddle-point formula."""
    x, white, black, draws = (np.asarray(a, dtype=np.float64) for a in (x, white, black, draws))
    total = white + black
    p = draws / total
    q = (total - draws) / total
    log_pmf = (
        _log_binomial_pmf(x, white, p, q)
        + _log_binomial_pmf(draws - x, black, p, q)
        - _log_binomial_pmf(draws, total, p, q)
    )
    outside = (x < 0) | (x > white) | (draws - x < 0) | (draws - x > black)
    return np.where(outside, -np.inf, log_pmf)


def _log_binomial_pmf(x, n, p, q) -> np.ndarray:
    """R's ``dbinom_raw(x, n, p, q, log = TRUE)`` (Loader 2000), elementwise."""
    with np.errstate(divide="ignore", invalid="ignore"):
        interior = (
            _stirling_error(n)
            - _stirling_error(x)
            - _stirling_error(n - x)
            - _deviance_term(x, n * p)
            - _deviance_term(n - x, n * q)
            - 0.5 * (2 * _HALF_LOG_2PI + np.log(x) + np.log1p(-x / n))
        )
        none = np.where(p < 0.1, -_deviance_term(n, n * q) - n * p, n * np.log(q))
        every = np.where(q < 0.1, -_deviance_term(n, n * p) - n * q, n * np.log(p))
        result = np.where(x == 0, none, np.where(x == n, every, interior))
        result = np.where((x == 0) & (n == 0), 0.0, result)
        result = np.where(p == 0, np.where(x == 0, 0.0, -np.inf), result)
        return np.where(q == 0, np.where(x == n, 0.0, -np.inf), result)


def _stirling_error(n) -> np.ndarray:
    """log(n!) − log(√(2πn) (n/e)^n): by log-gamma up to 15 (where that is exact enough), else R's
    asymptotic series in 1/n."""
    from scipy import special

    n = np.asarray(n, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        small = special.gammaln(n + 1) - (n + 0.5) * np.log(n) + n - _HALF_LOG_2PI
        nn = n * n
        s0, s1, s2, s3, s4 = 1 / 12, 1 / 360, 1 / 1260, 1 / 1680, 1 / 1188
        series = np.select(
            [n > 500, n > 80, n > 35],
            [
                (s0 - s1 / nn) / n,
                (s0 - (s1 - s2 / nn) / nn) / n,
                (s0 - (s1 - (s2 - s3 / nn) / nn) / nn) / n,
            ],
            default=(s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / n,
        )
        return np.where(n > 15, series, np.where(n == 0, 0.0, small))


def _deviance_term(x, mean) -> np.ndarray:
    """x log(x/mean) + mean − x without cancellation: R's ``bd0``, a series in v = (x−mean)/(x+mean)
    when x is within 10% of the mean."""
    from scipy import special

    x, mean = np.broadcast_arrays(np.asarray(x, dtype=np.float64), np.asarray(mean, dtype=np.float64))
    with np.errstate(divide="ignore", invalid="ignore"):
        direct = special.xlogy(x, x / mean) + mean - x
        v = (x - mean) / (x + mean)
        series = (x - mean) * v
        term = 2 * x * v
        v2 = v * v
        for j in range(1, 40):  # |v| < 0.1, so each term is under 1% of the last
            term = term * v2
            series = series + term / (2 * j + 1)
    near = np.abs(x - mean) < 0.1 * (x + mean)
    return np.where(near, series, direct)


def _last_true(predicate, start: np.ndarray, stop: np.ndarray) -> np.ndarray:
    """Largest k in [start, stop] with predicate(k), per element, where predicate holds on a prefix;
    start − 1 where it holds nowhere (including an empty range)."""
    yes, no = start - 1, stop + 1
    while np.any(no - yes > 1):
        open_ = no - yes > 1
        middle = np.where(open_, (yes + no) // 2, np.clip(yes, start, np.maximum(start, stop)))
        holds = predicate(middle)
        yes = np.where(open_ & holds, middle, yes)
        no = np.where(open_ & ~holds, middle, no)
    return yes


def _first_true(predicate, start: np.ndarray, stop: np.ndarray) -> np.ndarray:
    """Smallest k in [start, stop] with predicate(k), per element, where predicate holds on a suffix;
    stop + 1 where it holds nowhere."""
    no, yes = start - 1, stop + 1
    while np.any(yes - no > 1):
        open_ = yes - no > 1
        middle = np.where(open_, (yes + no) // 2, np.clip(yes, start, np.maximum(start, stop)))
        holds = predicate(middle)
        yes = np.where(open_ & holds, middle, yes)
        no = np.where(open_ & ~holds, middle, no)
    return yes
