"""What-if enrollment forecasts of a study, asked for on the Forecast tab or through the API, with the
same options as `trialdesk forecast enrollment`: a target, an as-of date, a planned end, sites added or
closed, a prior (or a typed rate), a change of every site's rate. Nothing is stored; the answer is the
forecast beside the one without the what-ifs, per-site rows limited to the sites the asker may see."""

import datetime as dt
from dataclasses import dataclass, replace

import numpy as np
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from trialdesk.analytics import forecasting
from trialdesk.core.models import User
from trialdesk.core.permissions import require
from trialdesk.sites.models import StudySite
from trialdesk.statistics import forecasts, priors, rules
from trialdesk.statistics.permissions import can_run_forecast
from trialdesk.studies.models import Study

#: Sites × simulations one what-if may ask for (the command's memory guard, smaller: a web request).
MAX_SITE_SIMULATIONS = 5_000_000
DEFAULT_LEVEL = 0.9


@dataclass(frozen=True)
class AddedSites:
    count: int
    activation_on: dt.date


@dataclass(frozen=True)
class SiteRow:
    """A site of a roster given with the request instead of the study's own (the command's --sites)."""

    site: str
    enrolled: int
    activated_on: dt.date | None = None
    planned_activation_on: dt.date | None = None
    closed_on: dt.date | None = None


@dataclass(frozen=True)
class WhatIf:
    """The options of a what-if forecast; None means "as the study has it" (target, planned end) or
    "today, UTC" (as-of)."""

    target: int | None = None
    as_of: dt.date | None = None
    planned_end: dt.date | None = None
    level: float = DEFAULT_LEVEL
    sims: int = forecasts.DEFAULT_SIMS
    seed: int = forecasts.DEFAULT_SEED
    add_sites: tuple[AddedSites, ...] = ()
    close_site: tuple[str, ...] = ()
    prior: tuple[float, float] | None = None
    rate_per_month: float | None = None
    rate_factor: float = 1.0
    activation: str = forecasts.ACTIVATION_FORECAST
    sites: tuple[SiteRow, ...] | None = None

    @property
    def changes_anything(self) -> bool:
        return bool(self.add_sites or self.close_site or self.rate_factor != 1.0)


def forecast_what_if(*, study: Study, what_if: WhatIf, by: User) -> dict:
    """The forecast of ``study`` under ``what_if`` as a JSON-ready document (see api.ForecastOut).

    It stores nothing, so every role that reads the study's enrollment may run one (read-only ones
    included); the per-site rows are the sites ``by`` may see, the others only counted. Refused
    (PermissionDenied) to anyone without a role on the study; bad options are a ValidationError naming
    the option.
    """
    require(can_run_forecast(by, study.pk), "Only those with a role on the study may forecast it.")
    as_of = what_if.as_of or timezone.now().date()
    _check_options(what_if, as_of)
    inputs = forecasts.forecast_inputs(
        study,
        as_of=as_of,
        sims=what_if.sims,
        seed=what_if.seed,
        rate_per_month=what_if.rate_per_month,
        activation=what_if.activation,
    )
    if what_if.prior is not None:
        alpha, beta = what_if.prior
        mean = alpha / beta * priors.DAYS_PER_MONTH
        why = _("The given Gamma(alpha=%(alpha)s, beta=%(beta)s): a mean of %(mean)s per site per month.") % {
            "alpha": f"{alpha:g}",
            "beta": f"{beta:g}",
            "mean": f"{mean:.2f}",
        }
        choice = priors.PriorChoice(rules.PRIOR_TYPED, why, forecasting.RatePrior(alpha, beta))
        inputs = replace(inputs, prior=choice)
    if what_if.sites is not None:
        inputs = _with_given_sites(inputs, what_if.sites)
    sites = max(len(inputs.sites) + sum(a.count for a in what_if.add_sites), 1)
    if what_if.sims * sites > MAX_SITE_SIMULATIONS:
        most = MAX_SITE_SIMULATIONS // sites
        raise ValidationError(
            {
                "sims": _("%(sims)s simulations of %(sites)s sites are too many; at most %(most)s.")
                % {"sims": what_if.sims, "sites": sites, "most": most}
            }
        )
    if what_if.sites is not None:
        visible = {row.site for row in what_if.sites}
    else:
        visible = set(
            StudySite.objects.visible_to(by).filter(study=study).values_list("site_number", flat=True)
        )
    return _document(study, inputs, what_if, visible)


