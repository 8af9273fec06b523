"""API operations on participants' visits: their schedule, recording one, the missed ones."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router

from trialdesk.core.apiutils import (
    READ_ERRORS,
    SUBJECT_LEVEL,
    SUBJECT_LEVEL_READ_ERRORS,
    WRITE_ERRORS,
    IfMatch,
    PageQuery,
    actor,
    page_schema,
    paginate,
    referenced,
    require_subject_level,
    set_etag,
    with_errors,
)
from trialdesk.core.permissions import require
from trialdesk.studies import selectors as study_selectors
from trialdesk.visits import selectors, services
from trialdesk.visits.api.scope import _optional_version
from trialdesk.visits.models import ScheduledVisit
from trialdesk.visits.permissions import can_record_visits
from trialdesk.visits.schemas import ScheduledVisitOut, ScheduleIn, VisitFilters, VisitRecordIn

router = Router(tags=["visits"])


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

    Out-of-window visits are recorded, flagged and raise a visit-window deviation for review; a date
    in the future, before consent or before enrollment is refused. A visit while re-consent is overdue
    creates a consent deviation for review.
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
    response=with_errors({200: page_schema(ScheduledVisitOut)}, SUBJECT_LEVEL_READ_ERRORS),
    openapi_extra=SUBJECT_LEVEL,
)
def list_missed_visits(request, study_id: int, page: Query[PageQuery]):
    """Visits whose window closed before today at their site without being done."""
    study = get_object_or_404(study_selectors.studies_for(actor(request)), pk=study_id)
    require_subject_level(request, study.pk, "participants' visits")
    result = paginate(selectors.missed_visits_for(actor(request), study), page)
    result["items"] = [_visit_out(visit, "missed") for visit in result["items"]]
    return result
