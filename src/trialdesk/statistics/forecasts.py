"""Enrollment forecasts of studies: built from their sites and participants, stored, and read back."""

import bisect
import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass

import numpy as np
from django.db.models import OuterRef, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from trialdesk.analytics import forecasting
from trialdesk.core.models import User
from trialdesk.core.permissions import can_manage_study, require
from trialdesk.sites.models import SiteStatus, StudySite
from trialdesk.statistics import history, priors, rules
from trialdesk.statistics.models import EnrollmentForecast, ForecastState
from trialdesk.statistics.rules import PROBABILITY_BANDS, probability_band  # noqa: F401 (callers use them here)
from trialdesk.studies.models import Milestone, MilestoneKind, Study
from trialdesk.subjects.models import Participant, ParticipantStatus

DEFAULT_SIMS = 4000
DEFAULT_SEED = 20070101
#: The fan on the study page is the central 80% band, i.e. from the 10% to the 90% quantile.
BAND_LEVEL = 0.8
#: Snapshots kept per study; older ones are deleted on refresh (derived data, nothing to keep).
KEPT_SNAPSHOTS = 20
#: A site in one of these statuses recruits no more; with no closing date stored, it stops as of today.
NOT_RECRUITING = frozenset({SiteStatus.ENROLLMENT_CLOSED, SiteStatus.CLOSED, SiteStatus.TERMINATED})
#: Sites committed to the study but not yet active: their activation is forecast from cycle times.
IN_START_UP = frozenset({SiteStatus.SELECTED, SiteStatus.START_UP})
#: Sites still being considered: they count only with a planned activation date.
CONSIDERED = frozenset({SiteStatus.IDENTIFIED, SiteStatus.UNDER_FEASIBILITY})
#: How a pending site's activation date is taken: forecast from cycle times, or the planned date.
ACTIVATION_FORECAST, ACTIVATION_PLANNED = "forecast", "planned"


@dataclass(frozen=True)
class SiteInput:
    """One site as the forecast sees it on the as-of date."""

    site_id: int
    site: str
    enrolled: int
    activated_on: dt.date | None
    planned_activation_on: dt.date | None
    closed_on: dt.date | None
    # A pending site's start-up clock: since when, and from which event ("selected" or "identified").
    startup_since: dt.date | None = None
    startup_from: str = ""


@dataclass(frozen=True)
class ForecastInputs:
    """What a study's forecast is computed from: the site table, the rate prior and the cycle times."""

    as_of: dt.date
    target: int
    planned_end: dt.date | None
    sites: tuple[SiteInput, ...]
    enrolled_dates: tuple[dt.date, ...]
    sims: int
    seed: int
    prior: priors.PriorChoice | None = None
    cycle_times: history.CycleTimes | None = None

    @property
    def enrolled(self) -> int:
        return len(self.enrolled_dates)

    def digest(self) -> str:
        document = {
            "as_of": self.as_of,
            "target": self.target,
            "planned_end": self.planned_end,
            "sites": [asdict(s) for s in self.sites],
            "sims": self.sims,
            "seed": self.seed,
            "prior": self.prior and self.prior.digest_part(),
            "cycle_times": self.cycle_times and asdict(self.cycle_times),
        }
        return hashlib.sha256(json.dumps(document, default=str, sort_keys=True).encode()).hexdigest()


def planned_end_of(study: Study) -> dt.date | None:
    """The study's planned last-participant-in date: its forecast date, else its baseline date."""
    milestone = (
        Milestone.objects.filter(study=study, study_site__isnull=True, kind=MilestoneKind.LAST_PARTICIPANT_IN)
        .order_by("id")
        .first()
    )
    return None if milestone is None else milestone.forecast_on or milestone.baseline_on