#: Dates a what-if may name: a forecast runs years ahead, and its weekly curve must stay within dates.
EARLIEST, LATEST = dt.date(1970, 1, 1), dt.date(2200, 12, 31)


def _dates_out_of_range(what_if: WhatIf, as_of: dt.date) -> dict[str, str]:
    named = {"as_of": as_of, "planned_end": what_if.planned_end}
    named.update({f"add_sites.{i}.activation_on": a.activation_on for i, a in enumerate(what_if.add_sites)})
    for i, row in enumerate(what_if.sites or ()):
        for field in ("activated_on", "planned_activation_on", "closed_on"):
            named[f"sites.{i}.{field}"] = getattr(row, field)
    return {
        field: _("%(day)s is outside the dates a forecast can take (%(earliest)s to %(latest)s).")
        % {"day": day, "earliest": EARLIEST, "latest": LATEST}
        for field, day in named.items()
        if day is not None and not EARLIEST <= day <= LATEST
    }


def _check_options(what_if: WhatIf, as_of: dt.date) -> None:
    problems = _dates_out_of_range(what_if, as_of)
    if problems:
        raise ValidationError(problems)
    if what_if.planned_end is not None and what_if.planned_end <= as_of:
        problems["planned_end"] = _("%(day)s must be after the as-of date %(as_of)s.") % {
            "day": what_if.planned_end,
            "as_of": as_of,
        }
    if what_if.prior is not None and what_if.rate_per_month is not None:
        problems["rate_per_month"] = _("Give either a prior (alpha, beta) or a rate per month, not both.")
    for index, added in enumerate(what_if.add_sites):
        if added.activation_on < as_of:
            problems[f"add_sites.{index}.activation_on"] = _(
                "%(day)s is before the as-of date %(as_of)s."
            ) % {"day": added.activation_on, "as_of": as_of}
    if problems:
        raise ValidationError(problems)


def _with_given_sites(
    inputs: forecasts.ForecastInputs, rows: tuple[SiteRow, ...]
) -> forecasts.ForecastInputs:
    problems = {}
    for index, row in enumerate(rows):
        if row.activated_on is None and row.planned_activation_on is None:
            problems[f"sites.{index}.planned_activation_on"] = _("Needed when activated_on is empty.")
        elif row.activated_on is not None and row.activated_on > inputs.as_of:
            problems[f"sites.{index}.activated_on"] = _("%(day)s is after the as-of date %(as_of)s.") % {
                "day": row.activated_on,
                "as_of": inputs.as_of,
            }
        if row.activated_on is None and row.enrolled:
            problems[f"sites.{index}.enrolled"] = _("A site not yet active has enrolled nobody.")
    names = [row.site for row in rows]
    for index, name in enumerate(names):
        if names.index(name) != index:
            problems[f"sites.{index}.site"] = _("%(site)s appears twice.") % {"site": repr(name)}
    if problems:
        raise ValidationError(problems)
    sites = tuple(
        forecasts.SiteInput(
            site_id=0,
            site=row.site,
            enrolled=row.enrolled,
            activated_on=row.activated_on,
            planned_activation_on=None if row.activated_on else row.planned_activation_on,
            closed_on=row.closed_on,
        )
        for row in rows
    )
    recruits = sum(row.enrolled for row in rows)
    recruiting = sum(1 for s in sites if s.activated_on and s.activated_on < inputs.as_of)
    prior = inputs.prior
    if prior is None or prior.source != rules.PRIOR_TYPED:
        if rules.study_has_enough_data(recruiting_sites=recruiting, recruits=recruits):
            prior = priors.PriorChoice(
                rules.PRIOR_STUDY,
                _("Estimated from the %(sites)s recruiting sites given.") % {"sites": recruiting},
            )
        elif prior is not None and prior.source == rules.PRIOR_STUDY:
            prior = priors.PriorChoice(
                rules.PRIOR_NONE, _("The sites given are too few to estimate rates from.")
            )
    return replace(
        inputs, sites=sites, enrolled_dates=(inputs.as_of,) * recruits, prior=prior, cycle_times=None
    )


