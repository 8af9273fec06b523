"""Supply forecast of investigational product: kits needed per site over a horizon, stock, expiry, waste.

New participants arrive at each site as in the enrollment forecast (Poisson–gamma model, Anisimov &
Fedorov 2007: site i recruits at rate λ_i ~ Gamma(shape_i, rate_i) per day inside its recruiting window),
here simulated week by week per site; each new participant then needs the kits the visit schedule
dispenses at its visits' offsets, and the participants already on study need their scheduled visits'
kits. Stock on hand is used first-expiry-first-out (FEFO); a kit unused by its expiry is waste. Everything
is vectorised over sites, simulations and weeks; there is no loop over simulations.

Weeks are numbered 1..W from the as-of date (week k covers days 7(k-1) to 7k-1). A kit that expires d
days after the as-of date (it may be used on its expiry day) is usable for the demand of weeks k ≤ d // 7
and wasted after week d // 7 if still unused; "expiring in the horizon" means d // 7 < W.
"""

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

#: Quantiles of the kits needed that are always reported.
NEEDED_QUANTILES = (0.5, 0.9)


@dataclass(frozen=True)
class ResupplyPolicy:
    """Ship each site up to the ``quantile`` of its simulated need (kits dispensed plus kits of its stock
    that would expire unused) plus ``safety_stock`` kits."""

    label: str
    quantile: float
    safety_stock: int

    def __post_init__(self):
        if not 0 < self.quantile < 1:
            raise ValueError(f"quantile must be between 0 and 1, not {self.quantile}")
        if self.safety_stock < 0:
            raise ValueError(f"safety stock must not be negative, not {self.safety_stock}")


@dataclass(frozen=True)
class PolicyOutcome:
    """What a policy would do over the horizon: kits shipped, expected waste, expected sites running out."""

    policy: ResupplyPolicy
    shipments: np.ndarray
    projected_waste_kits: float
    expected_stockout_sites: float


@dataclass(frozen=True, eq=False)
class SupplyForecast:
    """Per site (N,): kits on hand, those expiring in the horizon, the 50 % and 90 % quantiles of kits
    needed (``needed``, shape (N, 2)), the chosen policy's suggested shipment; and each policy's outcome
    (the first is the chosen one)."""

    weeks: int
    on_hand: np.ndarray
    expiring_in_horizon: np.ndarray
    needed: np.ndarray
    suggested_shipment: np.ndarray
    outcomes: tuple[PolicyOutcome, ...]

    @property
    def projected_waste_kits(self) -> float:
        return self.outcomes[0].projected_waste_kits


