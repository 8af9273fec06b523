"""API operations on adverse events and their follow-up versions, and the CTCAE term search."""

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from ninja import Query, Router, Status

from trialdesk.core.apiutils import (
    READ_ERRORS,
    SUBJECT_LEVEL,
    SUBJECT_LEVEL_READ_ERRORS,
    WRITE_ERRORS,
    IfMatch,
    PageQuery,
    actor,
    model_values,
    page_schema,
    paginate,
    require_subject_level,
    set_etag,
    visible_or_404,
    with_errors,
)
from trialdesk.core.permissions import require
from trialdesk.safety import ctcae, selectors, services
from trialdesk.safety.api.obligations import _obligation_page
from trialdesk.safety.api.scope import _optional_version, _plain, _rsi_reference, _study
from trialdesk.safety.models import AdverseEvent, AdverseEventVersion
from trialdesk.safety.permissions import can_record_adverse_events_in_study
from trialdesk.safety.schemas import (
    AdverseEventFilters,
    AdverseEventIn,
    AdverseEventOut,
    AdverseEventVersionOut,
    CtcaeQuery,
    CtcaeTermOut,
    FollowUpIn,
    ObligationOut,
)
from trialdesk.subjects.models import Participant

router = Router(tags=["safety"])

# CTCAE ---------------------------------------------------------------------------------------------------


@router.get("/ctcae-terms", response=with_errors({200: page_schema(CtcaeTermOut)}, READ_ERRORS))
def search_ctcae_terms(request, query: Query[CtcaeQuery]):
    """CTCAE v5.0 terms containing the text (or the closest ones), with each grade's definition."""
    found = ctcae.search(query.q, limit=query.offset + query.limit)
    items = [
        {
            "term": t.term,
            "meddra_code": t.meddra_code,
            "soc": t.soc,
            "definition": t.definition,
            "grades": t.grades,
        }
        for t in found[query.offset :]
    ]
    return {"count": len(found), "limit": query.limit, "offset": query.offset, "items": items}


# Adverse events ------------------------------------------------------------------------------------------


def _event_out(event: AdverseEvent) -> dict:
    return {
        **{
            name: getattr(event, name)
            for name in (
                "id",
                "number",
                "study_id",
                "study_site_id",
                "participant_id",
                "latest_version",
                "ctcae_term",
                "grade",
                "serious",
                "fatal_or_life_threatening",
                "related",
                "expected",
                "onset_on",
                "site_aware_at",
                "version",
            )
        },
        "site_number": event.study_site.site_number,
        "participant_number": event.participant.number,
        "susar": event.is_susar,
    }


def _version_out(version: AdverseEventVersion) -> dict:
    names = (
        "number verbatim_term ctcae_term meddra_code grade onset_on resolved_on seriousness causality "
        "expected "
        "reference_safety_information_id protocol_exemption_id unanticipated_device_effect action_taken "
        "outcome site_aware_at "
        "sponsor_aware_at narrative"
    ).split()
    return {
        **{name: getattr(version, name) for name in names},
        "grade_definition": version.grade_definition(),
        "recorded_by": version.recorded_by.username if version.recorded_by_id else None,
        "recorded_at": version.created_at,
    }


@router.get(
    "/studies/{study_id}/adverse-events",
    response=with_errors({200: page_schema(AdverseEventOut)}, SUBJECT_LEVEL_READ_ERRORS),
    openapi_extra=SUBJECT_LEVEL,
)
def list_adverse_events(request, study_id: int, filters: Query[AdverseEventFilters]):
    """The study's adverse events the user may see, newest onset first, with the line listing's filters."""
    study = _study(request, study_id)
    require_subject_level(request, study.pk, "adverse events")
    params = filters.model_dump(exclude_none=True)
    for name in ("serious", "related", "susar"):
        if name in params:
            params[name] = "yes" if params[name] else "no"
    events = selectors.filter_adverse_events(selectors.adverse_events_for(actor(request), study), params)
    page = paginate(events, filters)
    page["items"] = [_event_out(e) for e in page["items"]]
    return page


@router.post("/studies/{study_id}/adverse-events", response=with_errors({201: AdverseEventOut}, WRITE_ERRORS))
def create_adverse_event(request, study_id: int, payload: AdverseEventIn):
    """Record an adverse event (version 1); its reporting obligations are created with it."""
    study = _study(request, study_id)
    user = actor(request)
    require(can_record_adverse_events_in_study(user, study.pk), services.ONLY_RECORDERS)
    participants = Participant.objects.visible_to(user).filter(study=study)
    values = model_values(payload, references=_rsi_reference(request, study))
    participant_id = values.pop("participant_id")
    participant = participants.filter(pk=participant_id).select_related("study_site__institution").first()
    if participant is None:
        raise ValidationError(
            {"participant_id": f"There is no participant with id {participant_id} that you can see."}
        )
    event = services.record_adverse_event(
        participant=participant, by=user, reason=payload.reason, **_plain(values)
    )
    return Status(201, _event_out(event))


@router.get("/adverse-events/{adverse_event_id}", response=with_errors({200: AdverseEventOut}, READ_ERRORS))
def get_adverse_event(request, adverse_event_id: int, response: HttpResponse):
    event = visible_or_404(request, AdverseEvent, adverse_event_id, "study_site", "participant")
    set_etag(response, event)
    return _event_out(event)


@router.get(
    "/adverse-events/{adverse_event_id}/versions",
    response=with_errors({200: page_schema(AdverseEventVersionOut)}, READ_ERRORS),
)
def list_adverse_event_versions(request, adverse_event_id: int, page: Query[PageQuery]):
    """The initial report and every follow-up, oldest first."""
    event = visible_or_404(request, AdverseEvent, adverse_event_id)
    found = paginate(selectors.versions_of(actor(request), event), page)
    found["items"] = [_version_out(v) for v in found["items"]]
    return found


@router.post(
    "/adverse-events/{adverse_event_id}/versions",
    response=with_errors({201: AdverseEventVersionOut}, WRITE_ERRORS),
)
def add_follow_up(request, adverse_event_id: int, payload: FollowUpIn, if_match: IfMatch = None):
    """Add follow-up information as a new version; the obligations are recalculated (none deleted)."""
    event = visible_or_404(request, AdverseEvent, adverse_event_id, "study_site", "study")
    user = actor(request)
    require(can_record_adverse_events_in_study(user, event.study_id), services.ONLY_RECORDERS)
    changes = model_values(payload, references=_rsi_reference(request, event.study))
    if "causality" in changes and changes["causality"] is None:
        changes["causality"] = ""  # null: the causality is withdrawn to "not yet assessed"
    version = services.add_follow_up(
        adverse_event=event,
        by=user,
        reason=payload.reason,
        expected_version=_optional_version(payload.version, if_match),
        **_plain(changes),
    )
    return Status(201, _version_out(version))


@router.get(
    "/adverse-events/{adverse_event_id}/obligations",
    response=with_errors({200: page_schema(ObligationOut)}, READ_ERRORS),
)
def list_adverse_event_obligations(request, adverse_event_id: int, page: Query[PageQuery]):
    """Every reporting obligation of the event, not-required ones included, by due time."""
    event = visible_or_404(request, AdverseEvent, adverse_event_id)
    return _obligation_page(selectors.obligations_for(actor(request)).filter(adverse_event=event), page)
