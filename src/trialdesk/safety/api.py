"""The safety part of the JSON API: adverse events and follow-up versions, reporting obligations, line
listings, safety settings. Reads start from what the user may see (404 outside it); writes ask the
permission question first, so a read-only role hears 403 rather than a complaint about its input."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone
from ninja import Query, Router, Status

from trialdesk.core.apiutils import (
    READ_ERRORS,
    WRITE_ERRORS,
    IfMatch,
    PageQuery,
    actor,
    expected_version,
    model_values,
    page_schema,
    paginate,
    set_etag,
    visible_or_404,
    with_errors,
)
from trialdesk.core.permissions import require
from trialdesk.safety import ctcae, listing, selectors, services
from trialdesk.safety.models import (
    AdverseEvent,
    AdverseEventVersion,
    CommitteeReportingPolicy,
    ReferenceSafetyInformation,
    ReportingObligation,
)
from trialdesk.safety.permissions import (
    can_oversee_safety,
    can_record_adverse_events_in_study,
    can_submit_obligation,
)
from trialdesk.safety.schemas import (
    AdverseEventFilters,
    AdverseEventIn,
    AdverseEventOut,
    AdverseEventVersionOut,
    CommitteePolicyIn,
    CommitteePolicyOut,
    CtcaeQuery,
    CtcaeTermOut,
    FollowUpIn,
    ListingQuery,
    ListingRowOut,
    ObligationFilters,
    ObligationOut,
    ObligationSubmissionIn,
    ReferenceSafetyInformationIn,
    ReferenceSafetyInformationOut,
    SafetySettingsIn,
    SafetySettingsOut,
)
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Study
from trialdesk.subjects.models import Participant

router = Router(tags=["safety"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _study(request, study_id: int) -> Study:
    return visible_or_404(request, Study, study_id)


def _plain(values: dict) -> dict:
    """Enum members from the request as the plain strings the models store."""
    return {k: (v.value if hasattr(v, "value") else v) for k, v in values.items()}


def _optional_version(version: int | None, if_match: str | None) -> int | None:
    """The version the client read, when it sent one (a follow-up or a submission may go without)."""
    if version is None and not if_match:
        return None
    return expected_version(version, if_match)


def _rsi_reference(request, study) -> dict:
    return {
        "reference_safety_information_id": (
            "reference_safety_information",
            ReferenceSafetyInformation.objects.visible_to(actor(request)).filter(study=study),
        )
    }


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
        "reference_safety_information_id unanticipated_device_effect action_taken outcome site_aware_at "
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
    response=with_errors({200: page_schema(AdverseEventOut)}, READ_ERRORS),
)
def list_adverse_events(request, study_id: int, filters: Query[AdverseEventFilters]):
    """The study's adverse events the user may see, newest onset first, with the line listing's filters."""
    study = _study(request, study_id)
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


# Obligations ---------------------------------------------------------------------------------------------


def obligation_out(obligation: ReportingObligation, now: dt.datetime) -> dict:
    standing = obligation.standing(now)
    zone = obligation.zone
    names = (
        "id study_id study_site_id adverse_event_id key recipient jurisdiction rule description "
        "reporting_party "
        "clock length due_on time_zone status not_required_reason reference_number version"
    ).split()
    return {
        **{name: getattr(obligation, name) for name in names},
        "study_code": obligation.study.code,
        "adverse_event_number": obligation.adverse_event.number if obligation.adverse_event_id else None,
        "starts_at": obligation.starts_at.astimezone(zone),
        "due_at": obligation.due_at.astimezone(zone),
        "submitted_at": obligation.submitted_at.astimezone(zone) if obligation.submitted_at else None,
        "submitted_by": obligation.submitted_by.username if obligation.submitted_by_id else None,
        "standing": standing.label,
        "days_late": standing.days_late,
    }


def _obligation_page(obligations, page: PageQuery) -> dict:
    found = paginate(obligations.select_related("study", "adverse_event", "submitted_by"), page)
    now = timezone.now()
    found["items"] = [obligation_out(o, now) for o in found["items"]]
    return found


def _filtered(obligations, filters: ObligationFilters):
    now = timezone.now()
    if filters.study_id is not None:
        obligations = obligations.filter(study_id=filters.study_id)
    if filters.status:
        obligations = obligations.filter(status=filters.status)
    if filters.recipient:
        obligations = obligations.filter(recipient__iexact=filters.recipient)
    if filters.jurisdiction:
        obligations = obligations.filter(jurisdiction__iexact=filters.jurisdiction)
    if filters.window:
        obligations = obligations.filter(status="open").filter(selectors.due_within(filters.window, now))
    return obligations.order_by("due_at", "id")


@router.get("/obligations", response=with_errors({200: page_schema(ObligationOut)}, READ_ERRORS))
def list_obligations(request, filters: Query[ObligationFilters]):
    """Reporting obligations across the user's portfolio, by due time, e.g. `?window=overdue`."""
    return _obligation_page(_filtered(selectors.obligations_for(actor(request)), filters), filters)


