"""The supply forecast of a study from its records: the enrollment forecast's sites, rate model and drawn
activation days of sites not yet active (statistics.forecasts), recruitment stopping at the study's planned
enrollment, the kits the schedule's visits dispense (VisitDispensing), the visits already scheduled for
participants on study, the kits available at each site with their expiry and those on their way, and the
resupply plan (lead time per depot → site lane or per study, review period) that the suggested shipments
cover; the maths are analytics.supply's (numpy)."""

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext

from trialdesk.analytics import supply as engine
from trialdesk.analytics.forecasting import EstimationError, estimate_rate_prior, site_windows
from trialdesk.analytics.forecasting.enrollment import hyperparameter_draws
from trialdesk.sites.models import StudySite
from trialdesk.statistics import forecasts
from trialdesk.studies.models import Study
from trialdesk.supply import rules
from trialdesk.supply.models import Kit, KitStatus, ResupplyPlan, ShippingLane, VisitDispensing
from trialdesk.visits.models import ScheduledVisit, VisitStatus

DEFAULT_SIMS, DEFAULT_SEED, DEFAULT_SAFETY_STOCK = 2000, 1, 2
MAX_SIMS, MAX_WEEKS = 20_000, 104


@dataclass(frozen=True)
class SiteArrays:
    """The study's sites in the forecast's order, with their recruitment model per simulation."""

    sites: list[StudySite]
    shape: np.ndarray
    rate: np.ndarray
    starts: np.ndarray
    stops: np.ndarray
    note: str
    remaining: int | None = None  # participants still to enroll before the planned enrollment (None: no cap)


def policies(safety_stock: int) -> tuple[engine.ResupplyPolicy, ...]:
    """The suggested policy first, then the alternatives whose waste and stock-outs are compared."""
    return (
        engine.ResupplyPolicy(f"up to the 90 % need + {safety_stock} kits", 0.9, safety_stock),
        engine.ResupplyPolicy(f"up to the 50 % need + {safety_stock} kits", 0.5, safety_stock),
        engine.ResupplyPolicy("up to the 90 % need, no safety stock", 0.9, 0),
    )


def supply_forecast(
    study: Study,
    *,
    as_of: dt.date,
    horizon_weeks: int = 12,
    sims: int = DEFAULT_SIMS,
    seed: int = DEFAULT_SEED,
    safety_stock: int = DEFAULT_SAFETY_STOCK,
) -> dict:
    """The forecast as the command and the API print it (ValueError naming a bad option)."""
    if not 1 <= horizon_weeks <= MAX_WEEKS:
        raise ValueError(f"horizon_weeks: give 1 to {MAX_WEEKS} weeks, not {horizon_weeks}")
    if not 1 <= sims <= MAX_SIMS:
        raise ValueError(f"sims: give 1 to {MAX_SIMS} simulations, not {sims}")
    if safety_stock < 0:
        raise ValueError(f"safety_stock: give 0 or more kits, not {safety_stock}")
    rng = np.random.default_rng(seed)
    arrays = site_arrays(study, as_of=as_of, sims=sims, rng=rng)
    index = {site.pk: i for i, site in enumerate(arrays.sites)}
    plan = resupply_plan(study, arrays.sites)
    weeks = max(horizon_weeks, engine.weeks_to_cover(plan.lead_days, plan.review_days))
    arrivals = engine.weekly_arrivals(
        arrays.shape, arrays.rate, arrays.starts, arrays.stops, weeks=weeks, rng=rng, sims=sims
    )
    arrivals = engine.cap_arrivals(arrivals, arrays.remaining, rng)
    offsets, kits, schedule_note = dispensing_schedule(study)
    expiry, kit_site = site_stock(study, index, as_of)
    result = engine.forecast_supply(
        arrivals=arrivals,
        kernel=engine.dispensing_kernel(offsets, kits, weeks),
        scheduled=scheduled_kits(study, index, as_of, weeks),
        kit_expiry_days=expiry,
        kit_site=kit_site,
        policies=policies(safety_stock),
        shipment_expiry_days=depot_expiry_days(study, as_of),
        horizon_weeks=horizon_weeks,
        lead_days=plan.lead_days,
        review_days=plan.review_days,
        pipeline=in_transit(study, index),
    )
    notes = [n for n in (arrays.note, schedule_note, plan.note, cap_note(arrays)) if n]
    return as_document(study, arrays, result, as_of=as_of, sims=sims, seed=seed, notes=notes)


@dataclass(frozen=True)
class Plan:
    """Each site's lead time (days) and the study's review period, with a note saying where they came from."""

    lead_days: np.ndarray
    review_days: int
    note: str