def forecast_inputs(
    study: Study,
    *,
    as_of: dt.date,
    sims: int = DEFAULT_SIMS,
    seed: int = DEFAULT_SEED,
    rate_per_month: float | None = None,
    activation: str = ACTIVATION_FORECAST,
) -> ForecastInputs:
    """The study's site table as of ``as_of``: counts of participants enrolled by then, activation dates,
    the rate prior (priors.choose_prior) and the start-up cycle times of sites in Trialdesk.

    A participant counts once enrolled (``enrolled_on`` on or before ``as_of``, no longer screening).
    A site recruited from its activation date (from its first enrollment if that came earlier); a site
    not yet active opens on its planned activation date or, when selected or in start-up, on a date
    forecast from cycle times; a closed or terminated site stops on ``as_of``. Sites with no way to
    date their activation, and closed sites that never opened, are left out.
    """
    dates_by_site: dict[int, list[dt.date]] = {}
    for site_id, enrolled_on in (
        Participant.objects.filter(study=study, enrolled_on__isnull=False, enrolled_on__lte=as_of)
        .exclude(status=ParticipantStatus.SCREENING)
        .values_list("study_site_id", "enrolled_on")
    ):
        dates_by_site.setdefault(site_id, []).append(enrolled_on)
    all_sites = list(StudySite.objects.filter(study=study).order_by("site_number", "id"))
    cycles = history.cycle_times(as_of=as_of) if activation == ACTIVATION_FORECAST else None
    pending = [s for s in all_sites if not _activated_by(s, as_of, dates_by_site) and _may_open(s)]
    starts = history.pending_site_starts(pending) if cycles is not None and pending else {}
    sites = []
    for site in all_sites:
        row = _site_input(site, as_of, dates_by_site.get(site.pk, []), starts.get(site.pk), cycles)
        if row is not None:
            sites.append(row)
    counted = sorted(d for site in sites for d in dates_by_site.get(site.site_id, []))
    recruiting = sum(1 for s in sites if s.activated_on and s.activated_on < as_of)
    prior = priors.choose_prior(
        study,
        as_of=as_of,
        institution_ids={site.institution_id for site in all_sites},
        recruiting_sites=recruiting,
        recruits=len(counted),
        rate_per_month=rate_per_month,
    )
    return ForecastInputs(
        as_of=as_of,
        target=study.planned_enrollment,
        planned_end=planned_end_of(study),
        sites=tuple(sites),
        enrolled_dates=tuple(counted),
        sims=sims,
        seed=seed,
        prior=prior,
        cycle_times=cycles,
    )


def _activated_by(site: StudySite, as_of: dt.date, dates_by_site: dict) -> bool:
    return bool((site.activated_on and site.activated_on <= as_of) or dates_by_site.get(site.pk))


def _may_open(site: StudySite) -> bool:
    return site.status not in NOT_RECRUITING


def _site_input(site, as_of, dates, start, cycles) -> SiteInput | None:
    activated_on = site.activated_on if site.activated_on and site.activated_on <= as_of else None
    if dates and (activated_on is None or min(dates) < activated_on):
        activated_on = min(dates)
    planned = None
    since, since_from = None, ""
    if activated_on is None:
        if site.status in NOT_RECRUITING:
            return None
        planned = site.planned_activation_on or site.activated_on
        if start is not None and _cycle_sample(cycles, start[0]) and site.status in IN_START_UP | CONSIDERED:
            since_from, since = start
        if planned is None and (since is None or site.status not in IN_START_UP):
            return None
    return SiteInput(
        site_id=site.pk,
        site=site.site_number,
        enrolled=len(dates),
        activated_on=activated_on,
        planned_activation_on=planned,
        closed_on=as_of if site.status in NOT_RECRUITING else None,
        startup_since=since,
        startup_from=since_from,
    )


def _cycle_sample(cycles: history.CycleTimes | None, since_from: str) -> tuple[int, ...]:
    """The cycle times a pending site's activation is drawn from; () when too few to forecast with."""
    if cycles is None:
        return ()
    sample = cycles.from_selected if since_from == "selected" else cycles.from_identified
    return sample if len(sample) >= forecasting.MIN_CYCLE_TIMES else ()


