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
    """Days each site recruits in each week (N, W), from its recruiting window in days after as-of; (N, S, W)
    when the starts were drawn per simulation (``start_days`` (N, S): a pending site's activation day).

    >>> open_days([3.0, 0.0], [np.inf, 10.0], 2).tolist()
    [[4.0, 7.0], [7.0, 3.0]]
    >>> open_days([[0.0, 10.0]], [np.inf], 2).tolist()
    [[[7.0, 7.0], [0.0, 4.0]]]
    """
    starts = np.asarray(start_days, dtype=float)
    stops = np.asarray(stop_days, dtype=float)
    if starts.ndim == 2:
        starts, stops = starts[:, :, None], stops.reshape(-1, 1, 1)
        week_start = 7.0 * np.arange(weeks)[None, None, :]
    else:
        starts, stops = starts[:, None], stops[:, None]
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

    ``start_days`` is (N,), or (N, S) when a pending site's activation day was drawn per simulation (as
    the enrollment forecast draws it from the portfolio's start-up cycle times).

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
    # A site recruits on the days of one interval [opens, closes) of the horizon, so an arrival placed
    # uniformly over its open days falls on day opens + moment.
    starts = np.asarray(start_days, dtype=float)
    per_simulation = starts.ndim == 2
    stops = np.asarray(stop_days, dtype=float).reshape((-1, 1) if per_simulation else (-1,))
    opens = np.clip(starts, 0.0, 7.0 * weeks)
    total = np.maximum(np.clip(stops, 0.0, 7.0 * weeks) - opens, 0.0)
    counts = rng.poisson(rates * (total if per_simulation else total[:, None]))
    cell = np.repeat(np.arange(sites * sims), counts.ravel())  # (site, simulation) of each arrival
    # Each arrival's window: its site's, or its (site, simulation)'s when starts were drawn.
    row = cell if per_simulation else cell // sims
    opens, total = opens.ravel(), total.ravel()
    moment = rng.random(cell.size) * total[row]
    week = np.minimum(((opens[row] + moment) // 7.0).astype(np.int64), weeks - 1)
    flat = np.bincount(cell * weeks + week, minlength=sites * sims * weeks)
    return flat.reshape(sites, sims, weeks).astype(np.int32)


def cap_arrivals(arrivals: np.ndarray, remaining: int | None, rng: np.random.Generator) -> np.ndarray:
    """Stop recruitment once the study's planned enrollment is reached: each simulation keeps its first
    ``remaining`` arrivals over all sites (None: no cap). In the week the cap is crossed, the arrivals kept
    are a uniform random subset of that week's arrivals (each arrival a random key, the smallest keys
    kept: a multivariate hypergeometric draw over the sites), since their order inside a week is not
    simulated.

    >>> weeks = np.array([[[2, 1, 3]], [[1, 2, 0]]], np.int32)  # 2 sites, 1 simulation, 3 weeks
    >>> capped = cap_arrivals(weeks, 4, np.random.default_rng(1))
    >>> capped.sum(axis=0).tolist(), capped[:, 0, 2].tolist()   # 3 in week 1, 1 of 3 in week 2, none after
    ([[3, 1, 0]], [0, 0])
    """
    if remaining is None:
        return arrivals
    weekly = arrivals.sum(axis=0, dtype=np.int64)  # (S, W)
    before = np.cumsum(weekly, axis=1) - weekly
    allowed = np.clip(max(int(remaining), 0) - before, 0, weekly)
    if np.array_equal(allowed, weekly):
        return arrivals
    capped = arrivals * (allowed == weekly)[None, :, :].astype(arrivals.dtype)
    sims, weeks = np.nonzero((allowed > 0) & (allowed < weekly))
    if sims.size:
        sites = arrivals.shape[0]
        counts = arrivals[:, sims, weeks].T.ravel().astype(np.int64)  # cell by cell, sites within
        item = np.repeat(np.arange(counts.size), counts)  # (cell, site) of each arrival of those weeks
        cell = item // sites
        order = np.lexsort((rng.random(item.size), cell))
        starts = np.concatenate([[0], np.cumsum(weekly[sims, weeks])[:-1]])
        rank = np.arange(item.size) - starts[cell[order]]
        kept = item[order][rank < allowed[sims, weeks][cell[order]]]
        capped[:, sims, weeks] = np.bincount(kept, minlength=counts.size).reshape(-1, sites).T
    return capped


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
    return _fefo_running(expiring_cumulative, demand_cumulative, ())[0].astype(np.int64)


def _fefo_running(expiring: np.ndarray, demand: np.ndarray, weeks_wanted, tail=None) -> tuple:
    """fefo_waste's running maximum week by week on (N, S) arrays (no (N, S, W) temporaries): the waste
    by the end of the last week; the waste and the kits dispensed by the end of each array of weeks in
    ``weeks_wanted`` ((N,) weeks counted from 1 per site, 0: before week 1); and, for ``tail`` = (first,
    last), the largest excess E(j) − D(j − 1) over the weeks first ≤ j < last (0-based), which tells
    what kits added to the stock from week `first` on would waste (see forecast_supply)."""
    sites, sims, weeks = demand.shape
    running = np.zeros((sites, sims), np.int32)
    picked = [(np.zeros((sites, sims), np.int32), np.zeros((sites, sims), np.int32)) for _ in weeks_wanted]
    largest = np.full((sites, sims), np.iinfo(np.int32).min // 2, np.int32)
    previous = np.zeros((sites, sims), np.int32)
    excess = np.empty((sites, sims), np.int32)
    for j in range(weeks):
        np.subtract(expiring[:, j, None].astype(np.int32), previous, out=excess)
        np.maximum(running, excess, out=running)
        if tail is not None and tail[0] <= j < tail[1]:
            np.maximum(largest, excess, out=largest)
        previous = demand[:, :, j]
        for (waste_at, used_at), wanted in zip(picked, weeks_wanted, strict=True):
            rows = wanted == j + 1
            if rows.any():
                waste_at[rows], used_at[rows] = running[rows], previous[rows]
    return running, picked, largest


def forecast_supply(
    *,
    arrivals: np.ndarray,
    kernel: np.ndarray,
    scheduled: ArrayLike,
    kit_expiry_days: ArrayLike,
    kit_site: ArrayLike,
    policies: tuple[ResupplyPolicy, ...],
    shipment_expiry_days: float = np.inf,
    horizon_weeks: int | None = None,
    lead_days: ArrayLike | None = None,
    review_days: int | None = None,
    pipeline: ArrayLike | None = None,
) -> SupplyForecast:
    """Kits needed per site with their 50 % and 90 % quantiles, stock and expiry, suggested shipments
    under the first policy, and the waste each policy would leave.

    ``arrivals`` and ``scheduled`` may run past the reported horizon (``horizon_weeks``, default: all their
    weeks) so that the resupply's protection interval can be covered. A site's need in one simulation is
    the kits dispensed over the horizon D(H) plus the waste of its stock (FEFO uses every kit it does not
    waste; a kit left at the end counts against nothing).

    Resupply is the periodic-review order-up-to policy (R, S) (Silver, Pyke & Thomas 2017, §6.7): a
    shipment suggested now arrives after the lane's lead time L (``lead_days`` per site, 0 when omitted)
    and the next one can be suggested only a review period R later (``review_days``), so what ships now
    must cover the demand of the protection interval L + R: it ships
    max(0, ceil(quantile of D(P) + waste by P) + safety − on hand − ``pipeline``), P the week that ends the
    interval (without ``review_days``: the horizon, the policy of one shipment for the whole horizon). Its
    kits expire ``shipment_expiry_days`` after as-of (the depot's next expiring kits); a shipment that
    expires inside the horizon adds its own waste. A site runs out when the demand before the shipment
    arrives exceeds its stock, or the interval's demand exceeds stock plus shipment.

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

    With a lead time of 7 days and a review every 7 days the shipment covers weeks 1 and 2 only:

    >>> short = forecast_supply(arrivals=arrivals, kernel=np.array([1, 0, 0, 0]), scheduled=[[3, 3, 3, 3]],
    ...     kit_expiry_days=[7, 7, 99, 99, 99], kit_site=[0] * 5,
    ...     policies=(ResupplyPolicy("90 %", 0.9, 2),), lead_days=[7], review_days=7)
    >>> short.suggested_shipment.tolist()
    [3]
    """
    sites, _, simulated = arrivals.shape
    horizon = simulated if horizon_weeks is None else int(horizon_weeks)
    if not 1 <= horizon <= simulated:
        raise ValueError(f"horizon_weeks must be 1 to {simulated}, not {horizon}")
    demand = cumulative_demand(arrivals, kernel, scheduled)
    site_of = np.asarray(kit_site, dtype=np.int64)
    expiry = np.asarray(kit_expiry_days, dtype=np.int64)
    expiring = expiring_by_week(expiry, site_of, sites, simulated)
    on_hand = np.bincount(site_of, minlength=sites).astype(np.int64)
    coming = np.zeros(sites, np.int64) if pipeline is None else np.asarray(pipeline, dtype=np.int64)
    lead = np.zeros(sites) if lead_days is None else np.asarray(lead_days, dtype=float)
    interval = Interval.of(lead, review_days, horizon=horizon, simulated=simulated)
    total = demand[:, :, horizon - 1].astype(np.int64)
    needed = np.quantile(total, NEEDED_QUANTILES, axis=1, method="inverted_cdf").T.astype(np.int64)
    # The kits dispensed and the FEFO waste by the end of each site's own weeks, in one pass over weeks;
    # a shipment whose kits expire after week `ship_week` inside the horizon adds its kits to E(j) from
    # then on, so its waste is max(waste by ship_week, largest later excess + kits shipped).
    ship_week = horizon if not np.isfinite(shipment_expiry_days) else max(int(shipment_expiry_days) // 7, 0)
    ship_week = min(ship_week, horizon)
    weeks = [np.full(sites, week, np.int64) for week in (horizon, ship_week)]
    _, picked, later = _fefo_running(
        expiring, demand, (interval.cover, interval.arrival, *weeks), tail=(ship_week, horizon)
    )
    (cover_waste, cover_used), (arrival_waste, arrival_used), (waste, _), (early_waste, _) = picked
    covered = cover_used.astype(np.int64) + cover_waste
    before = arrival_used.astype(np.int64) + arrival_waste
    stock = on_hand + coming
    quantiles = sorted({policy.quantile for policy in policies})
    need = dict(zip(quantiles, np.quantile(covered, quantiles, axis=1, method="inverted_cdf"), strict=True))
    outcomes = []
    for policy in policies:
        shipments = np.maximum(
            np.ceil(need[policy.quantile]).astype(np.int64) + policy.safety_stock - stock, 0
        )
        policy_waste = waste
        if ship_week < horizon:
            policy_waste = np.maximum(early_waste, later.astype(np.int64) + shipments[:, None])
        short = (before > stock[:, None]) | (covered > (stock + shipments)[:, None])
        outcomes.append(
            PolicyOutcome(
                policy=policy,
                shipments=shipments,
                projected_waste_kits=float(policy_waste.sum(axis=0, dtype=np.int64).mean()),
                expected_stockout_sites=float(short.sum(axis=0).mean()),
            )
        )
    outcomes = tuple(outcomes)
    return SupplyForecast(
        weeks=horizon,
        on_hand=on_hand,
        expiring_in_horizon=expiring[:, horizon - 1],
        needed=needed,
        suggested_shipment=outcomes[0].shipments,
        outcomes=outcomes,
    )


@dataclass(frozen=True)
class Interval:
    """Per site, in weeks counted from 1: the shipment is usable from week ``arrival`` + 1 (the weeks
    before it live on the stock) and covers the demand through week ``cover``."""

    arrival: np.ndarray
    cover: np.ndarray

    @classmethod
    def of(cls, lead: np.ndarray, review_days: int | None, *, horizon: int, simulated: int) -> "Interval":
        """A shipment arriving on day L serves from the first whole week after it (ceil(L / 7) weeks live on
        the stock); it covers ceil((L + R) / 7) weeks, the horizon without a review period.

        >>> Interval.of(np.array([0.0, 7.0, 10.0]), 14, horizon=12, simulated=12)
        Interval(arrival=array([0, 1, 2]), cover=array([2, 3, 4]))
        """
        if np.any(lead < 0) or (review_days is not None and review_days < 0):
            raise ValueError("lead times and the review period must not be negative")
        arrival = np.minimum(np.ceil(lead / 7.0).astype(np.int64), simulated)
        if review_days is None:
            cover = np.full(lead.shape, horizon, np.int64)
        else:
            cover = np.ceil((lead + review_days) / 7.0).astype(np.int64)
        return cls(arrival, np.clip(np.maximum(cover, arrival), 1, simulated))


def weeks_to_cover(lead_days: ArrayLike, review_days: int) -> int:
    """The weeks a forecast must simulate so that every site's protection interval L + R fits in it."""
    lead = np.asarray(lead_days, dtype=float)
    return int(np.ceil((lead.max(initial=0.0) + review_days) / 7.0))


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