def _scenario(roster, what_if: WhatIf, as_of: dt.date, visible: set[str]) -> forecasting.SiteRoster:
    problems = {}
    scenario = roster
    for added in what_if.add_sites:
        scenario = scenario.with_added_sites(added.count, added.activation_on)
    for index, name in enumerate(what_if.close_site):
        if name not in roster.names or name not in visible:
            problems[f"close_site.{index}"] = _(
                "No site %(site)s of this study that you can see is in the forecast."
            ) % {"site": repr(name)}
        else:
            scenario = scenario.with_closed_sites([name], on=as_of)
    if problems:
        raise ValidationError(problems)
    return scenario


def _document(study: Study, inputs: forecasts.ForecastInputs, what_if: WhatIf, visible: set[str]) -> dict:
    target = what_if.target if what_if.target is not None else inputs.target
    planned_end = what_if.planned_end or inputs.planned_end
    end_ahead = planned_end if planned_end and planned_end > inputs.as_of else None
    if what_if.target is not None and target <= inputs.enrolled:
        raise ValidationError(
            {
                "target": _("%(target)s is already reached: %(enrolled)s enrolled.")
                % {"target": target, "enrolled": inputs.enrolled}
            }
        )
    roster = forecasts.roster_of(inputs) if inputs.sites else None
    document = _head(study, inputs, what_if, target, planned_end)
    if inputs.enrolled >= target:
        return {**document, "state": rules.TARGET_REACHED, "reason": _("The target is reached.")}
    reason = forecasts.not_enough_data_reason(inputs) or (
        "" if roster else _("The study has no site to forecast.")
    )
    if reason and not what_if.add_sites:
        return {**document, "state": rules.NOT_ENOUGH_DATA, "reason": reason}
    roster = roster or _empty_roster()
    scenario = _scenario(roster, what_if, inputs.as_of, visible)
    options = dict(target=target, planned_end=end_ahead, level=what_if.level)
    try:
        result = forecasts.run_forecast(inputs, scenario, rate_factor=what_if.rate_factor, **options)
        baseline = (
            forecasts.run_forecast(inputs, roster, **options)
            if what_if.changes_anything and roster.names
            else None
        )
    except forecasting.EstimationError as error:
        return {**document, "state": rules.NOT_ENOUGH_DATA, "reason": f"{error}."}
    except ValueError as error:
        raise ValidationError({"sites" if what_if.sites is not None else "__all__": str(error)}) from error
    return {
        **document,
        **_result_fields(result, planned_end, end_ahead),
        "sites": _site_rows(inputs, result, roster, visible, set(what_if.close_site)),
        "hidden_sites": sum(1 for name in roster.names if name not in visible),
        "baseline": None if baseline is None else _summary(baseline, planned_end, end_ahead),
    }


def _empty_roster() -> forecasting.SiteRoster:
    return forecasting.SiteRoster.from_columns([], [], [], [], [])