def weekly_actual(enrolled_dates: tuple[dt.date, ...], sites: tuple[SiteInput, ...], as_of: dt.date):
    """Cumulative enrollment at as_of and every 7 days before it, back to the first activation."""
    starts = [s.activated_on for s in sites if s.activated_on] + list(enrolled_dates[:1])
    if not starts:
        return []
    first = min(starts)
    points = []
    day = as_of
    while True:
        points.append({"on": day.isoformat(), "enrolled": bisect.bisect_right(enrolled_dates, day)})
        if day < first:
            break
        day -= dt.timedelta(days=7)
    return points[::-1]


def not_enough_data_reason(inputs: ForecastInputs) -> str:
    """Why no forecast can be made (neither the study's counts nor a prior support one), or ''."""
    if inputs.prior is not None and inputs.prior.source != rules.PRIOR_NONE:
        return ""
    if inputs.prior is not None:
        return inputs.prior.why
    recruiting = [s for s in inputs.sites if s.activated_on and s.activated_on < inputs.as_of]
    if not rules.study_has_enough_data(recruiting_sites=len(recruiting), recruits=inputs.enrolled):
        return _(
            "%(sites)s site(s) recruiting and %(enrolled)s enrolled: the forecast needs two "
            "recruiting sites with a recruit, or a prior."
        ) % {"sites": len(recruiting), "enrolled": inputs.enrolled}
    return ""


def roster_of(inputs: ForecastInputs) -> forecasting.SiteRoster:
    """The sites as the forecast engine sees them; a site whose activation is forecast starts on as-of
    (its drawn start-up time is added per simulation, activation_of)."""
    forecast_opening = {s.site_id for s in inputs.sites if s.startup_since is not None}
    return forecasting.SiteRoster.from_columns(
        [s.site for s in inputs.sites],
        [s.enrolled for s in inputs.sites],
        [s.activated_on for s in inputs.sites],
        [inputs.as_of if s.site_id in forecast_opening else s.planned_activation_on for s in inputs.sites],
        [s.closed_on for s in inputs.sites],
    )


def activation_of(inputs: ForecastInputs) -> forecasting.ActivationForecast | None:
    """Each pending site's activation forecast from the cycle times of its kind (selected or identified)."""
    if not any(s.startup_since for s in inputs.sites):
        return None
    remaining, size = [], 0
    for site in inputs.sites:
        sample = _cycle_sample(inputs.cycle_times, site.startup_from) if site.startup_since else ()
        one = forecasting.forecast_activation(
            [site.site], [site.startup_since if sample else None], sample, as_of=inputs.as_of
        )
        remaining.append(one.remaining[0])
        size = max(size, one.history_size)
    names = tuple(s.site for s in inputs.sites)
    return forecasting.ActivationForecast(names, np.datetime64(inputs.as_of, "D"), tuple(remaining), size)


def run_forecast(
    inputs: ForecastInputs,
    roster: forecasting.SiteRoster,
    *,
    target: int,
    planned_end: dt.date | None,
    level: float = BAND_LEVEL,
    rate_factor: float = 1.0,
) -> forecasting.EnrollmentForecast:
    """The engine's forecast for ``roster`` with the inputs' prior and activation forecast (ValueError
    when the roster and options cannot be forecast)."""
    return forecasting.forecast_enrollment(
        roster,
        as_of=inputs.as_of,
        target=target,
        rng=np.random.default_rng(inputs.seed),
        sims=inputs.sims,
        level=level,
        planned_end=planned_end,
        prior=None if inputs.prior is None else inputs.prior.prior,
        delay=activation_of(inputs),
        rate_factor=rate_factor,
    )


