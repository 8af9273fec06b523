"""Enrollment forecasts of studies: built from their sites and participants, stored, and read back."""

import bisect
import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass

import numpy as np
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from trialdesk.analytics import forecasting
from trialdesk.core.models import User
from trialdesk.core.permissions import can_manage_study, require
from trialdesk.sites.models import SiteStatus, StudySite
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


@dataclass(frozen=True)
class SiteInput:
    """One site as the forecast sees it on the as-of date."""

    site_id: int
    site: str
    enrolled: int
    activated_on: dt.date | None
    planned_activation_on: dt.date | None
    closed_on: dt.date | None


@dataclass(frozen=True)
class ForecastInputs:
    """What a study's forecast is computed from; built in two queries."""

    as_of: dt.date
    target: int
    planned_end: dt.date | None
    sites: tuple[SiteInput, ...]
    enrolled_dates: tuple[dt.date, ...]
    sims: int
    seed: int

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
    study: Study, *, as_of: dt.date, sims: int = DEFAULT_SIMS, seed: int = DEFAULT_SEED
) -> ForecastInputs:
    """The study's site table as of ``as_of``: counts of participants enrolled by then, activation dates.

    A participant counts once enrolled (``enrolled_on`` on or before ``as_of``, no longer screening).
    A site recruited from its activation date (from its first enrollment if that came earlier); a site
    not yet active opens on its planned activation date; a closed or terminated site stops on ``as_of``.
    Sites with neither date, and closed sites that never opened, are left out.
    """
    dates_by_site: dict[int, list[dt.date]] = {}
    for site_id, enrolled_on in (
        Participant.objects.filter(study=study, enrolled_on__isnull=False, enrolled_on__lte=as_of)
        .exclude(status=ParticipantStatus.SCREENING)
        .values_list("study_site_id", "enrolled_on")
    ):
        dates_by_site.setdefault(site_id, []).append(enrolled_on)
    sites = []
    for site in StudySite.objects.filter(study=study).order_by("site_number", "id"):
        dates = dates_by_site.get(site.pk, [])
        activated_on = site.activated_on if site.activated_on and site.activated_on <= as_of else None
        if dates and (activated_on is None or min(dates) < activated_on):
            activated_on = min(dates)
        planned = None
        if activated_on is None:
            planned = site.planned_activation_on or site.activated_on
            if planned is None or site.status in NOT_RECRUITING:
                continue
        sites.append(
            SiteInput(
                site_id=site.pk,
                site=site.site_number,
                enrolled=len(dates),
                activated_on=activated_on,
                planned_activation_on=planned,
                closed_on=as_of if site.status in NOT_RECRUITING else None,
            )
        )
    counted = sorted(d for site in sites for d in dates_by_site.get(site.site_id, []))
    return ForecastInputs(
        as_of=as_of,
        target=study.planned_enrollment,
        planned_end=planned_end_of(study),
        sites=tuple(sites),
        enrolled_dates=tuple(counted),
        sims=sims,
        seed=seed,
    )


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
    """Why the counts cannot support a fit of the rate distribution, or '' when they can."""
    recruiting = [s for s in inputs.sites if s.activated_on and s.activated_on < inputs.as_of]
    if len(recruiting) < 2:
        return (
            f"{len(recruiting)} site{'s have' if len(recruiting) != 1 else ' has'} been recruiting so far; "
            "the forecast needs at least two active sites to tell how recruitment rates vary between sites."
        )
    if inputs.enrolled == 0:
        return "No participant has been enrolled yet; the forecast needs some recruits to estimate rates."
    return ""


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
        "sites": [
            {"site_id": s.site_id, "site": s.site, "enrolled": s.enrolled, "rate_per_day": None}
            for s in inputs.sites
        ],
        "inputs_digest": inputs.digest(),
    }
    if inputs.enrolled >= inputs.target:
        return {**values, "state": ForecastState.TARGET_REACHED, "probability_by_planned_end": 1.0}
    reason = not_enough_data_reason(inputs)
    if reason:
        return {**values, "state": ForecastState.NOT_ENOUGH_DATA, "reason": reason}
    roster = forecasting.SiteRoster.from_columns(
        [s.site for s in inputs.sites],
        [s.enrolled for s in inputs.sites],
        [s.activated_on for s in inputs.sites],
        [s.planned_activation_on for s in inputs.sites],
        [s.closed_on for s in inputs.sites],
    )
    # A planned end already past: the target was not reached by it, so the probability is 0.
    end_ahead = inputs.planned_end if inputs.planned_end and inputs.planned_end > inputs.as_of else None
    try:
        result = forecasting.forecast_enrollment(
            roster,
            as_of=inputs.as_of,
            target=inputs.target,
            rng=np.random.default_rng(inputs.seed),
            sims=inputs.sims,
            level=BAND_LEVEL,
            planned_end=end_ahead,
        )
    except (forecasting.EstimationError, ValueError) as error:
        return {**values, "state": ForecastState.NOT_ENOUGH_DATA, "reason": f"The forecast failed: {error}."}
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
        "curve": [
            {"on": str(day), "mean": round(float(mean), 2), "lower": int(low), "upper": int(high)}
            for day, mean, low, high in zip(
                result.curve_on, result.curve_mean, result.curve_lower, result.curve_upper, strict=True
            )
        ],
        "sites": [
            {
                **row,
                "rate_per_day": round(float(result.site_rate_per_day[i]), 6),
                "predicted_by_planned_end": None if predicted is None else round(float(predicted[i]), 1),
            }
            for i, row in enumerate(values["sites"])
        ],
    }


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
        return latest
    return _computed(study, inputs, None)


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
