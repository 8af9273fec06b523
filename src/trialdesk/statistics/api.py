"""API operations of statistics: a study's key risk indicators per site, what-if enrollment forecasts, and
the recruitment plan with its variance."""

from dataclasses import asdict
from typing import Literal

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from trialdesk.core.apiutils import (
    READ_ERRORS,
    WRITE_ERRORS,
    WRITES_NOTHING,
    PageQuery,
    actor,
    page_schema,
    paginate,
    with_errors,
)
from trialdesk.statistics import kris, plans, scenarios, schemas
from trialdesk.studies import selectors as study_selectors

router = Router(tags=["statistics"])

KriKey = Literal[kris.kri_keys()]  # type: ignore[valid-type]


class KriQuery(PageQuery):
    kri: KriKey | None = Field(None, description="Only this indicator; all of them when left out.")


class SiteKriOut(Schema):
    """One site's value of one KRI in gsm's output layout (GroupID is the site number)."""

    kri: str = Field(description="The indicator's key.")
    kri_name: str
    gsm_id: str | None = Field(description="The gsm KRI this one corresponds to, if any.")
    metric_type: str = Field(description="rate or binary.")
    study_site_id: int
    site_number: str
    numerator: float
    denominator: float
    metric: float | None = Field(description="Numerator / denominator; null with no denominator.")
    score: float | None = Field(description="Adjusted z-score; null below the minimum denominator.")
    flag: int | None = Field(description="-2 … 2 by the thresholds; null when not scored.")
    overall_metric: float | None = Field(description="The study-wide metric, all sites together.")
    thresholds: list[float]
    min_denominator: float


def _items(results: list[kris.KriResult]) -> list[dict]:
    return [
        {
            "kri": result.definition.key,
            "kri_name": result.definition.name,
            "gsm_id": result.definition.gsm_id,
            "metric_type": result.definition.metric_type,
            "study_site_id": row.site.pk,
            "site_number": row.site.site_number,
            "numerator": row.numerator,
            "denominator": row.denominator,
            "metric": row.metric,
            "score": row.score,
            "flag": row.flag,
            "overall_metric": result.overall_metric,
            "thresholds": list(result.definition.thresholds),
            "min_denominator": result.definition.min_denominator,
        }
        for result in results
        for row in result.rows
    ]


@router.get("/studies/{study_id}/kris", response=with_errors({200: page_schema(SiteKriOut)}, READ_ERRORS))
def list_study_kris(request, study_id: int, query: Query[KriQuery]):
    """Key risk indicators per site you may see, most severe flags first within each indicator.

    Scores and flags compare each site with all of the study's sites (gsm's normal approximation with
    over-dispersion), so they are the same for everyone; site staff get their own sites' rows only.
    """
    user = actor(request)
    study = get_object_or_404(study_selectors.studies_for(user), pk=study_id)
    keys = (query.kri,) if query.kri else kris.kri_keys()
    items = _items(kris.study_kris(user, study, keys))
    return {
        "count": len(items),
        "limit": query.limit,
        "offset": query.offset,
        "items": items[query.offset : query.offset + query.limit],
    }


# What-if forecasts and the recruitment plan ---------------------------------------------------------


def _what_if(payload: schemas.ForecastIn) -> scenarios.WhatIf:
    return scenarios.WhatIf(
        target=payload.target,
        as_of=payload.as_of,
        planned_end=payload.planned_end,
        level=payload.level,
        sims=payload.sims,
        seed=payload.seed,
        add_sites=tuple(scenarios.AddedSites(a.count, a.activation_on) for a in payload.add_sites),
        close_site=tuple(payload.close_site),
        prior=None if payload.prior is None else (payload.prior.alpha, payload.prior.beta),
        rate_per_month=payload.rate_per_month,
        rate_factor=payload.rate_factor,
        activation=payload.activation,
        sites=None
        if payload.sites is None
        else tuple(scenarios.SiteRow(**row.model_dump()) for row in payload.sites),
    )