def _head(study, inputs, what_if: WhatIf, target: int, planned_end) -> dict:
    choice = inputs.prior
    prior = None if choice is None else choice.prior
    return {
        "study_id": study.pk,
        "as_of": inputs.as_of.isoformat(),
        "target": target,
        "enrolled": inputs.enrolled,
        "planned_end": planned_end and planned_end.isoformat(),
        "level": what_if.level,
        "sims": inputs.sims,
        "seed": inputs.seed,
        "state": rules.FORECAST,
        "reason": "",
        "prior": {
            "source": rules.PRIOR_NONE if choice is None else choice.source,
            "label": priors.SOURCE_LABELS[rules.PRIOR_NONE if choice is None else choice.source],
            "why": "" if choice is None else choice.why,
            "alpha": None if prior is None else prior.alpha,
            "beta": None if prior is None else prior.beta,
            "mean_rate_per_month": None
            if prior is None
            else round(prior.mean_rate * priors.DAYS_PER_MONTH, 4),
            "sites": 0 if choice is None else choice.sites,
            "studies": 0 if choice is None else choice.studies,
        },
        "what_if": {
            "add_sites": [
                {"count": a.count, "activation_on": a.activation_on.isoformat()} for a in what_if.add_sites
            ],
            "close_site": list(what_if.close_site),
            "rate_factor": what_if.rate_factor,
            "activation": what_if.activation,
        },
        "quantiles": {},
        "completion_p10": None,
        "completion_p50": None,
        "completion_p90": None,
        "probability_by_planned_end": None,
        "alpha": None,
        "beta": None,
        "curve": [],
        "sites": [],
        "hidden_sites": 0,
        "baseline": None,
    }


def _summary(result: forecasting.EnrollmentForecast, planned_end, end_ahead) -> dict:
    probability = result.probability_by_planned_end
    if planned_end is not None and end_ahead is None:
        probability = 0.0
    return {
        "quantiles": {
            f"{p:g}": _iso(day) for p, day in zip(result.quantile_levels, result.completion_on, strict=True)
        },
        "completion_p10": _iso(result.completion_quantile(0.1)),
        "completion_p50": _iso(result.completion_quantile(0.5)),
        "completion_p90": _iso(result.completion_quantile(0.9)),
        "probability_by_planned_end": probability,
    }


def _result_fields(result: forecasting.EnrollmentForecast, planned_end, end_ahead) -> dict:
    return {
        **_summary(result, planned_end, end_ahead),
        "alpha": float(result.prior.alpha),
        "beta": float(result.prior.beta),
        "curve": [
            {"week": point["on"], "mean": point["mean"], "lower": point["lower"], "upper": point["upper"]}
            for point in forecasts.curve_points(result)
        ],
    }


def _site_rows(
    inputs, result: forecasting.EnrollmentForecast, roster, visible: set[str], closing: set[str]
) -> list[dict]:
    by_name = {s.site: s for s in inputs.sites}
    predicted = result.site_predicted_by_planned_end
    rows = []
    for i, name in enumerate(result.site_names):
        site = by_name.get(name)
        added = name not in roster.names
        if not added and name not in visible:
            continue
        rate = float(result.site_rate_per_day[i])
        rows.append(
            {
                "site": name,
                "study_site_id": site.site_id if site and site.site_id else None,
                "added": added,
                "closed": name in closing or (site is not None and site.closed_on is not None),
                "enrolled": site.enrolled if site else 0,
                "activated_on": site and site.activated_on and site.activated_on.isoformat(),
                "planned_activation_on": site
                and site.planned_activation_on
                and site.planned_activation_on.isoformat(),
                "activation_forecast": site and forecasts.activation_quantiles(site, inputs),
                "rate_per_day": round(rate, 6),
                "rate_per_month": round(rate * priors.DAYS_PER_MONTH, 3),
                "predicted_by_planned_end": None if predicted is None else round(float(predicted[i]), 1),
            }
        )
    return rows


def _iso(day: np.datetime64) -> str | None:
    return None if np.isnat(day) else str(day)