def resupply_plan(study: Study, sites: list[StudySite]) -> Plan:
    """A site's lead time is its shortest lane from a depot of the study, else the study's resupply plan,
    else rules.DEFAULT_LEAD_TIME_DAYS; the review period the plan's, else rules.DEFAULT_REVIEW_PERIOD_DAYS."""
    stored = ResupplyPlan.objects.filter(study=study).first()
    default = rules.DEFAULT_LEAD_TIME_DAYS if stored is None else stored.lead_time_days
    review = rules.DEFAULT_REVIEW_PERIOD_DAYS if stored is None else stored.review_period_days
    lanes: dict[int, int] = {}
    rows = ShippingLane.objects.filter(study=study).values_list("study_site_id", "lead_time_days")
    for site_id, days in rows:
        lanes[site_id] = min(days, lanes.get(site_id, days))
    lead = np.array([lanes.get(site.pk, default) for site in sites], dtype=float)
    source = gettext("the study's resupply plan") if stored else gettext("defaults (no resupply plan set)")
    note = gettext(
        "Suggested shipments cover lead time + review period: %(lead)s days' lead time (%(lanes)s site(s) "
        "with their own depot lane) and a review every %(review)s days, from %(source)s."
    ) % {"lead": default, "lanes": len(lanes), "review": review, "source": source}
    return Plan(lead, review, note)


def cap_note(arrays: SiteArrays) -> str:
    if arrays.remaining is None:
        return ""
    return gettext(
        "Recruitment stops at the planned enrollment: %(remaining)s participant(s) still to enroll."
    ) % {"remaining": arrays.remaining}


def in_transit(study: Study, index: dict[int, int]) -> np.ndarray:
    """Kits on their way to each forecast site (shipped, not yet received; not those to a participant)."""
    counts = np.zeros(len(index), np.int64)
    rows = (
        Kit.objects.filter(study=study, status=KitStatus.IN_TRANSIT, study_site_id__in=list(index))
        .filter(shipment__to_participant__isnull=True)
        .values_list("study_site_id", flat=True)
    )
    for site_id in rows:
        counts[index[site_id]] += 1
    return counts


def site_arrays(study: Study, *, as_of: dt.date, sims: int, rng) -> SiteArrays:
    """Sites that may receive or already hold IP, and those not yet active that the enrollment forecast
    expects to open, with its model: an active site's rate is Gamma(α + n_i, β + τ_i), a site yet to open
    Gamma(α, β); α, β from the study's prior (statistics.priors) or estimated from its sites, with their
    uncertainty. A site in start-up opens on a day drawn per simulation from the portfolio's start-up
    cycle times, as in the enrollment forecast (statistics.forecasts.activation_of), else on its planned
    activation date; recruitment stops at the study's planned enrollment (`remaining`)."""
    inputs = forecasts.forecast_inputs(
        study, as_of=as_of, sims=sims, activation=forecasts.ACTIVATION_FORECAST
    )
    holding = set(
        Kit.objects.filter(study=study, study_site__isnull=False).values_list("study_site_id", flat=True)
    )
    pending = {s.site_id for s in inputs.sites if s.activated_on is None and s.closed_on is None}
    sites = [
        s for s in StudySite.objects.filter(study=study).select_related("institution").order_by("site_number")
        if s.status in rules.RECEIVING_SITE_STATUSES or s.pk in holding or s.pk in pending
    ]  # fmt: skip
    size = len(sites)
    remaining = max(inputs.target - inputs.enrolled, 0) if inputs.target else None
    shape, rate = np.ones((size, 1)), np.ones((size, 1))
    starts, stops = np.full(size, np.inf), np.full(size, np.inf)
    by_id = {s.site_id: i for i, s in enumerate(inputs.sites)}
    if not inputs.sites:
        return SiteArrays(
            sites, shape, rate, starts, stops, "No site can recruit: no new participants forecast.", remaining
        )
    roster = forecasts.roster_of(inputs)
    active, exposure, roster_starts, roster_stops = site_windows(roster, np.datetime64(as_of, "D"))
    prior, note = _prior(inputs, roster, active, exposure)
    if prior is None:
        return SiteArrays(sites, shape, rate, starts, stops, note, remaining)
    alpha, beta = hyperparameter_draws(prior, rng, sims)
    alpha, beta = np.broadcast_to(alpha, (sims,)), np.broadcast_to(beta, (sims,))
    delay = forecasts.activation_of(inputs)
    count = len(inputs.sites)
    drawn = None if delay is None else delay.rvs((count, sims), rng)
    shape, rate = np.ones((size, sims)), np.ones((size, sims))
    starts = np.full((size, sims), np.inf) if delay is not None else starts
    for i, site in enumerate(sites):
        j = by_id.get(site.pk)
        if j is None:
            continue
        shape[i] = alpha + (roster.enrolled[j] if active[j] else 0)
        rate[i] = beta + (exposure[j] if active[j] else 0.0)
        # Without an activation forecast a site in start-up opens on its planned day, in every simulation.
        starts[i] = roster_starts[j] + (0.0 if active[j] or delay is None else drawn[j])
        stops[i] = roster_stops[j]
    return SiteArrays(sites, shape, rate, starts, stops, note, remaining)


