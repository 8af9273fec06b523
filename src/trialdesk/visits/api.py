"""API operations on schedules of activities, participants' visits, missed visits and deviations.

Reads start from what the user may see (out of scope answers 404); writes go through visits.services,
asking the permission question first so a read-only role hears 403 rather than a complaint about input.
"""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status

from trialdesk.core.apiutils import (
    READ_ERRORS,
    WRITE_ERRORS,
    DeleteQuery,
    IfMatch,
    PageQuery,
    actor,
    expected_version,
    model_values,
    page_schema,
    paginate,
    referenced,
    set_etag,
    visible_or_404,
    with_errors,
)
from trialdesk.core.permissions import require
from trialdesk.sites.models import StudySite
from trialdesk.studies import selectors as study_selectors
from trialdesk.studies.models import Study
from trialdesk.visits import selectors, services
from trialdesk.visits.models import ProtocolDeviation, ScheduledVisit, VisitDefinition
from trialdesk.visits.permissions import (
    can_manage_schedule,
    can_record_deviations,
    can_record_deviations_in_study,
    can_record_visits,
    can_review_deviations,
)
from trialdesk.visits.schemas import (
    DeviationFilters,
    DeviationIn,
    DeviationOut,
    DeviationPatch,
    DeviationRateOut,
    DeviationReviewIn,
    ScheduledVisitOut,
    ScheduleIn,
    VisitDefinitionIn,
    VisitDefinitionOut,
    VisitDefinitionPatch,
    VisitFilters,
    VisitRecordIn,
)

router = Router(tags=["visits"])


def _plain(values: dict) -> dict:
    """Enum members from the request as the plain strings the models store."""
    if "modalities" in values and values["modalities"] is not None:
        values["modalities"] = [str(m.value if hasattr(m, "value") else m) for m in values["modalities"]]
    return values


def _optional_version(version: int | None, if_match: str | None) -> int | None:
    """The version the client read, when it sent one: recording a visit or a review may go without."""
    if version is None and not if_match:
        return None
    return expected_version(version, if_match)


# Visit definitions ------------------------------------------------------------------------------------


def _visible_protocol_version(request, protocol_version_id: int):
    return get_object_or_404(selectors.protocol_versions_for(actor(request)), pk=protocol_version_id)


@router.get(
    "/protocol-versions/{protocol_version_id}/visit-definitions",
    response=with_errors({200: page_schema(VisitDefinitionOut)}, READ_ERRORS),
)
def list_visit_definitions(request, protocol_version_id: int, page: Query[PageQuery]):
    """The protocol version's schedule of activities, in schedule order."""
    version = _visible_protocol_version(request, protocol_version_id)
    return paginate(selectors.visit_definitions_for(actor(request), version), page)


@router.post(
    "/protocol-versions/{protocol_version_id}/visit-definitions",
    response=with_errors({201: VisitDefinitionOut}, WRITE_ERRORS),
)
def create_visit_definition(request, protocol_version_id: int, payload: VisitDefinitionIn):
    """Add a visit to the schedule (the study's CRM)."""
    version = _visible_protocol_version(request, protocol_version_id)
    require(can_manage_schedule(actor(request), version.study_id), services.ONLY_SCHEDULE_MANAGERS)
    definition = services.create_visit_definition(
        protocol_version=version, by=actor(request), reason=payload.reason, **_plain(model_values(payload))
    )
    return Status(201, definition)


@router.get(
    "/visit-definitions/{visit_definition_id}", response=with_errors({200: VisitDefinitionOut}, READ_ERRORS)
)
def get_visit_definition(request, visit_definition_id: int, response: HttpResponse):
    definition = visible_or_404(request, VisitDefinition, visit_definition_id, "protocol_version")
    set_etag(response, definition)
    return definition


@router.patch(
    "/visit-definitions/{visit_definition_id}", response=with_errors({200: VisitDefinitionOut}, WRITE_ERRORS)
)
def update_visit_definition(
    request,
    visit_definition_id: int,
    payload: VisitDefinitionPatch,
    response: HttpResponse,
    if_match: IfMatch = None,
):
    """Change a visit of the schedule; visits already scheduled from it keep their dates."""
    definition = visible_or_404(request, VisitDefinition, visit_definition_id, "protocol_version")
    require(
        can_manage_schedule(actor(request), definition.protocol_version.study_id),
        services.ONLY_SCHEDULE_MANAGERS,
    )
    definition = services.update_visit_definition(
        definition=definition,
        changes=_plain(model_values(payload)),
        by=actor(request),
        reason=payload.reason,
        expected_version=expected_version(payload.version, if_match),
    )
    set_etag(response, definition)
    return definition


@router.delete("/visit-definitions/{visit_definition_id}", response=with_errors({204: None}, WRITE_ERRORS))
def delete_visit_definition(
    request, visit_definition_id: int, removal: Query[DeleteQuery], if_match: IfMatch = None
):
    """Remove a visit nobody has been scheduled for yet."""
    definition = visible_or_404(request, VisitDefinition, visit_definition_id, "protocol_version")
    require(
        can_manage_schedule(actor(request), definition.protocol_version.study_id),
        services.ONLY_SCHEDULE_MANAGERS,
    )
    services.delete_visit_definition(
        definition=definition,
        by=actor(request),
        reason=removal.reason,
        expected_version=expected_version(removal.version, if_match),
    )
    return HttpResponse(status=204)