def compute_forecast(inputs: ForecastInputs) -> dict:
    """The snapshot's field values for ``inputs`` (pure apart from numpy; no database access)."""
    values = {
        "as_of": inputs.as_of,
        "target": inputs.target,
        "enrolled": inputs.enrolled,
        "planned_end": inputs.planned_end,
        "sims": inputs.sims,
        "seed": inputs.seed,
        "actual": weekly_actual(inputs.enrolled_dates, inputs.sites, inputs.as_of),
        "sites": [_site_row(s, inputs) for s in inputs.sites],
        "inputs_digest": inputs.digest(),
        "prior_source": "" if inputs.prior is None else inputs.prior.source,
        "prior_note": "" if inputs.prior is None else inputs.prior.why,
    }
    if inputs.enrolled >= inputs.target:
        return {**values, "state": ForecastState.TARGET_REACHED, "probability_by_planned_end": 1.0}
    reason = not_enough_data_reason(inputs)
    if reason:
        return {**values, "state": ForecastState.NOT_ENOUGH_DATA, "reason": reason}
    # A planned end already past: the target was not reached by it, so the probability is 0.
    end_ahead = inputs.planned_end if inputs.planned_end and inputs.planned_end > inputs.as_of else None
    try:
        result = run_forecast(inputs, roster_of(inputs), target=inputs.target, planned_end=end_ahead)
    except (forecasting.EstimationError, ValueError) as error:
        return {
            **values,
            "state": ForecastState.NOT_ENOUGH_DATA,
            "reason": _("The forecast failed: %(error)s.") % {"error": error},
        }
    predicted = result.site_predicted_by_planned_end
    probability = result.probability_by_planned_end
    if inputs.planned_end is not None and end_ahead is None:
        probability = 0.0
    return {
        **values,
        "state": ForecastState.FORECAST,
        "completion_p10": _date(result.completion_quantile(0.1)),
        "completion_p50": _date(result.completion_quantile(0.5)),
        "completion_p90": _date(result.completion_quantile(0.9)),
        "probability_by_planned_end": probability,
        "alpha": float(result.prior.alpha),
        "beta": float(result.prior.beta),
        "curve": curve_points(result),
        "sites": [
            {
                **row,
                "rate_per_day": round(float(result.site_rate_per_day[i]), 6),
                "predicted_by_planned_end": None if predicted is None else round(float(predicted[i]), 1),
            }
            for i, row in enumerate(values["sites"])
        ],
    }


def curve_points(result: forecasting.EnrollmentForecast) -> list[dict]:
    return [
        {"on": str(day), "mean": round(float(mean), 2), "lower": int(low), "upper": int(high)}
        for day, mean, low, high in zip(
            result.curve_on, result.curve_mean, result.curve_lower, result.curve_upper, strict=True
        )
    ]


def _site_row(site: SiteInput, inputs: ForecastInputs) -> dict:
    """A site's row before the forecast: its counts and, when pending, its activation dates."""
    row = {"site_id": site.site_id, "site": site.site, "enrolled": site.enrolled, "rate_per_day": None}
    if site.activated_on is None:
        row["planned_activation_on"] = site.planned_activation_on and site.planned_activation_on.isoformat()
        row["activation_forecast"] = activation_quantiles(site, inputs)
    return row


def activation_quantiles(site: SiteInput, inputs: ForecastInputs) -> dict | None:
    """A pending site's forecast activation dates {p10, p50, p90, from, history}, None without one."""
    sample = _cycle_sample(inputs.cycle_times, site.startup_from) if site.startup_since else ()
    if not sample:
        return None
    one = forecasting.forecast_activation([site.site], [site.startup_since], sample, as_of=inputs.as_of)
    p10, p50, p90 = (str(day) for day in one.quantiles(0))
    return {"p10": p10, "p50": p50, "p90": p90, "from": site.startup_from, "history": len(sample)}