@router.post(
    "/studies/{study_id}/forecast",
    response=with_errors({200: schemas.ForecastOut}, WRITE_ERRORS),
    by_alias=True,
    openapi_extra=WRITES_NOTHING,
)
def forecast_study(request, study_id: int, payload: schemas.ForecastIn):
    """Forecast the study's enrollment with what-ifs (the options of `trialdesk forecast enrollment`).

    Nothing is stored. The dates and curve are study-wide; `sites` lists the sites you may see (and the
    ones you added), `hidden_sites` counts the others; `prior` says which rate prior was used and why.
    Every role on the study may run one, read-only roles included: it writes nothing and reveals no
    participant-level data.
    """
    user = actor(request)
    study = get_object_or_404(study_selectors.studies_for(user), pk=study_id)
    return scenarios.forecast_what_if(study=study, what_if=_what_if(payload), by=user)


def _plan_document(user, study, plan) -> dict:
    versions = [
        {"plan_version": v.plan_version, "reason": v.reason, "created_at": v.created_at}
        for v in plans.plan_versions(user, study)
    ]
    return {
        "study_id": study.pk,
        "plan_version": plan and plan.plan_version,
        "reason": plan.reason if plan else "",
        "created_at": plan and plan.created_at,
        "lines": plans.visible_lines(user, study, plan) if plan else [],
        "versions": versions,
    }


@router.get(
    "/studies/{study_id}/recruitment-plan",
    response=with_errors({200: schemas.RecruitmentPlanOut}, READ_ERRORS),
)
def get_recruitment_plan(request, study_id: int, query: Query[schemas.RecruitmentPlanQuery]):
    """The study's recruitment plan (the latest version, or `plan_version`), and its versions."""
    user = actor(request)
    study = get_object_or_404(study_selectors.studies_for(user), pk=study_id)
    return _plan_document(user, study, plans.plan_of(user, study, query.plan_version))


@router.get(
    "/studies/{study_id}/recruitment-plan/versions",
    response=with_errors({200: page_schema(schemas.RecruitmentPlanVersionOut)}, READ_ERRORS),
)
def list_recruitment_plan_versions(request, study_id: int, query: Query[PageQuery]):
    """The versions of the study's recruitment plan, newest first, each with its reason."""
    user = actor(request)
    study = get_object_or_404(study_selectors.studies_for(user), pk=study_id)
    return paginate(plans.plan_versions(user, study), query)


@router.post(
    "/studies/{study_id}/recruitment-plan",
    response=with_errors({201: schemas.RecruitmentPlanOut}, WRITE_ERRORS),
)
def create_recruitment_plan(request, study_id: int, payload: schemas.RecruitmentPlanIn):
    """Write a new version of the plan (its CRM or an administrator); earlier versions are kept."""
    user = actor(request)
    study = get_object_or_404(study_selectors.studies_for(user), pk=study_id)
    lines = [line.model_dump() for line in payload.lines]
    plan = plans.create_recruitment_plan(study=study, lines=lines, reason=payload.reason, by=user)
    return 201, _plan_document(user, study, plan)


@router.get(
    "/studies/{study_id}/recruitment-plan/variance",
    response=with_errors({200: schemas.RecruitmentVarianceOut}, READ_ERRORS),
)
def get_recruitment_plan_variance(request, study_id: int, query: Query[schemas.RecruitmentPlanQuery]):
    """Enrollment and activations against the plan, per month and cumulative: the study and each country
    (for those who see every site) and each site you may see; as of today (UTC)."""
    user = actor(request)
    study = get_object_or_404(study_selectors.studies_for(user), pk=study_id)
    variance = plans.plan_variance(user, study, plans.plan_of(user, study, query.plan_version))
    return {
        "study_id": study.pk,
        "plan_version": variance.plan and variance.plan.plan_version,
        "as_of": variance.as_of,
        "months": variance.months,
        "groups": [asdict(group) for group in variance.groups],
    }
