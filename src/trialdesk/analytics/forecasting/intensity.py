"""Piecewise-linear cumulative recruitment intensity, one per simulation, evaluated and inverted in bulk."""

from dataclasses import dataclass

import numpy as np

#: Days standing in for "never closes". A completion later than this (about 27,000 years) is reported
#: as never reached: it only happens when every site that could recruit has closed.
FAR_DAYS = 1e7


@dataclass(frozen=True, eq=False)
class CumulativeIntensity:
    """Λ_s(t) = ∫_0^t Σ_i λ_si 1[start_si ≤ u < stop_si] du for simulations s = 1..S.

    The total rate is constant between knots, so Λ_s is piecewise linear. ``knots`` has shape (M, 1)
    when every simulation shares the knots (fixed activation dates) or (M, S); ``rates`` (M, S) is the
    total rate from each knot to the next (the last one holds to infinity); ``cumulative`` (M, S) is
    Λ_s at the knots, starting at 0 at t = 0.
    """

    knots: np.ndarray
    rates: np.ndarray
    cumulative: np.ndarray

    @classmethod
    def from_sites(cls, rates: np.ndarray, starts: np.ndarray, stops: np.ndarray) -> "CumulativeIntensity":
        """Build from site rates (N, S) and start and stop days (N,) shared, or (N, S) per simulation."""
        stops = np.minimum(np.broadcast_to(stops, starts.shape), FAR_DAYS)
        stops = np.maximum(stops, starts)  # a site that would close before opening recruits nobody
        if starts.ndim == 1:
            return cls._shared(rates, starts, stops)
        return cls._per_simulation(rates, starts, stops)

    @classmethod
    def _shared(cls, rates, starts, stops):
        """Rates (N, S) summed by the knot where each site starts and the knot where it stops."""
        knots, start_at, stop_at = _knots(starts, stops)
        changes = np.zeros((len(knots), rates.shape[1]))
        for site in np.flatnonzero(stop_at > start_at):
            _add_site(changes, rates[site], start_at[site], stop_at[site])
        return cls._from_changes(knots, changes)

    @classmethod
    def _from_changes(cls, knots, changes):
        total = cumsum_rows(changes)
        np.maximum(total, 0.0, out=total)  # rounding must not make a closed study recruit
        total[-1] = 0.0  # every stop is a knot: after the last one nobody recruits
        return cls(knots[:, None], total, _integrate(knots[:, None], total))

    @classmethod
    def _per_simulation(cls, rates, starts, stops):
        sims = rates.shape[1]
        times = np.concatenate([np.zeros((1, sims)), starts, np.broadcast_to(stops, starts.shape)])
        changes = np.concatenate([np.zeros((1, sims)), rates, -rates])
        order = np.argsort(times, axis=0, kind="stable")
        knots = np.take_along_axis(times, order, axis=0)
        total = np.maximum(np.cumsum(np.take_along_axis(changes, order, axis=0), axis=0), 0.0)
        return cls(knots, total, _integrate(knots, total))

    def time_at(self, level: np.ndarray) -> np.ndarray:
        """First t with Λ_s(t) = level_s, for each simulation; inf where Λ_s never reaches it."""
        segment = (self.cumulative <= level).sum(axis=0) - 1
        pick = segment[None, :]
        start = np.take_along_axis(np.broadcast_to(self.knots, self.rates.shape), pick, axis=0)[0]
        rate = np.take_along_axis(self.rates, pick, axis=0)[0]
        base = np.take_along_axis(self.cumulative, pick, axis=0)[0]
        with np.errstate(divide="ignore", invalid="ignore"):
            days = np.where(rate > 0, start + (level - base) / rate, np.inf)
        return np.where(days > FAR_DAYS, np.inf, days)

    def at(self, days: np.ndarray) -> np.ndarray:
        """Λ_s at each of the shared times ``days`` (W,), shape (W, S)."""
        days = np.asarray(days, dtype=float)
        if self.knots.shape[1] == 1:
            segment = np.searchsorted(self.knots[:, 0], days, "right") - 1
            start = self.knots[segment]
            return self.cumulative[segment] + self.rates[segment] * (days[:, None] - start)
        segment = _searchsorted_columns(self.knots, days)
        start = np.take_along_axis(self.knots, segment, axis=0)
        rate = np.take_along_axis(self.rates, segment, axis=0)
        return np.take_along_axis(self.cumulative, segment, axis=0) + rate * (days[:, None] - start)


def _knots(starts: np.ndarray, stops: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The days the total rate changes (0, every start and stop), and each site's start and stop knot.

    Stops are clipped to ``FAR_DAYS`` and to no earlier than the start, as in ``from_sites``.
    """
    stops = np.maximum(np.minimum(np.broadcast_to(stops, starts.shape), FAR_DAYS), starts)
    knots = np.unique(np.concatenate([[0.0], starts, stops]))
    return knots, np.searchsorted(knots, starts), np.searchsorted(knots, stops)


def _add_site(changes: np.ndarray, rates: np.ndarray, start_at: int, stop_at: int) -> None:
    """Rates summed by the day they start and the day they stop: one addition per site and simulation.

    A site is taken off at its stop knot unless that is the last knot, after which nobody recruits.
    """
    changes[start_at] += rates
    if stop_at < len(changes) - 1:
        changes[stop_at] -= rates


def _integrate(knots: np.ndarray, total: np.ndarray) -> np.ndarray:
    cumulative = np.zeros(total.shape)
    np.multiply(total[:-1], np.diff(knots, axis=0), out=cumulative[1:])
    return cumsum_rows(cumulative, out=cumulative)


def cumsum_rows(rows: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``np.cumsum(rows, axis=0)`` of a C-ordered (M, S) array, one row after the other.

    numpy accumulates along the first axis column by column, striding across rows, which is several
    times slower for a few hundred rows of 10,000 simulations than M − 1 contiguous row additions.
    The sums are the same, added in the same order.
    """
    out = rows.copy() if out is None else out
    if out is not rows:
        out[...] = rows
    for row in range(1, len(out)):
        np.add(out[row - 1], out[row], out=out[row])
    return out


def _searchsorted_columns(sorted_columns: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """Index of the last knot ≤ each query, per column: one searchsorted over columns laid end to end.

    Knots beyond the last query cannot be the answer, so they are clipped to just past it; each column
    is then shifted by its number times a span longer than any column, which makes the flattened
    columns one sorted array.
    """
    rows, cols = sorted_columns.shape
    ceiling = float(queries.max(initial=0.0)) + 1.0
    span = ceiling + 1.0
    offsets = np.arange(cols) * span
    flat = (np.minimum(sorted_columns, ceiling) + offsets).T.ravel()
    positions = np.searchsorted(flat, (queries[:, None] + offsets).ravel(), "right") - 1
    return positions.reshape(len(queries), cols) - np.arange(cols) * rows