def refresh_enrollment_forecast(
    *,
    study: Study,
    as_of: dt.date | None = None,
    by: User | None = None,
    sims: int = DEFAULT_SIMS,
    seed: int = DEFAULT_SEED,
) -> EnrollmentForecast:
    """Compute the study's forecast now and store it as the latest snapshot.

    ``by`` is the person who asked (only the study's CRM or an administrator may); None for the system
    (the nightly command, or a first view computing a missing snapshot).
    """
    if by is not None:
        require(can_manage_study(by, study.pk), "Only the study's CRM or an administrator recomputes it.")
    as_of = as_of or timezone.now().date()
    # Stored in English whoever computes it (the tab says the sentences again in its reader's language).
    with translation.override("en"):
        inputs = forecast_inputs(study, as_of=as_of, sims=sims, seed=seed)
        return _store(study, inputs, by)


def current_enrollment_forecast(*, study: Study, as_of: dt.date | None = None) -> EnrollmentForecast:
    """The latest stored snapshot if its inputs are unchanged; otherwise one computed now and NOT stored
    (its `pk` is None). A read never writes: snapshots are stored only by `refresh_enrollment_forecast`,
    which the nightly `trialdesk forecast refresh` and the tab's Recompute button (a POST) call."""
    as_of = as_of or timezone.now().date()
    inputs = forecast_inputs(study, as_of=as_of)
    latest = latest_forecasts([study.pk]).get(study.pk)
    if latest is not None and latest.inputs_digest == inputs.digest():
        return _in_readers_language(latest, inputs)
    return _computed(study, inputs, None)


def _in_readers_language(snapshot: EnrollmentForecast, inputs: ForecastInputs) -> EnrollmentForecast:
    """A stored snapshot's sentences are in the language of whoever computed it; its inputs are unchanged,
    so the prior's note and the not-enough-data reason are said again in the reader's (not saved)."""
    snapshot.prior_note = "" if inputs.prior is None else inputs.prior.why
    reason = not_enough_data_reason(inputs)
    if snapshot.state == ForecastState.NOT_ENOUGH_DATA and reason:
        snapshot.reason = reason
    return snapshot


def _computed(study: Study, inputs: ForecastInputs, by: User | None) -> EnrollmentForecast:
    return EnrollmentForecast(
        study=study, computed_at=timezone.now(), computed_by=by, **compute_forecast(inputs)
    )


def _store(study: Study, inputs: ForecastInputs, by: User | None) -> EnrollmentForecast:
    snapshot = _computed(study, inputs, by)
    snapshot.save()
    kept = EnrollmentForecast.objects.filter(study=study).order_by("-computed_at", "-id")[:KEPT_SNAPSHOTS]
    EnrollmentForecast.objects.filter(study=study).exclude(pk__in=kept.values("pk")).delete()
    return snapshot


def on_time_annotation() -> dict:
    """`forecast_on_time`: each study's latest stored probability of reaching its target by the planned
    last participant in, for sorting the portfolio (a subquery: one value per study, no join)."""
    latest = (
        EnrollmentForecast.objects.filter(study_id=OuterRef("pk"))
        .order_by("-computed_at", "-id")
        .values("probability_by_planned_end")[:1]
    )
    return {"forecast_on_time": Subquery(latest)}


def latest_forecasts(study_ids) -> dict[int, EnrollmentForecast]:
    """The latest stored forecast of each of ``study_ids`` that has one, in one query."""
    latest = (
        EnrollmentForecast.objects.filter(study_id=OuterRef("study_id"))
        .order_by("-computed_at", "-id")
        .values("pk")[:1]
    )
    found = EnrollmentForecast.objects.filter(study_id__in=list(study_ids), pk=Subquery(latest))
    return {forecast.study_id: forecast for forecast in found}


def _date(day: np.datetime64) -> dt.date | None:
    return None if np.isnat(day) else day.astype("datetime64[D]").item()
