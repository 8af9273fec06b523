"""Monte Carlo of future recruitment under the Poisson–gamma model, vectorised over simulations."""

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from trialdesk.analytics.forecasting.intensity import CumulativeIntensity, cumsum_rows


class DelayDistribution(Protocol):
    """Anything that draws non-negative delays in days like a frozen ``scipy.stats`` distribution."""

    def rvs(self, size, random_state): ...


@dataclass(frozen=True, eq=False)
class RecruitmentSimulation:
    """Simulated futures of one study: when the remaining recruits arrive, and the intensity behind it.

    ``completion_days`` (S,) is the time, in days after the as-of date, of the last recruit needed
    (inf where the open sites never get there); ``starts`` and ``stops`` are the sites' recruiting
    windows in days, (N,) or (N, S) when activation delays were drawn.
    """

    completion_days: np.ndarray
    intensity: CumulativeIntensity
    starts: np.ndarray
    stops: np.ndarray

    def expected_new_recruits(self, days: ArrayLike) -> np.ndarray:
        """Mean number of new recruits by each of ``days`` (W,): the mean of Λ_s(t) over simulations.

        E[N(t)] = E[Λ(t)], and averaging Λ rather than simulated counts removes the Poisson noise.
        """
        return self.intensity.at(np.asarray(days, dtype=float)).mean(axis=1)

    def new_recruits(self, days: ArrayLike, rng: np.random.Generator) -> np.ndarray:
        """Simulated new recruits by each of the increasing ``days`` (W,), shape (W, S).

        Given the rates, counts over disjoint intervals are independent Poisson with mean the
        increase of Λ_s, so the path is a cumulative sum of Poisson draws.
        """
        cumulative = self.intensity.at(np.asarray(days, dtype=float))
        increments = np.diff(cumulative, axis=0, prepend=0.0)
        return cumsum_rows(rng.poisson(np.maximum(increments, 0.0)))

    def expected_exposure(self, until_day: float) -> np.ndarray:
        """Mean days each site recruits between the as-of date and ``until_day``, shape (N,)."""
        days = np.clip(np.minimum(self.stops, until_day) - self.starts, 0.0, None)
        return days if days.ndim == 1 else days.mean(axis=1)


def simulate_recruitment(
    shape: ArrayLike,
    rate: ArrayLike,
    start_days: ArrayLike,
    stop_days: ArrayLike,
    *,
    remaining: int,
    rng: np.random.Generator,
    sims: int = 10_000,
    delay: DelayDistribution | None = None,
    delayed: ArrayLike | None = None,
) -> RecruitmentSimulation:
    """Simulate when the next ``remaining`` recruits arrive, without simulating each arrival.

    Site i recruits at rate λ_i ~ Gamma(shape_i, rate_i) per day from ``start_days[i]`` until
    ``stop_days[i]`` (days after the as-of date; inf for open). Given the rates, arrivals form a Poisson
    process with cumulative intensity Λ(t), and the R-th arrival comes when Λ(t) reaches a Gamma(R, 1)
    variable (the sum of R unit exponentials: time change of a Poisson process, e.g. Daley &
    Vere-Jones 2003, Theorem 7.4.I). So each simulation draws the site rates and one Gamma(R, 1)
    variable and inverts its piecewise-linear Λ; there is no loop over simulations.

    Draws are made in a fixed order (one uniform per simulation for the Gamma(R, 1) variable, then the
    rates site by site, then the delays), so adding a site at the end of the arrays or changing the
    target leaves every other draw unchanged: what-if comparisons use common random numbers.

    Parameters
    ----------
    shape, rate : array_like, shape (N,) or (N, S)
        Gamma parameters of each site's rate per day (posterior for active sites, prior otherwise),
        the same in every simulation or, with shape (N, S), drawn per simulation.
    start_days, stop_days : array_like, shape (N,)
        Recruiting window of each site, in days after the as-of date.
    remaining : int
        Recruits still needed, at least 1.
    rng : numpy.random.Generator
    sims : int
        Number of simulations.
    delay : distribution with ``rvs(size, random_state)``, optional
        Extra delay in days before each ``delayed`` site opens, drawn per simulation.
    delayed : array_like of bool, shape (N,), optional
        Sites whose start is delayed (the sites not yet active); all sites when omitted.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> sim = simulate_recruitment([2.0, 2.0], [20.0, 20.0], [0.0, 30.0], [np.inf, np.inf],
    ...                            remaining=10, rng=rng, sims=2000)
    >>> bool(40 < np.median(sim.completion_days) < 80)
    True
    """
    shape, rate = np.asarray(shape, dtype=float), np.asarray(rate, dtype=float)
    starts, stops = np.asarray(start_days, dtype=float), np.asarray(stop_days, dtype=float)
    if remaining < 1:
        raise ValueError(f"remaining must be at least 1, not {remaining}")
    if not (shape.min(initial=np.inf) > 0 and rate.min(initial=np.inf) > 0):
        raise ValueError("gamma shapes and rates must be positive")
    if np.any(starts < 0):
        raise ValueError("start days must not be negative")
    sites = shape.shape[0]
    # Gamma(R, 1) by inversion of one uniform, so that a larger target gives a larger level in every
    # simulation and the rates drawn next do not depend on R.
    level = special.gammaincinv(remaining, rng.random(sims))
    # Site by site, so that a site appended for a what-if does not change the others' draws.
    site_rates = rng.standard_gamma(_per_site(shape), size=(sites, sims))
    site_rates /= _per_site(rate)
    if delay is not None:
        delayed = np.ones(sites, bool) if delayed is None else np.asarray(delayed, dtype=bool)
        extra = np.asarray(delay.rvs(size=(sites, sims), random_state=rng), dtype=float)
        if np.any(extra < 0):
            raise ValueError("activation delays must not be negative")
        starts = starts[:, None] + np.where(delayed[:, None], extra, 0.0)
        stops = stops[:, None]
    intensity = CumulativeIntensity.from_sites(site_rates, starts, stops)
    return RecruitmentSimulation(intensity.time_at(level), intensity, starts, stops)


def _per_site(values: np.ndarray) -> np.ndarray:
    """Per-site parameters as a column (N, 1), or as given when they vary by simulation (N, S)."""
    return values if values.ndim == 2 else values[:, None]
