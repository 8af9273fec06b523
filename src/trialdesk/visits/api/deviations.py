"""API operations on protocol deviations: record, change, review, delete, and rates per site."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status

from trialdesk.core.apiutils import (
    READ_ERRORS,
    SUBJECT_LEVEL,
    SUBJECT_LEVEL_READ_ERRORS,
    WRITE_ERRORS,
    DeleteQuery,
    IfMatch,
    PageQuery,
    actor,
    expected_version,
    model_values,
    page_schema,
    paginate,
    require_subject_level,
    set_etag,
    visible_or_404,
    with_errors,
)
from trialdesk.core.permissions import require
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Study
from trialdesk.visits import selectors, services
from trialdesk.visits.api.scope import _optional_version
from trialdesk.visits.models import ProtocolDeviation
from trialdesk.visits.permissions import (
    can_record_deviations,
    can_record_deviations_in_study,
    can_review_deviations,
)
from trialdesk.visits.schemas import (
    DeviationFilters,
    DeviationIn,
    DeviationOut,
    DeviationPatch,
    DeviationRateOut,
    DeviationReviewIn,
)

router = Router(tags=["visits"])


# Deviations -------------------------------------------------------------------------------------------


def _deviation_out(deviation: ProtocolDeviation) -> dict:
    names = DeviationOut.model_fields.keys() - {"site_number", "participant_number", "reviewed_by"}
    return {
        **{name: getattr(deviation, name) for name in names},
        "site_number": deviation.study_site.site_number,
        "participant_number": deviation.participant.number if deviation.participant_id else None,
        "reviewed_by": deviation.reviewed_by.username if deviation.reviewed_by_id else None,
    }


def _deviation_references(request, study) -> dict:
    user = actor(request)
    return {
        "study_site_id": ("study_site", StudySite.objects.visible_to(user).filter(study=study)),
        "participant_id": ("participant", selectors.participants_for(user).filter(study=study)),
    }


@router.get(
    "/studies/{study_id}/deviations",
    response=with_errors({200: page_schema(DeviationOut)}, SUBJECT_LEVEL_READ_ERRORS),
    openapi_extra=SUBJECT_LEVEL,
)
def list_deviations(request, study_id: int, filters: Query[DeviationFilters]):
    """The study's protocol deviations, newest first, filtered by site, category, importance, review."""
    user = actor(request)
    study = visible_or_404(request, Study, study_id)
    require_subject_level(request, study.pk, "protocol deviations")
    site = None
    if filters.study_site_id is not None:
        site = get_object_or_404(
            StudySite.objects.visible_to(user).filter(study=study), pk=filters.study_site_id
        )
    deviations = selectors.study_deviations(
        user,
        study,
        study_site=site,
        category=filters.category or "",
        important=filters.important,
        review_status=filters.review_status or "",
        created_automatically=filters.created_automatically,
        participant_number=filters.participant.strip(),
    )
    page = paginate(deviations, filters)
    page["items"] = [_deviation_out(d) for d in page["items"]]
    return page


@router.post("/studies/{study_id}/deviations", response=with_errors({201: DeviationOut}, WRITE_ERRORS))
def create_deviation(request, study_id: int, payload: DeviationIn):
    """Record a protocol deviation at a site (site staff, the site's monitor, the study's CRM)."""
    user = actor(request)
    study = visible_or_404(request, Study, study_id)
    require(can_record_deviations_in_study(user, study.pk), services.ONLY_DEVIATION_RECORDERS)
    values = model_values(payload, references=_deviation_references(request, study))
    deviation = services.create_deviation(study=study, by=user, reason=payload.reason, **values)
    return Status(201, _deviation_out(deviation))


def _visible_deviation(request, deviation_id: int) -> ProtocolDeviation:
    return get_object_or_404(selectors.deviations_for(actor(request)), pk=deviation_id)


@router.get("/deviations/{deviation_id}", response=with_errors({200: DeviationOut}, READ_ERRORS))
def get_deviation(request, deviation_id: int, response: HttpResponse):
    deviation = _visible_deviation(request, deviation_id)
    set_etag(response, deviation)
    return _deviation_out(deviation)


@router.patch("/deviations/{deviation_id}", response=with_errors({200: DeviationOut}, WRITE_ERRORS))
def update_deviation(
    request, deviation_id: int, payload: DeviationPatch, response: HttpResponse, if_match: IfMatch = None
):
    user = actor(request)
    deviation = _visible_deviation(request, deviation_id)
    require(can_record_deviations(user, deviation.study_site), services.ONLY_DEVIATION_RECORDERS)
    deviation = services.update_deviation(
        deviation=deviation,
        changes=model_values(payload, references=_deviation_references(request, deviation.study)),
        by=user,
        reason=payload.reason,
        expected_version=expected_version(payload.version, if_match),
    )
    set_etag(response, deviation)
    return _deviation_out(deviation)


@router.post("/deviations/{deviation_id}/review", response=with_errors({200: DeviationOut}, WRITE_ERRORS))
def review_deviation(
    request, deviation_id: int, payload: DeviationReviewIn, response: HttpResponse, if_match: IfMatch = None
):
    """The study's CRM marks a deviation reviewed, and may settle whether it is important."""
    user = actor(request)
    deviation = _visible_deviation(request, deviation_id)
    require(can_review_deviations(user, deviation.study_id), services.ONLY_REVIEWERS)
    deviation = services.review_deviation(
        deviation=deviation,
        important=payload.important,
        reason=payload.reason,
        by=user,
        expected_version=_optional_version(payload.version, if_match),
    )
    set_etag(response, deviation)
    return _deviation_out(deviation)


@router.delete("/deviations/{deviation_id}", response=with_errors({204: None}, WRITE_ERRORS))
def delete_deviation(request, deviation_id: int, removal: Query[DeleteQuery], if_match: IfMatch = None):
    """Remove a deviation entered by mistake (the study's CRM); automatic ones are reviewed instead."""
    deviation = _visible_deviation(request, deviation_id)
    require(can_review_deviations(actor(request), deviation.study_id), services.ONLY_REVIEWERS)
    services.delete_deviation(
        deviation=deviation,
        by=actor(request),
        reason=removal.reason,
        expected_version=expected_version(removal.version, if_match),
    )
    return HttpResponse(status=204)


@router.get(
    "/studies/{study_id}/deviation-rates",
    response=with_errors({200: page_schema(DeviationRateOut)}, READ_ERRORS),
)
def list_deviation_rates(request, study_id: int, page: Query[PageQuery]):
    """Deviations per participant-month by site (participant-months from enrollment to today or exit)."""
    study = visible_or_404(request, Study, study_id)
    rows = selectors.deviation_trend(actor(request), study).rows
    items = [
        {
            "study_site_id": row.site.pk,
            "site_number": row.site.site_number,
            "participants": row.participants,
            "participant_months": round(row.rate.participant_months, 3),
            "deviations": row.rate.deviations,
            "rate": row.rate.rate,
            "important": row.rate.important,
            "important_rate": row.rate.important_rate,
            "needs_review": row.needs_review,
            "missed_visits": row.missed_visits,
        }
        for row in rows[page.offset : page.offset + page.limit]
    ]
    return {"count": len(rows), "limit": page.limit, "offset": page.offset, "items": items}