# Participants' visits ---------------------------------------------------------------------------------


def _visit_out(visit: ScheduledVisit, standing: str) -> dict:
    definition = visit.definition
    return {
        "id": visit.pk,
        "participant_id": visit.participant_id,
        "participant_number": visit.participant.number,
        "study_site_id": visit.participant.study_site_id,
        "definition_id": visit.definition_id,
        "code": definition.code if definition else None,
        "name": definition.name if definition else "Unscheduled visit",
        "visit_type": definition.visit_type if definition else "unscheduled",
        "anchor_on": visit.anchor_on,
        "target_on": visit.target_on,
        "window_start_on": visit.window_start_on,
        "window_end_on": visit.window_end_on,
        "status": visit.status,
        "standing": standing,
        "done_on": visit.done_on,
        "modality": visit.modality,
        "out_of_window": visit.out_of_window,
        "note": visit.note,
        "version": visit.version,
    }


def _visit_with_standing(visit: ScheduledVisit) -> dict:
    participant = visit.participant
    standing = selectors.standing_of(
        visit, today=participant.study_site.local_today(), left_on=selectors.left_study_on(participant)
    )
    return _visit_out(visit, standing)


def _visible_participant(request, participant_id: int):
    return get_object_or_404(selectors.participants_for(actor(request)), pk=participant_id)


@router.get(
    "/participants/{participant_id}/visits",
    response=with_errors({200: page_schema(ScheduledVisitOut)}, READ_ERRORS),
)
def list_participant_visits(request, participant_id: int, filters: Query[VisitFilters]):
    """The participant's visits with their standing (done, missed, due…) on the site's today."""
    participant = _visible_participant(request, participant_id)
    visits = selectors.visits_for(actor(request)).filter(participant=participant)
    if filters.status:
        visits = visits.filter(status=filters.status)
    page = paginate(visits.order_by("target_on", "done_on", "definition__order", "id"), filters)
    page["items"] = [_visit_with_standing(visit) for visit in page["items"]]
    return page


@router.post(
    "/participants/{participant_id}/visits", response=with_errors({200: ScheduledVisitOut}, WRITE_ERRORS)
)
def record_participant_visit(request, participant_id: int, payload: VisitRecordIn, if_match: IfMatch = None):
    """Record a visit: the scheduled one named by `scheduled_visit_id`, or an unscheduled one.

    Out-of-window visits are recorded and flagged; a date in the future, before consent or before
    enrollment is refused. A visit while re-consent is overdue creates a consent deviation for review.
    """
    user = actor(request)
    participant = _visible_participant(request, participant_id)
    require(can_record_visits(user, participant.study_site), services.ONLY_SITE_STAFF)
    if payload.scheduled_visit_id is None:
        visit = services.record_unscheduled_visit(
            participant=participant,
            done_on=payload.done_on,
            modality=payload.modality.value,
            note=payload.note,
            reason=payload.reason,
            by=user,
        )
    else:
        scheduled = selectors.visits_for(user).filter(participant=participant)
        visit = referenced(scheduled, payload.scheduled_visit_id, field="scheduled_visit_id")
        visit = services.record_visit(
            scheduled_visit=visit,
            done_on=payload.done_on,
            modality=payload.modality.value,
            reason=payload.reason,
            expected_version=_optional_version(payload.version, if_match),
            by=user,
        )
    return _visit_with_standing(visit)


@router.post(
    "/participants/{participant_id}/visits/schedule",
    response=with_errors({200: list[ScheduledVisitOut]}, WRITE_ERRORS),
)
def schedule_participant_visits(request, participant_id: int, payload: ScheduleIn):
    """Give the participant the visits of the current schedule hanging on an anchor (e.g. first dose).

    Visits the participant already has are kept as they are: calling this again adds nothing.
    """
    user = actor(request)
    participant = _visible_participant(request, participant_id)
    require(can_record_visits(user, participant.study_site), services.ONLY_SITE_STAFF)
    visits = services.schedule_visits(
        participant=participant, anchor=payload.anchor.value, anchor_on=payload.anchor_on, by=user
    )
    return [_visit_with_standing(visit) for visit in visits]


@router.get(
    "/scheduled-visits/{scheduled_visit_id}", response=with_errors({200: ScheduledVisitOut}, READ_ERRORS)
)
def get_scheduled_visit(request, scheduled_visit_id: int, response: HttpResponse):
    visit = get_object_or_404(selectors.visits_for(actor(request)), pk=scheduled_visit_id)
    set_etag(response, visit)
    return _visit_with_standing(visit)


@router.get(
    "/studies/{study_id}/missed-visits",
    response=with_errors({200: page_schema(ScheduledVisitOut)}, READ_ERRORS),
)
def list_missed_visits(request, study_id: int, page: Query[PageQuery]):
    """Visits whose window closed before today at their site without being done."""
    study = get_object_or_404(study_selectors.studies_for(actor(request)), pk=study_id)
    result = paginate(selectors.missed_visits_for(actor(request), study), page)
    result["items"] = [_visit_out(visit, "missed") for visit in result["items"]]
    return result


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
    "/studies/{study_id}/deviations", response=with_errors({200: page_schema(DeviationOut)}, READ_ERRORS)
)
def list_deviations(request, study_id: int, filters: Query[DeviationFilters]):
    """The study's protocol deviations, newest first, filtered by site, category, importance, review."""
    user = actor(request)
    study = visible_or_404(request, Study, study_id)
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
