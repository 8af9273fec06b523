"""Maximum-likelihood estimate of the gamma distribution of site recruitment rates."""

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike
from scipy import optimize, special

#: Bounds on the shape α. Above the upper one the sites' rates differ by under 1% of their mean, which
#: recruitment counts cannot tell from no difference at all (Poisson counts); below the lower one a
#: single site would hold nearly all recruits. An estimate on a bound is flagged, not hidden.
SHAPE_BOUNDS = (1e-3, 1e5)
#: The mean rate α/β is searched within this many natural-log units of the pooled rate Σn/Στ.
MEAN_RANGE = 20.0


class EstimationError(ValueError):
    """The sites' counts cannot determine α and β; the message says why and what to supply instead."""


@dataclass(frozen=True)
class RatePrior:
    """Gamma(α, β) distribution of sites' recruitment rates per day (mean α/β, variance α/β²).

    ``sites`` is how many sites with exposure the estimate used (0 for a supplied prior);
    ``shape_at_bound`` is True when the likelihood was still rising at a bound of α (see
    :data:`SHAPE_BOUNDS`), i.e. the counts showed no more variation between sites than Poisson counts;
    ``covariance`` is the estimate's asymptotic covariance of (log α, log α/β), the inverse observed
    information (None for a supplied prior, which is taken as known).
    """

    alpha: float
    beta: float
    sites: int = 0
    log_likelihood: float = float("nan")
    shape_at_bound: bool = False
    covariance: np.ndarray | None = field(default=None, compare=False)

    def __post_init__(self):
        if not (np.isfinite(self.alpha) and self.alpha > 0 and np.isfinite(self.beta) and self.beta > 0):
            raise ValueError(f"alpha and beta must be positive numbers, not {self.alpha} and {self.beta}")

    @property
    def mean_rate(self) -> float:
        """Mean recruitment rate per site per day, α/β."""
        return self.alpha / self.beta


def negative_binomial_log_likelihood(alpha: float, beta: float, counts, exposure_days) -> float:
    """Log marginal likelihood of the counts when each site's rate is Gamma(α, β) (Anisimov & Fedorov 2007).

    A site recruiting as a Poisson process with rate λ ~ Gamma(α, β) for τ days has a negative-binomial
    count: P(n) = Γ(α+n) / (Γ(α) n!) · (β/(β+τ))^α · (τ/(β+τ))^n.
    """
    n = np.asarray(counts, dtype=float)
    tau = np.asarray(exposure_days, dtype=float)
    terms = (
        special.gammaln(alpha + n)
        - special.gammaln(alpha)
        - special.gammaln(n + 1)
        + alpha * np.log(beta)
        + special.xlogy(n, tau)
        - (alpha + n) * np.log(beta + tau)
    )
    return float(terms.sum())