@router.get(
    "/studies/{study_id}/obligations", response=with_errors({200: page_schema(ObligationOut)}, READ_ERRORS)
)
def list_study_obligations(request, study_id: int, filters: Query[ObligationFilters]):
    study = _study(request, study_id)
    return _obligation_page(_filtered(selectors.obligations_for(actor(request), study), filters), filters)


@router.get("/obligations/{obligation_id}", response=with_errors({200: ObligationOut}, READ_ERRORS))
def get_obligation(request, obligation_id: int, response: HttpResponse):
    obligation = visible_or_404(request, ReportingObligation, obligation_id, "study", "adverse_event")
    set_etag(response, obligation)
    return obligation_out(obligation, timezone.now())


@router.post("/obligations/{obligation_id}/submit", response=with_errors({200: ObligationOut}, WRITE_ERRORS))
def submit_obligation(request, obligation_id: int, payload: ObligationSubmissionIn, if_match: IfMatch = None):
    """Mark the report submitted, with when and the recipient's reference number (the evidence)."""
    obligation = visible_or_404(request, ReportingObligation, obligation_id, "study", "adverse_event")
    user = actor(request)
    require(
        can_submit_obligation(
            user,
            study_id=obligation.study_id,
            study_site_id=obligation.study_site_id,
            party=obligation.reporting_party,
        ),
        services.ONLY_SUBMITTERS,
    )
    done = services.mark_submitted(
        obligation=obligation,
        by=user,
        submitted_at=payload.submitted_at,
        reference_number=payload.reference_number,
        reason=payload.reason,
        expected_version=_optional_version(payload.version, if_match),
    )
    return obligation_out(done, timezone.now())


# Line listing --------------------------------------------------------------------------------------------


@router.get(
    "/studies/{study_id}/line-listing", response=with_errors({200: page_schema(ListingRowOut)}, READ_ERRORS)
)
def line_listing(request, study_id: int, query: Query[ListingQuery]):
    """The study's line listing of adverse events: a page of JSON rows, or with `format=csv|xlsx` every row
    as a file. Blinded readers see "blinded" for the arm."""
    study = _study(request, study_id)
    params = query.model_dump(exclude_none=True)
    for name in ("serious", "related"):
        if name in params:
            params[name] = "yes" if params[name] else "no"
    events = selectors.filter_adverse_events(selectors.adverse_events_for(actor(request), study), params)
    events = events.order_by("number")
    if query.format in ("csv", "xlsx"):
        return line_listing_response(actor(request), study, events, query.format)
    return {
        "count": events.count(),
        "limit": query.limit,
        "offset": query.offset,
        "items": listing.listing_rows(actor(request), events[query.offset : query.offset + query.limit]),
    }


