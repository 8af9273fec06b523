"""Input and output schemas of the statistics API: what-if forecasts and the recruitment plan."""

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from trialdesk.core.apiutils import LARGEST_INTEGER, InSchema, PlainTextSchema
from trialdesk.statistics import forecasts, scenarios

Positive = Field(gt=0, allow_inf_nan=False)


class ForecastAddSitesIn(InSchema):
    """The command's --add-sites K@DATE: `count` more sites activating on `activation_on`."""

    count: int = Field(ge=1, le=500, description="How many sites to add (K).")
    activation_on: dt.date = Field(description="The day they activate (DATE), not before as_of.")


class ForecastPriorIn(InSchema):
    """The command's --prior ALPHA,BETA: a Gamma(alpha, beta) distribution of site rates per day."""

    alpha: float = Field(gt=0, le=1e6, allow_inf_nan=False)
    beta: float = Field(gt=0, le=1e9, allow_inf_nan=False)


class ForecastSiteRowIn(InSchema):
    """One row of the command's --sites CSV: a roster given instead of the study's own sites."""

    site: str = Field(min_length=1, max_length=40)
    enrolled: int = Field(ge=0, le=1_000_000)
    activated_on: dt.date | None = Field(None, description="Empty if not yet active.")
    planned_activation_on: dt.date | None = Field(None, description="Needed when activated_on is empty.")
    closed_on: dt.date | None = None


class ForecastIn(InSchema):
    """The options of `trialdesk forecast enrollment`, as JSON fields of the same names in snake_case.

    Every field may be left out: the study's own sites, target and planned last participant in, as of
    today (UTC). `rate_per_month` (a typed rate instead of a prior), `rate_factor` (every site's rate
    changed) and `activation` (pending sites' activation from cycle times or planned dates) are the
    what-ifs the app adds to the command's.
    """

    target: int | None = Field(None, ge=1, le=LARGEST_INTEGER, description="Participants the study needs.")
    as_of: dt.date | None = Field(None, description="The date the counts are taken; today (UTC) if left out.")
    planned_end: dt.date | None = Field(None, description="Planned last-participant-in date.")
    level: float = Field(scenarios.DEFAULT_LEVEL, gt=0, lt=1, description="Central interval reported.")
    sims: int = Field(forecasts.DEFAULT_SIMS, ge=100, le=50_000, description="Monte Carlo simulations.")
    seed: int = Field(
        forecasts.DEFAULT_SEED, ge=0, le=2**32 - 1, description="The same seed, the same dates."
    )
    add_sites: list[ForecastAddSitesIn] = Field(
        [], max_length=20, description="What-if: sites activating on dates."
    )
    close_site: list[str] = Field([], max_length=500, description="What-if: site numbers that stop now.")
    prior: ForecastPriorIn | None = Field(None, description="Gamma(alpha, beta) instead of estimating it.")
    rate_per_month: float | None = Field(
        None, gt=0, le=10_000, allow_inf_nan=False, description="A typed mean rate per site per month."
    )
    rate_factor: float = Field(
        1.0, gt=0, le=100, allow_inf_nan=False, description="What-if: every site's rate times this."
    )
    activation: Literal["forecast", "planned"] = Field(
        "forecast", description="Pending sites open on dates forecast from cycle times, or as planned."
    )
    sites: list[ForecastSiteRowIn] | None = Field(
        None, max_length=2000, description="A roster instead of the study's."
    )


class ForecastPriorOut(Schema):
    source: str = Field(
        description="typed, study, same_institutions, same_therapeutic_area, all_studies or none."
    )
    label: str
    why: str
    alpha: float | None
    beta: float | None
    mean_rate_per_month: float | None
    sites: int = Field(description="Sites of earlier studies the prior was fitted to (0: not from history).")
    studies: int


class ForecastCurvePointOut(Schema):
    week: str
    mean: float
    lower: int
    upper: int


class SiteActivationForecastOut(Schema):
    p10: str
    p50: str
    p90: str
    from_: str = Field(alias="from", description="Cycle times counted from: selected or identified.")
    history: int = Field(description="How many sites' cycle times the forecast is drawn from.")


class ForecastSiteOut(Schema):
    site: str
    study_site_id: int | None
    added: bool
    closed: bool
    enrolled: int
    activated_on: str | None
    planned_activation_on: str | None
    activation_forecast: SiteActivationForecastOut | None
    rate_per_day: float
    rate_per_month: float
    predicted_by_planned_end: float | None


class ForecastSummaryOut(Schema):
    quantiles: dict[str, str | None]
    completion_p10: str | None
    completion_p50: str | None
    completion_p90: str | None
    probability_by_planned_end: float | None


class ForecastWhatIfOut(Schema):
    add_sites: list[dict]
    close_site: list[str]
    rate_factor: float
    activation: str


class ForecastOut(ForecastSummaryOut):
    study_id: int
    as_of: str
    target: int
    enrolled: int
    planned_end: str | None
    level: float
    sims: int
    seed: int
    state: str = Field(description="forecast, not_enough_data or target_reached.")
    reason: str
    prior: ForecastPriorOut
    what_if: ForecastWhatIfOut
    alpha: float | None
    beta: float | None
    curve: list[ForecastCurvePointOut]
    sites: list[ForecastSiteOut] = Field(description="The sites you may see, and the ones a what-if added.")
    hidden_sites: int = Field(description="Sites in the forecast that you may not see.")
    baseline: ForecastSummaryOut | None = Field(description="The same forecast without the what-ifs.")


# The recruitment plan -------------------------------------------------------------------------------


class RecruitmentPlanLineIn(InSchema):
    month: str = Field(min_length=7, max_length=7, description="YYYY-MM.")
    country: str = Field("", max_length=2, description="ISO 3166-1 alpha-2; the site's when left out.")
    site: str = Field("", max_length=20, description="A site number of the study; empty for a country line.")
    planned_activations: int = Field(0, ge=0, le=100_000)
    planned_enrollment: int = Field(ge=0, le=100_000)


class RecruitmentPlanIn(InSchema):
    reason: str = Field(pattern=r"\S", max_length=2000, description="Required. Why this version is made.")
    lines: list[RecruitmentPlanLineIn] = Field(max_length=10_000)


class RecruitmentPlanLineOut(Schema):
    month: str
    country: str
    site: str
    planned_activations: int
    planned_enrollment: int


class RecruitmentPlanVersionOut(Schema):
    plan_version: int
    reason: str
    created_at: dt.datetime


class RecruitmentPlanOut(Schema):
    study_id: int
    plan_version: int | None = Field(description="null while the study has no plan.")
    reason: str
    created_at: dt.datetime | None
    lines: list[RecruitmentPlanLineOut] = Field(
        description="The lines you may read (your sites' if you see only some)."
    )
    versions: list[RecruitmentPlanVersionOut]


class RecruitmentPlanQuery(PlainTextSchema):
    plan_version: int | None = Field(None, ge=1, le=LARGEST_INTEGER, description="An earlier version.")


class RecruitmentVarianceMonthOut(Schema):
    month: str
    planned: int
    actual: int
    variance: int
    cumulative_planned: int
    cumulative_actual: int
    cumulative_variance: int


class RecruitmentVarianceGroupOut(Schema):
    level: str = Field(description="study, country or site.")
    key: str
    planned_enrollment: int
    actual_enrollment: int
    planned_activations: int
    actual_activations: int
    months: list[RecruitmentVarianceMonthOut]


class RecruitmentVarianceOut(Schema):
    study_id: int
    plan_version: int | None
    as_of: dt.date
    months: list[str]
    groups: list[RecruitmentVarianceGroupOut]
