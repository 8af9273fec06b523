"""API operations on central statistical monitoring: a study's key risk indicators per site."""

from typing import Literal

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from trialdesk.core.apiutils import READ_ERRORS, PageQuery, actor, page_schema, with_errors
from trialdesk.statistics import kris
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