def line_listing_response(user, study: Study, events, export_format: str) -> HttpResponse:
    rows = listing.listing_rows(user, events)
    stamp = timezone.now().strftime("%Y%m%d")
    if export_format == "xlsx":
        response = HttpResponse(listing.as_xlsx(rows, f"{study.code} line listing"), content_type=XLSX)
    else:
        response = HttpResponse(listing.as_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{study.code}-ae-line-listing-{stamp}.{export_format}"'
    )
    return response


# Study safety settings -----------------------------------------------------------------------------------


def _settings_out(study: Study) -> dict:
    found = selectors.settings_of(study)
    return {
        "study_id": study.pk,
        "sponsor_time_zone": found.sponsor_time_zone,
        "product_type": found.product_type,
        "site_to_sponsor_hours": found.site_to_sponsor_hours,
        "extra_jurisdictions": found.extra_jurisdictions or [],
        "jurisdictions": list(selectors.study_jurisdictions(study, found)),
        "development_birth_date": found.development_birth_date,
        "version": found.version if found.pk else None,
    }


@router.get("/safety-settings/{study_id}", response=with_errors({200: SafetySettingsOut}, READ_ERRORS))
def get_safety_settings(request, study_id: int):
    """How the study reports safety (defaults until first saved) and the jurisdictions that follow."""
    return _settings_out(_study(request, study_id))


@router.put("/safety-settings/{study_id}", response=with_errors({200: SafetySettingsOut}, WRITE_ERRORS))
def put_safety_settings(request, study_id: int, payload: SafetySettingsIn):
    study = _study(request, study_id)
    require(can_oversee_safety(actor(request), study.pk), services.ONLY_OVERSEERS)
    services.save_safety_settings(
        study=study,
        by=actor(request),
        reason=payload.reason,
        expected_version=payload.version,
        **_plain(model_values(payload)),
    )
    return _settings_out(study)


@router.get(
    "/studies/{study_id}/committee-policies",
    response=with_errors({200: page_schema(CommitteePolicyOut)}, READ_ERRORS),
)
def list_committee_policies(request, study_id: int, page: Query[PageQuery]):
    study = _study(request, study_id)
    return paginate(CommitteeReportingPolicy.objects.visible_to(actor(request)).filter(study=study), page)


@router.post(
    "/studies/{study_id}/committee-policies", response=with_errors({201: CommitteePolicyOut}, WRITE_ERRORS)
)
def create_committee_policy(request, study_id: int, payload: CommitteePolicyIn):
    """Add an ethics committee's or IRB's reporting policy; events from then on report under it."""
    study = _study(request, study_id)
    require(can_oversee_safety(actor(request), study.pk), services.ONLY_OVERSEERS)
    sites = StudySite.objects.visible_to(actor(request)).filter(study=study)
    values = model_values(payload, references={"study_site_id": ("study_site", sites)})
    policy = services.add_committee_policy(study=study, by=actor(request), reason=payload.reason, **values)
    return Status(201, policy)


@router.get(
    "/studies/{study_id}/reference-safety-information",
    response=with_errors({200: page_schema(ReferenceSafetyInformationOut)}, READ_ERRORS),
)
def list_reference_safety_information(request, study_id: int, page: Query[PageQuery]):
    study = _study(request, study_id)
    return paginate(ReferenceSafetyInformation.objects.visible_to(actor(request)).filter(study=study), page)


@router.post(
    "/studies/{study_id}/reference-safety-information",
    response=with_errors({201: ReferenceSafetyInformationOut}, WRITE_ERRORS),
)
def create_reference_safety_information(request, study_id: int, payload: ReferenceSafetyInformationIn):
    """Add a version of the reference safety information expectedness is judged against."""
    study = _study(request, study_id)
    require(can_oversee_safety(actor(request), study.pk), services.ONLY_OVERSEERS)
    rsi = services.add_reference_safety_information(
        study=study, by=actor(request), reason=payload.reason, **model_values(payload)
    )
    return Status(201, rsi)