def estimate_rate_prior(counts: ArrayLike, exposure_days: ArrayLike) -> RatePrior:
    """Estimate α and β by maximising the negative-binomial marginal likelihood of the sites' counts.

    Anisimov & Fedorov (2007), Stat Med 26:4958, section 3: site i, active for τ_i days, has recruited
    n_i; its count is negative binomial with shape α and probability β/(β+τ_i). The likelihood is
    maximised over (log α, log α/β) by a bounded truncated-Newton method (TNC) with the analytic
    gradient, starting from the pooled rate; α is kept within :data:`SHAPE_BOUNDS`.

    Parameters
    ----------
    counts : array_like of int, shape (n_sites,)
        Recruits at each active site so far.
    exposure_days : array_like of float, shape (n_sites,)
        Days each site has been open to recruitment. Sites with no exposure carry no information and
        are left out.

    Returns
    -------
    RatePrior

    Raises
    ------
    EstimationError
        With fewer than two sites with exposure (one site cannot show how rates vary between sites) or
        with no recruit at all (the rate would be estimated as zero). Supply a prior instead.

    Examples
    --------
    >>> prior = estimate_rate_prior([1, 10, 0, 7, 25], [60, 90, 30, 60, 120])
    >>> round(prior.alpha, 2), round(prior.beta, 2), prior.shape_at_bound
    (1.44, 14.93, False)
    """
    n = np.asarray(counts, dtype=float)
    tau = np.asarray(exposure_days, dtype=float)
    if n.shape != tau.shape or n.ndim != 1:
        raise ValueError("counts and exposure_days must be one-dimensional arrays of the same length")
    if np.any(n < 0) or np.any(tau < 0) or np.any(n != np.round(n)):
        raise ValueError("counts must be whole numbers and exposure days non-negative")
    if np.any((tau == 0) & (n > 0)):
        raise ValueError("a site with recruits must have been open for some days")
    n, tau = n[tau > 0], tau[tau > 0]
    if n.size < 2:
        raise EstimationError(
            f"{n.size} active site(s): at least two are needed to estimate how recruitment rates vary "
            "between sites; supply a prior (alpha, beta) instead"
        )
    if n.sum() == 0:
        raise EstimationError(
            "no active site has recruited yet, so the recruitment rate cannot be estimated; "
            "supply a prior (alpha, beta) instead"
        )
    pooled = n.sum() / tau.sum()
    log_bounds = [tuple(np.log(SHAPE_BOUNDS)), (np.log(pooled) - MEAN_RANGE, np.log(pooled) + MEAN_RANGE)]
    result = optimize.minimize(
        _negative_log_likelihood,
        x0=[0.0, np.log(pooled)],
        args=(n, tau),
        jac=True,
        # TNC: scipy's L-BFGS-B took ten times longer on this two-parameter problem, all of it overhead.
        method="TNC",
        bounds=log_bounds,
        options={"xtol": 1e-10, "ftol": 1e-14, "gtol": 1e-9, "maxfun": 1000},
    )
    log_alpha, log_mean = result.x
    alpha = float(np.exp(log_alpha))
    at_bound = bool(min(abs(log_alpha - b) for b in log_bounds[0]) < 1e-3)
    return RatePrior(
        alpha=alpha,
        beta=float(alpha / np.exp(log_mean)),
        sites=int(n.size),
        log_likelihood=-float(result.fun),
        shape_at_bound=at_bound,
        covariance=_covariance(result.x, n, tau, at_bound),
    )


def _negative_log_likelihood(x, n, tau):
    """Negative log-likelihood in (log α, log α/β) and its gradient."""
    alpha, mean = np.exp(x)
    beta = alpha / mean
    value = negative_binomial_log_likelihood(alpha, beta, n, tau)
    d_alpha = np.sum(special.digamma(alpha + n) - special.digamma(alpha) + np.log(beta / (beta + tau)))
    d_beta = np.sum(alpha / beta - (alpha + n) / (beta + tau))
    # Chain rule to (u, v) = (log α, log m): α = e^u, β = e^(u - v).
    gradient = np.array([alpha * d_alpha + beta * d_beta, -beta * d_beta])
    return -value, -gradient


def _covariance(x, n, tau, at_bound: bool) -> np.ndarray:
    """Inverse observed information of (log α, log α/β), by central differences of the gradient.

    On a bound of α the likelihood is flat in log α, so only log α/β is given a variance.
    """
    step = 1e-4
    hessian = np.empty((2, 2))
    for j in range(2):
        shift = np.zeros(2)
        shift[j] = step
        hessian[:, j] = (
            _negative_log_likelihood(x + shift, n, tau)[1] - _negative_log_likelihood(x - shift, n, tau)[1]
        ) / (2 * step)
    hessian = (hessian + hessian.T) / 2
    if at_bound or np.linalg.eigvalsh(hessian).min() <= 0:
        return np.diag([0.0, 1.0 / hessian[1, 1]]) if hessian[1, 1] > 0 else np.zeros((2, 2))
    return np.linalg.inv(hessian)
