"""Enrollment forecast for a study: completion-date quantiles, curve with band, per-site predictions."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import ArrayLike

from trialdesk.analytics.forecasting.estimation import (
    MEAN_RANGE,
    SHAPE_BOUNDS,
    RatePrior,
    estimate_rate_prior,
)
from trialdesk.analytics.forecasting.simulation import DelayDistribution, simulate_recruitment

#: Quantiles of the completion date always reported, besides the chosen level's interval.
REPORTED_QUANTILES = (0.1, 0.5, 0.9)
#: The curve stops here (ten years) when neither the planned end nor the forecast bounds it.
MAX_CURVE_WEEKS = 520


@dataclass(frozen=True, eq=False)
class SiteRoster:
    """A study's sites as the forecast sees them; dates are ``datetime64[D]`` arrays, NaT where none.

    ``activated_on`` is NaT for a site not yet recruiting, which then needs ``planned_activation_on``;
    ``enrolled`` counts recruits up to the as-of date; ``closed_on`` is the day a site stops recruiting.
    """

    names: tuple[str, ...]
    enrolled: np.ndarray
    activated_on: np.ndarray
    planned_activation_on: np.ndarray
    closed_on: np.ndarray

    @classmethod
    def from_columns(
        cls,
        names: Sequence[str],
        enrolled: ArrayLike,
        activated_on: ArrayLike,
        planned_activation_on: ArrayLike,
        closed_on: ArrayLike | None = None,
    ) -> "SiteRoster":
        """Build from plain columns; dates may be ``datetime.date``, ISO strings or None."""
        size = len(names)
        counts = np.asarray(enrolled, dtype=float).reshape(size)
        if np.any(counts != np.round(counts)):
            raise ValueError("enrolled counts must be whole numbers")
        return cls(
            names=tuple(names),
            enrolled=counts.astype(np.int64),
            activated_on=_dates(activated_on, size),
            planned_activation_on=_dates(planned_activation_on, size),
            closed_on=_dates([None] * size if closed_on is None else closed_on, size),
        )

    def __post_init__(self):
        if len(set(self.names)) != len(self.names):
            raise ValueError(
                f"site names repeat: {sorted({n for n in self.names if self.names.count(n) > 1})}"
            )
        for i, name in enumerate(self.names):
            if self.enrolled[i] < 0:
                raise ValueError(f"site {name!r}: enrolled must not be negative")
            if np.isnat(self.activated_on[i]) and np.isnat(self.planned_activation_on[i]):
                raise ValueError(f"site {name!r}: needs activated_on or planned_activation_on")
            # A site not yet active that closes before its planned activation simply never opens.
            if self.closed_on[i] < self.activated_on[i]:
                closed, activated = self.closed_on[i], self.activated_on[i]
                raise ValueError(f"site {name!r}: closed_on {closed} is before activated_on {activated}")

    def with_added_sites(self, count: int, activation_on, prefix: str = "added") -> "SiteRoster":
        """What-if: ``count`` new sites, not yet active, planned to open on ``activation_on``."""
        if count < 1:
            raise ValueError(f"the number of sites to add must be at least 1, not {count}")
        day = np.datetime64(activation_on, "D")
        free = (f"{prefix}-{k}" for k in range(1, len(self.names) + count + 1))
        names = [name for name in free if name not in self.names][:count]
        return SiteRoster(
            names=self.names + tuple(names),
            enrolled=np.concatenate([self.enrolled, np.zeros(count, np.int64)]),
            activated_on=np.concatenate([self.activated_on, np.full(count, np.datetime64("NaT", "D"))]),
            planned_activation_on=np.concatenate([self.planned_activation_on, np.full(count, day)]),
            closed_on=np.concatenate([self.closed_on, np.full(count, np.datetime64("NaT", "D"))]),
        )

    def with_closed_sites(self, names: Iterable[str], on) -> "SiteRoster":
        """What-if: the named sites stop recruiting on ``on`` (their counts so far still inform α, β)."""
        closed = self.closed_on.copy()
        for name in names:
            if name not in self.names:
                raise ValueError(f"no site is named {name!r}")
            i = self.names.index(name)
            day = np.datetime64(on, "D")
            closed[i] = day if np.isnat(closed[i]) else min(closed[i], day)
        return replace(self, closed_on=closed)


@dataclass(frozen=True, eq=False)
class EnrollmentForecast:
    """When a study reaches its target, how enrollment grows by week, and what each site contributes.

    ``completion_on[k]`` is the ``quantile_levels[k]`` quantile of the date the target is reached (NaT
    where the open sites never get there); the curve holds, at ``curve_on`` (the as-of date, then weekly),
    the expected cumulative enrollment and the central ``level`` prediction interval, not capped at the
    target so that the fan shows when it is crossed.
    """

    as_of: np.datetime64
    target: int
    enrolled: int
    level: float
    prior: RatePrior
    quantile_levels: np.ndarray
    completion_on: np.ndarray
    probability_by_planned_end: float | None
    curve_on: np.ndarray
    curve_mean: np.ndarray
    curve_lower: np.ndarray
    curve_upper: np.ndarray
    site_names: tuple[str, ...]
    site_rate_per_day: np.ndarray
    site_predicted_by_planned_end: np.ndarray | None
    completion_days: np.ndarray

    def completion_quantile(self, probability: float) -> np.datetime64:
        """The reported quantile at ``probability`` (one of ``quantile_levels``)."""
        matches = np.flatnonzero(np.isclose(self.quantile_levels, probability))
        if matches.size == 0:
            raise KeyError(f"{probability} is not among the reported levels {self.quantile_levels.tolist()}")
        return self.completion_on[matches[0]]

    @property
    def interval(self) -> tuple[np.datetime64, np.datetime64]:
        """Central ``level`` prediction interval of the completion date."""
        low, high = interval_levels(self.level)
        return self.completion_quantile(low), self.completion_quantile(high)


def interval_levels(level: float) -> tuple[float, float]:
    """Lower and upper probabilities of a central interval, rounded so 0.9 gives exactly 0.05 and 0.95."""
    return round((1 - level) / 2, 12), round((1 + level) / 2, 12)


def forecast_enrollment(
    roster: SiteRoster,
    *,
    as_of,
    target: int,
    rng: np.random.Generator,
    sims: int = 10_000,
    level: float = 0.9,
    planned_end=None,
    prior: RatePrior | None = None,
    delay: DelayDistribution | None = None,
    parameter_uncertainty: bool = True,
    rate_factor: float = 1.0,
) -> EnrollmentForecast:
    """Forecast the study's enrollment with the Poisson–gamma model of Anisimov & Fedorov (2007).

    Sites' rates are Gamma(α, β); α and β are estimated from the active sites' counts and days
    (:func:`estimate_rate_prior`) unless ``prior`` is given. An active site's rate is then
    Gamma(α + n_i, β + τ_i) (Anisimov & Fedorov 2007, Stat Med 26:4958, section 3; Mountain & Sherlock
    2022, Biometrics 78:636, section 2). A site not yet active recruits at a Gamma(α, β) rate from its
    planned activation date (from the as-of date if that has passed), plus a ``delay`` drawn per
    simulation if given; a site stops at ``closed_on``. The completion date is a Monte Carlo over
    ``sims`` futures (:func:`simulate_recruitment`).

    A completion at t days after the as-of date falls on the date as_of + ceil(t).

    ``rate_factor`` is a what-if on every site's rate (1.2: each site recruits 20% faster than its
    data say): a rate λ ~ Gamma(a, b) times f is Gamma(a, b / f), so only the rate parameter changes.

    Examples
    --------
    >>> roster = SiteRoster.from_columns(
    ...     ["A", "B", "C", "D"], [12, 30, 5, 0],
    ...     ["2026-01-05", "2025-11-10", "2026-03-02", None],
    ...     [None, None, None, "2026-08-01"])
    >>> result = forecast_enrollment(roster, as_of="2026-06-30", target=120,
    ...                              rng=np.random.default_rng(1), sims=4000, planned_end="2027-06-30")
    >>> str(result.completion_quantile(0.1)) < str(result.completion_quantile(0.9))
    True
    >>> 0 <= result.probability_by_planned_end <= 1
    True
    """
    as_of = np.datetime64(as_of, "D")
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, not {level}")
    if not (np.isfinite(rate_factor) and rate_factor > 0):
        raise ValueError(f"rate_factor must be a positive number, not {rate_factor}")
    enrolled = int(roster.enrolled.sum())
    if target <= enrolled:
        raise ValueError(f"target {target} is already reached: {enrolled} enrolled")
    horizon = None if planned_end is None else _days_after(np.datetime64(planned_end, "D"), as_of)
    if horizon is not None and horizon <= 0:
        raise ValueError(f"planned end {planned_end} must be after the as-of date {as_of}")
    active, exposure, starts, stops = site_windows(roster, as_of)
    if prior is None:
        prior = estimate_rate_prior(roster.enrolled[active], exposure[active])
    alpha, beta = (
        hyperparameter_draws(prior, rng, sims) if parameter_uncertainty else (prior.alpha, prior.beta)
    )
    shape = alpha + np.where(active, roster.enrolled, 0)[:, None]
    rate = (beta + np.where(active, exposure, 0.0)[:, None]) / rate_factor
    simulation = simulate_recruitment(
        shape,
        rate,
        starts,
        stops,
        remaining=target - enrolled,
        rng=rng,
        sims=sims,
        delay=delay,
        delayed=~active,
    )
    mean_rate = (shape / rate).mean(axis=1)
    levels = np.unique(np.array([*REPORTED_QUANTILES, *interval_levels(level)]))
    days = np.quantile(simulation.completion_days, levels, method="inverted_cdf")
    weeks = _curve_weeks(horizon, days[-1])
    curve_days = 7.0 * np.arange(weeks + 1)
    paths = enrolled + simulation.new_recruits(curve_days, rng)
    low, high = interval_levels(level)
    return EnrollmentForecast(
        as_of=as_of,
        target=int(target),
        enrolled=enrolled,
        level=float(level),
        prior=prior,
        quantile_levels=levels,
        completion_on=_dates_after(as_of, days),
        probability_by_planned_end=(
            None if horizon is None else float(np.mean(simulation.completion_days <= horizon))
        ),
        curve_on=as_of + curve_days.astype(np.int64),
        curve_mean=enrolled + simulation.expected_new_recruits(curve_days),
        curve_lower=np.quantile(paths, low, axis=1, method="inverted_cdf"),
        curve_upper=np.quantile(paths, high, axis=1, method="inverted_cdf"),
        site_names=roster.names,
        site_rate_per_day=mean_rate,
        site_predicted_by_planned_end=(
            None if horizon is None else roster.enrolled + mean_rate * simulation.expected_exposure(horizon)
        ),
        completion_days=simulation.completion_days,
    )


def hyperparameter_draws(prior: RatePrior, rng: np.random.Generator, sims: int):
    """α and β for each simulation, from the estimate's asymptotic normal law on (log α, log α/β).

    Plugging in the estimate ignores that it is uncertain, and Mountain & Sherlock (2022, Biometrics
    78:636) show that the resulting intervals stay too narrow however many sites there are. Drawing
    the parameters from the normal approximation to their likelihood (a flat prior on the log scale)
    carries that uncertainty into the forecast. A supplied prior has no covariance and is used as is
    (two floats are returned then, otherwise two arrays of shape (sims,)).
    """
    if prior.covariance is None:
        return prior.alpha, prior.beta
    centre = np.log([prior.alpha, prior.mean_rate])
    log_alpha, log_mean = rng.multivariate_normal(centre, prior.covariance, size=sims, method="eigh").T
    # With few sites the normal law is wide; keep the draws inside the estimate's own search bounds.
    log_alpha = np.clip(log_alpha, *np.log(SHAPE_BOUNDS))
    log_mean = np.clip(log_mean, centre[1] - MEAN_RANGE, centre[1] + MEAN_RANGE)
    return np.exp(log_alpha), np.exp(log_alpha - log_mean)


def site_windows(roster: SiteRoster, as_of: np.datetime64):
    """Which sites are active, their days of exposure so far, and their recruiting window after as-of.

    Returns (active, exposure_days, start_days, stop_days); days count from the as-of date, a site
    open as of today starts at 0, an open-ended site stops at inf.
    """
    active = ~np.isnat(roster.activated_on)
    for i in np.flatnonzero(active & (roster.activated_on > as_of)):
        raise ValueError(
            f"site {roster.names[i]!r}: activated_on {roster.activated_on[i]} is after the as-of date {as_of}"
        )
    for i in np.flatnonzero(~active & (roster.enrolled > 0)):
        raise ValueError(f"site {roster.names[i]!r}: {roster.enrolled[i]} enrolled but no activated_on")
    closed = ~np.isnat(roster.closed_on)
    until = np.where(closed, np.minimum(roster.closed_on, as_of), as_of)
    exposure = np.where(active, _days_after(until, roster.activated_on), 0.0)
    starts = np.where(active, 0.0, np.maximum(_days_after(roster.planned_activation_on, as_of), 0.0))
    stops = np.where(closed, _days_after(roster.closed_on, as_of), np.inf)
    return active, exposure, starts, stops


def _curve_weeks(horizon: float | None, upper_days: float) -> int:
    reach = max(horizon or 0.0, upper_days if np.isfinite(upper_days) else 0.0)
    if reach == 0.0:
        return MAX_CURVE_WEEKS
    return int(min(max(np.ceil(reach / 7.0), 1), MAX_CURVE_WEEKS))


def _days_after(later, earlier) -> np.ndarray:
    """Whole days from ``earlier`` to ``later`` as floats (nan where either is NaT)."""
    difference = np.asarray(later, "datetime64[D]") - np.asarray(earlier, "datetime64[D]")
    return np.where(np.isnat(difference), np.nan, difference.astype(float))


def _dates_after(as_of: np.datetime64, days: np.ndarray) -> np.ndarray:
    finite = np.isfinite(days)
    whole = np.where(finite, np.ceil(np.where(finite, days, 0.0)), 0).astype(np.int64)
    return np.where(finite, as_of + whole, np.datetime64("NaT", "D"))


def _dates(values, size: int) -> np.ndarray:
    cleaned = [None if v is None or (isinstance(v, str) and not v.strip()) else v for v in list(values)]
    if len(cleaned) != size:
        raise ValueError(f"every column needs {size} values, one per site")
    return np.array(
        [np.datetime64("NaT") if v is None else np.datetime64(v, "D") for v in cleaned], "datetime64[D]"
    )
