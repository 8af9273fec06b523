"""Enrollment forecasting with the Poisson–gamma recruitment model (Anisimov & Fedorov 2007).

Sites recruit as Poisson processes whose rates are Gamma(α, β) across sites. ``estimate_rate_prior``
fits α and β to the sites' counts, ``forecast_enrollment`` turns a ``SiteRoster`` into completion-date
quantiles, a weekly enrollment curve with a prediction band and per-site predictions, and
``simulate_recruitment`` is the vectorised Monte Carlo underneath.
"""

from trialdesk.analytics.forecasting.activation import (
    MIN_CYCLE_TIMES,
    ActivationForecast,
    forecast_activation,
)
from trialdesk.analytics.forecasting.calibration import CoverageCheck, completion_interval_coverage
from trialdesk.analytics.forecasting.enrollment import (
    EnrollmentForecast,
    SiteRoster,
    forecast_enrollment,
    interval_levels,
    site_windows,
)
from trialdesk.analytics.forecasting.estimation import (
    EstimationError,
    RatePrior,
    estimate_rate_prior,
    negative_binomial_log_likelihood,
)
from trialdesk.analytics.forecasting.intensity import FAR_DAYS, CumulativeIntensity
from trialdesk.analytics.forecasting.priors import prior_from_history, prior_from_rate
from trialdesk.analytics.forecasting.simulation import RecruitmentSimulation, simulate_recruitment

__all__ = [
    "MIN_CYCLE_TIMES",
    "ActivationForecast",
    "forecast_activation",
    "prior_from_history",
    "prior_from_rate",
    "FAR_DAYS",
    "CoverageCheck",
    "CumulativeIntensity",
    "EnrollmentForecast",
    "EstimationError",
    "RatePrior",
    "RecruitmentSimulation",
    "SiteRoster",
    "completion_interval_coverage",
    "estimate_rate_prior",
    "forecast_enrollment",
    "interval_levels",
    "negative_binomial_log_likelihood",
    "simulate_recruitment",
    "site_windows",
]