def dispensing_kernel(offset_days: ArrayLike, kits: ArrayLike, weeks: int) -> np.ndarray:
    """Kits a participant enrolled at the start of a week needs in that week (index 0) and each later
    week, from the schedule's dispensing visits (offsets in days from enrollment, kits at each).

    >>> dispensing_kernel([0, 28, 30], [1, 1, 2], 6).tolist()
    [1, 0, 0, 0, 3, 0]
    """
    offsets = np.asarray(offset_days, dtype=np.int64)
    counts = np.asarray(kits, dtype=np.int64)
    if np.any(offsets < 0) or np.any(counts < 0):
        raise ValueError("dispensing offsets and kits must not be negative")
    kernel = np.zeros(weeks, np.int64)
    inside = offsets // 7 < weeks
    np.add.at(kernel, offsets[inside] // 7, counts[inside])
    return kernel


def open_days(start_days: ArrayLike, stop_days: ArrayLike, weeks: int) -> np.ndarray:
    """Days each site recruits in each week (N, W), from its recruiting window in days after as-of.

    >>> open_days([3.0, 0.0], [np.inf, 10.0], 2).tolist()
    [[4.0, 7.0], [7.0, 3.0]]
    """
    starts = np.asarray(start_days, dtype=float)[:, None]
    stops = np.asarray(stop_days, dtype=float)[:, None]
    week_start = 7.0 * np.arange(weeks)[None, :]
    return np.clip(np.minimum(stops, week_start + 7.0) - np.maximum(starts, week_start), 0.0, 7.0)


def weekly_arrivals(
    shape: ArrayLike,
    rate: ArrayLike,
    start_days: ArrayLike,
    stop_days: ArrayLike,
    *,
    weeks: int,
    rng: np.random.Generator,
    sims: int,
) -> np.ndarray:
    """New participants per site, simulation and week (N, S, W), int32.

    Each simulation draws the site's rate λ ~ Gamma(shape, rate) per day (``shape``, ``rate`` (N,) or
    (N, S), as in the enrollment forecast). Given λ, arrivals form a Poisson process on the days the site
    recruits: their number over the horizon is Poisson(λ × open days), and each falls uniformly over
    those days (the order-statistics property of the Poisson process), so one Poisson draw per site and
    simulation and one uniform per arrival give the same weekly counts as a Poisson draw per week, at a
    fraction of the cost when arrivals are few.
    """
    shape, rate = np.asarray(shape, dtype=float), np.asarray(rate, dtype=float)
    if np.any(shape <= 0) or np.any(rate <= 0):
        raise ValueError("gamma shapes and rates must be positive")
    sites = shape.shape[0]
    rates = rng.standard_gamma(_column(shape), size=(sites, sims)) / _column(rate)
    days = open_days(start_days, stop_days, weeks)
    total = days.sum(axis=1)
    counts = rng.poisson(rates * total[:, None])
    cell = np.repeat(np.arange(sites * sims), counts.ravel())  # (site, simulation) of each arrival
    site = cell // sims
    moment = rng.random(cell.size) * total[site]
    # The week of each arrival: where its moment falls in its site's cumulative open days, the sites'
    # rows laid end to end (each shifted past the previous one's total) for one vectorised search.
    span = 7.0 * weeks + 1.0
    edges = (np.cumsum(days, axis=1) + span * np.arange(sites)[:, None]).ravel()
    week = np.searchsorted(edges, moment + span * site, side="right") - weeks * site
    week = np.minimum(week, weeks - 1)
    flat = np.bincount(cell * weeks + week, minlength=sites * sims * weeks)
    return flat.reshape(sites, sims, weeks).astype(np.int32)


def cumulative_demand(arrivals: np.ndarray, kernel: np.ndarray, scheduled: ArrayLike) -> np.ndarray:
    """Kits dispensed by the end of each week (N, S, W): each week's new participants times the kernel,
    shifted to the weeks they need them, plus the kits ``scheduled`` (N, W) for participants on study."""
    sites, sims, weeks = arrivals.shape
    demand = np.zeros((sites, sims, weeks), np.int32)
    for lag in np.flatnonzero(kernel[:weeks]):
        demand[:, :, lag:] += arrivals[:, :, : weeks - lag] * np.int32(kernel[lag])
    demand += np.asarray(scheduled, dtype=np.int32)[:, None, :]
    return np.cumsum(demand, axis=2, dtype=np.int32)


def expiring_by_week(expiry_days: ArrayLike, site_of_kit: ArrayLike, sites: int, weeks: int) -> np.ndarray:
    """Kits on hand at each site that are unusable after each week 0..W-1, cumulative (N, W): column j
    counts the kits with expiry day // 7 ≤ j (column 0: already unusable for week 1's demand).

    >>> expiring_by_week([3, 10, 100], [0, 0, 1], 2, 3).tolist()
    [[1, 2, 2], [0, 0, 0]]
    """
    week = np.asarray(expiry_days, dtype=np.int64) // 7
    site = np.asarray(site_of_kit, dtype=np.int64)
    inside = week < weeks
    counts = np.zeros((sites, weeks), np.int64)
    np.add.at(counts, (site[inside], np.maximum(week[inside], 0)), 1)
    return np.cumsum(counts, axis=1)


def fefo_waste(expiring_cumulative: np.ndarray, demand_cumulative: np.ndarray) -> np.ndarray:
    """Kits wasted (expired unused) by the end of the horizon (N, S), stock used first-expiry-first-out.

    With E(j) the kits unusable after week j and D(j) the kits dispensed by the end of week j (D(0) = 0),
    and demand beyond this stock met from fresher kits, the cumulative waste is
    max_{j' ≤ j} (E(j') − D(j'))⁺: the Lindley-type recursion W(j) = max(W(j−1), E(j) − D(j)), since by
    the end of week j FEFO has used min(D(j), E(j) − W(j−1)) of the kits expiring by then.

    >>> e = np.array([[0, 5, 10]])                 # 5 kits expire after week 1, 5 after week 2
    >>> d = np.array([[[2, 12, 12]]])              # 2 kits dispensed in week 1, 10 in week 2
    >>> fefo_waste(e, d).tolist()                  # 3 of the first 5 expire unused
    [[3]]
    """
    weeks = expiring_cumulative.shape[1]
    used = np.concatenate(
        [np.zeros(demand_cumulative.shape[:2] + (1,), demand_cumulative.dtype), demand_cumulative], axis=2
    )[:, :, :weeks]
    excess = expiring_cumulative[:, None, :].astype(np.int64) - used
    return np.maximum(excess.max(axis=2), 0)


def forecast_supply(
    *,
    arrivals: np.ndarray,
    kernel: np.ndarray,
    scheduled: ArrayLike,
    kit_expiry_days: ArrayLike,
    kit_site: ArrayLike,
    policies: tuple[ResupplyPolicy, ...],
    shipment_expiry_days: float = np.inf,
) -> SupplyForecast:
    """Kits needed per site with their 50 % and 90 % quantiles, stock and expiry, suggested shipments
    under the first policy, and the waste each policy would leave.

    A site's need in one simulation is the kits dispensed over the horizon D(W) plus the waste of its
    stock; what its stock cannot cover is max(0, D(W) + waste − on hand), since FEFO uses every kit it
    does not waste (a kit left at the end counts against nothing). A policy ships
    max(0, ceil(quantile of D(W) + waste) + safety − on hand), arriving now with kits that expire
    ``shipment_expiry_days`` after as-of (the depot's next expiring kits); a shipment that expires inside
    the horizon adds its own waste.

    Examples
    --------
    One site, no new participants, 3 kits scheduled per week for 4 weeks, 5 kits on hand of which 2
    expire after week 1:

    >>> arrivals = np.zeros((1, 10, 4), np.int32)
    >>> result = forecast_supply(arrivals=arrivals, kernel=np.array([1, 0, 0, 0]), scheduled=[[3, 3, 3, 3]],
    ...     kit_expiry_days=[7, 7, 99, 99, 99], kit_site=[0] * 5,
    ...     policies=(ResupplyPolicy("90 %", 0.9, 2),))
    >>> result.needed.tolist(), result.on_hand.tolist(), result.suggested_shipment.tolist()
    ([[12, 12]], [5], [9])
    """
    sites, _, weeks = arrivals.shape
    demand = cumulative_demand(arrivals, kernel, scheduled)
    site_of = np.asarray(kit_site, dtype=np.int64)
    expiry = np.asarray(kit_expiry_days, dtype=np.int64)
    expiring = expiring_by_week(expiry, site_of, sites, weeks)
    on_hand = np.bincount(site_of, minlength=sites).astype(np.int64)
    waste = fefo_waste(expiring, demand)
    total = demand[:, :, -1].astype(np.int64)
    needed = np.quantile(total, NEEDED_QUANTILES, axis=1, method="inverted_cdf").T.astype(np.int64)
    outcomes = tuple(
        _outcome(policy, total, waste, expiring, demand, on_hand, shipment_expiry_days) for policy in policies
    )
    return SupplyForecast(
        weeks=weeks,
        on_hand=on_hand,
        expiring_in_horizon=expiring[:, -1],
        needed=needed,
        suggested_shipment=outcomes[0].shipments,
        outcomes=outcomes,
    )


def _outcome(policy, total, waste, expiring, demand, on_hand, shipment_expiry_days) -> PolicyOutcome:
    need = np.quantile(total + waste, policy.quantile, axis=1, method="inverted_cdf")
    shipments = np.maximum(np.ceil(need).astype(np.int64) + policy.safety_stock - on_hand, 0)
    weeks = expiring.shape[1]
    ship_week = np.inf if not np.isfinite(shipment_expiry_days) else int(shipment_expiry_days) // 7
    if ship_week < weeks:
        with_shipment = expiring.copy()
        with_shipment[:, max(ship_week, 0) :] += shipments[:, None]
        policy_waste = fefo_waste(with_shipment, demand)
    else:
        policy_waste = waste
    short = total + policy_waste > (on_hand + shipments)[:, None]
    return PolicyOutcome(
        policy=policy,
        shipments=shipments,
        projected_waste_kits=float(policy_waste.sum(axis=0).mean()),
        expected_stockout_sites=float(short.sum(axis=0).mean()),
    )


def accountability(site_of_kit: ArrayLike, state_of_kit: ArrayLike, sites: int, states: int) -> np.ndarray:
    """Kits by site and state (N, K) from one site index and one state code per kit, in one pass.

    >>> accountability([0, 0, 1, 1, 1], [0, 2, 2, 2, 1], 2, 3).tolist()
    [[1, 0, 1], [0, 1, 2]]
    """
    site = np.asarray(site_of_kit, dtype=np.int64)
    state = np.asarray(state_of_kit, dtype=np.int64)
    return np.bincount(site * states + state, minlength=sites * states).reshape(sites, states)


def _column(values: np.ndarray) -> np.ndarray:
    """Per-site parameters as a column (N, 1), or as given when they vary by simulation (N, S)."""
    return values if values.ndim == 2 else values[:, None]
