"""When sites not yet active will activate, from the cycle times of sites that did (start-up → active).

Each pending site has been in start-up for some days already; its remaining time is drawn from the
historical cycle times longer than that (the empirical distribution conditioned on having waited so
long), so a site selected long ago is not forecast to open "in a median cycle time from now".
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

#: Fewer historical cycle times than this say too little about their spread; planned dates are kept.
MIN_CYCLE_TIMES = 5
#: Quantiles of each pending site's activation date that are reported.
ACTIVATION_QUANTILES = (0.1, 0.5, 0.9)


@dataclass(frozen=True, eq=False)
class ActivationForecast:
    """Days from the as-of date until each pending site activates, as draws from the history.

    ``remaining[i]`` holds site i's possible remaining days (an empty array: no forecast for it). It is
    also a delay distribution for :func:`simulate_recruitment` (``rvs``): row i of a draw comes from
    ``remaining[i]``, zero where a site has no forecast or lies beyond the sites it was built for (sites
    a what-if added), so those keep their planned dates.
    """

    site_names: tuple[str, ...]
    as_of: np.datetime64
    remaining: tuple[np.ndarray, ...]
    history_size: int

    def quantiles(self, i: int) -> tuple[np.datetime64, ...] | None:
        """Site i's activation date at each of :data:`ACTIVATION_QUANTILES`, None without a forecast."""
        if self.remaining[i].size == 0:
            return None
        days = np.quantile(self.remaining[i], ACTIVATION_QUANTILES, method="inverted_cdf")
        return tuple(self.as_of + int(np.ceil(d)) for d in days)

    def has_forecast(self, i: int) -> bool:
        return i < len(self.remaining) and self.remaining[i].size > 0

    def rvs(self, size, random_state: np.random.Generator) -> np.ndarray:
        rows, sims = size
        draws = np.zeros((rows, sims))
        for i in range(min(rows, len(self.remaining))):
            if self.remaining[i].size:
                draws[i] = random_state.choice(self.remaining[i], size=sims)
        return draws


def forecast_activation(
    site_names: Sequence[str], started_on: ArrayLike, cycle_days: ArrayLike, *, as_of
) -> ActivationForecast:
    """Forecast the activation of pending sites that started on ``started_on`` (NaT: not pending).

    ``cycle_days`` are the historical start → activation times of comparable sites. For a site that
    has waited w days, the remaining time is c − w over the historical cycles c > w; a site that has
    waited longer than every historical cycle draws from the spread of the slowest quarter of them
    beyond its lower edge (it is late; how late is what the slow sites say). With fewer than
    :data:`MIN_CYCLE_TIMES` cycle times no site gets a forecast.

    Examples
    --------
    >>> result = forecast_activation(["A", "B"], ["2026-05-01", None], [60, 90, 120, 150, 180],
    ...                              as_of="2026-06-30")
    >>> [str(d) for d in result.quantiles(0)], result.quantiles(1)
    (['2026-07-30', '2026-08-29', '2026-10-28'], None)
    """
    as_of = np.datetime64(as_of, "D")
    cycles = np.sort(np.asarray(cycle_days, dtype=float))
    cycles = cycles[np.isfinite(cycles) & (cycles >= 0)]
    starts = np.array(
        [np.datetime64("NaT") if d is None else np.datetime64(d, "D") for d in started_on], "datetime64[D]"
    )
    empty = np.array([], dtype=float)
    remaining = []
    for start in starts:
        if np.isnat(start) or cycles.size < MIN_CYCLE_TIMES:
            remaining.append(empty)
            continue
        waited = max(float((as_of - start).astype(int)), 0.0)
        later = cycles[cycles > waited] - waited
        if later.size == 0:
            edge = np.quantile(cycles, 0.75, method="inverted_cdf")
            later = np.maximum(cycles[cycles >= edge] - edge, 1.0)
        remaining.append(later)
    return ActivationForecast(tuple(site_names), as_of, tuple(remaining), int(cycles.size))