def _prior(inputs, roster, active, exposure):
    if inputs.prior is not None and inputs.prior.prior is not None:
        return inputs.prior.prior, ""
    try:
        return estimate_rate_prior(roster.enrolled[active], exposure[active]), ""
    except (EstimationError, ValueError) as error:
        return None, f"No recruitment rate could be estimated ({error}): only scheduled visits counted."


def dispensing_schedule(study: Study) -> tuple[list[int], list[int], str]:
    """Days after randomization (offsets; a visit before it counts at day 0) and kits of each dispensing
    visit of the latest protocol version that has any."""
    rows = list(
        VisitDispensing.objects.filter(study=study)
        .select_related("visit_definition")
        .order_by("-visit_definition__protocol_version_id", "visit_definition__order")
    )
    if not rows:
        return [], [], "No visit of the schedule dispenses kits: new participants need none."
    latest = rows[0].visit_definition.protocol_version_id
    chosen = [r for r in rows if r.visit_definition.protocol_version_id == latest]
    return [max(r.visit_definition.day_offset, 0) for r in chosen], [r.kits for r in chosen], ""


def scheduled_kits(study: Study, index: dict[int, int], as_of: dt.date, weeks: int) -> np.ndarray:
    """Kits the visits already scheduled for participants on study will dispense, by site and week (an
    overdue visit whose window is still open counts in week 1)."""
    demand = np.zeros((len(index), weeks), np.int64)
    end = as_of + dt.timedelta(days=7 * weeks)
    visits = ScheduledVisit.objects.filter(
        participant__study=study,
        status=VisitStatus.SCHEDULED,
        definition__dispensing__isnull=False,
        target_on__lt=end,
    ).exclude(window_end_on__lt=as_of)
    rows = visits.values_list("participant__study_site_id", "target_on", "definition__dispensing__kits")
    for site_id, target_on, kits in rows:
        if site_id in index and target_on is not None:
            demand[index[site_id], max((target_on - as_of).days, 0) // 7] += kits
    return demand


def site_stock(study: Study, index: dict[int, int], as_of: dt.date) -> tuple[np.ndarray, np.ndarray]:
    """Days to expiry and site position of every kit available at the forecast's sites."""
    rows = Kit.objects.filter(study=study, status=KitStatus.AVAILABLE, study_site_id__in=list(index))
    pairs = [
        (index[s], (expires_on - as_of).days)
        for s, expires_on in rows.values_list("study_site_id", "lot__expires_on")
    ]
    if not pairs:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    sites, days = zip(*pairs, strict=True)
    return np.array(days, np.int64), np.array(sites, np.int64)


def depot_expiry_days(study: Study, as_of: dt.date) -> float:
    """Days to expiry of the kits a depot would ship next (first-expiry-first-out), inf when none."""
    expires_on = (
        Kit.objects.filter(
            study=study, depot__isnull=False, status=KitStatus.AVAILABLE, lot__expires_on__gte=as_of
        )
        .order_by("lot__expires_on")
        .values_list("lot__expires_on", flat=True)
        .first()
    )
    return np.inf if expires_on is None else float((expires_on - as_of).days)


def as_document(
    study, arrays: SiteArrays, result: engine.SupplyForecast, *, as_of, sims, seed, notes
) -> dict:
    return {
        "study": study.code,
        "as_of": as_of.isoformat(),
        "horizon_weeks": result.weeks,
        "sims": sims,
        "seed": seed,
        "sites": [
            {
                "site": site.site_number,
                "on_hand": int(result.on_hand[i]),
                "expiring_in_horizon": int(result.expiring_in_horizon[i]),
                "needed": {"0.5": int(result.needed[i, 0]), "0.9": int(result.needed[i, 1])},
                "suggested_shipment": int(result.suggested_shipment[i]),
            }
            for i, site in enumerate(arrays.sites)
        ],
        "projected_waste_kits": round(result.projected_waste_kits, 1),
        "policies": [
            {
                "policy": outcome.policy.label,
                "quantile": outcome.policy.quantile,
                "safety_stock": outcome.policy.safety_stock,
                "kits_shipped": int(outcome.shipments.sum()),
                "projected_waste_kits": round(outcome.projected_waste_kits, 1),
                "expected_sites_out_of_stock": round(outcome.expected_stockout_sites, 2),
            }
            for outcome in result.outcomes
        ],
        "notes": notes,
    }
