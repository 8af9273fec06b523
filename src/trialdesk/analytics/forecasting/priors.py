"""Gamma priors of site recruitment rates for a study with too little data of its own.

A study in start-up has no site that has recruited long enough to say how fast its sites recruit. The
rates other sites achieved — the same institutions in earlier studies, or earlier studies of the same
therapeutic area — or a rate a planner types stand in for them: each gives a Gamma(α, β) distribution
of rates that the forecast updates with whatever the study's own sites have recruited so far.
"""

import numpy as np
from numpy.typing import ArrayLike

from trialdesk.analytics.forecasting.estimation import EstimationError, RatePrior, estimate_rate_prior

#: Shape of the prior for a typed rate: sites then differ by about 70% of the mean (coefficient of
#: variation 1/√α), the between-site spread Anisimov & Fedorov (2007) report for multicentre trials.
TYPED_SHAPE = 2.0
#: Shape when the history holds one site only: an exponential spread of rates, as wide as a
#: one-parameter guess can honestly be.
SINGLE_SITE_SHAPE = 1.0


def prior_from_rate(rate_per_day: float, *, shape: float = TYPED_SHAPE) -> RatePrior:
    """The prior for a typed mean rate per site per day: Gamma(shape, shape / rate).

    Examples
    --------
    >>> prior = prior_from_rate(0.1)
    >>> prior.alpha, round(prior.beta, 6), round(prior.mean_rate, 6)
    (2.0, 20.0, 0.1)
    """
    if not (np.isfinite(rate_per_day) and rate_per_day > 0):
        raise ValueError(f"the rate must be a positive number, not {rate_per_day}")
    return RatePrior(alpha=float(shape), beta=float(shape / rate_per_day))


def prior_from_history(counts: ArrayLike, exposure_days: ArrayLike) -> RatePrior:
    """The prior the rates of comparable sites give: their counts over their days open to recruitment.

    With two or more such sites and some recruits, α and β are the maximum-likelihood estimate
    (:func:`estimate_rate_prior`, whose covariance the forecast carries as uncertainty). With one site,
    or sites whose likelihood cannot be maximised, the pooled rate Σn/Στ with an exponential spread
    (:data:`SINGLE_SITE_SHAPE`).

    Raises
    ------
    EstimationError
        When no comparable site has recruited anybody: a history of zeros gives no rate.

    Examples
    --------
    >>> prior = prior_from_history([10, 4, 20], [300, 200, 400])
    >>> prior.sites, 0.02 < prior.mean_rate < 0.06
    (3, True)
    >>> round(prior_from_history([6], [200]).mean_rate, 3)
    0.03
    """
    n = np.asarray(counts, dtype=float)
    tau = np.asarray(exposure_days, dtype=float)
    keep = tau > 0
    n, tau = n[keep], tau[keep]
    if n.sum() <= 0:
        raise EstimationError("no comparable site has recruited anybody yet")
    if n.size >= 2:
        try:
            return estimate_rate_prior(n, tau)
        except EstimationError:
            pass
    pooled = float(n.sum() / tau.sum())
    return RatePrior(alpha=SINGLE_SITE_SHAPE, beta=SINGLE_SITE_SHAPE / pooled, sites=int(n.size))
